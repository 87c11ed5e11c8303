package bench

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	official "github.com/mailgun/mailgun-go/v4"
	"github.com/mgkit/mailgun"
)

// The three clients must do the same work, or the benchmarks compare
// nothing. These tests check that they get the same results.

func TestGetBounceAgrees(t *testing.T) {
	e := getEnv(t)
	base, err := e.baseline.GetBounce(bg, Domain, BounceAddress)
	if err != nil {
		t.Fatal(err)
	}
	sdk, err := e.sdk.Bounces.Get(bg, Domain, BounceAddress)
	if err != nil {
		t.Fatal(err)
	}
	off, err := e.official.GetBounce(bg, BounceAddress)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []BaselineBounce{
		base,
		{Address: sdk.Address, Code: sdk.Code, Error: sdk.Error, CreatedAt: sdk.CreatedAt},
		{Address: off.Address, Code: off.Code, Error: off.Error, CreatedAt: time.Time(off.CreatedAt)},
	} {
		if got.Address != BounceAddress || got.Code != "550" || got.Error != "No such mailbox" || !got.CreatedAt.Equal(wantCreated) {
			t.Errorf("decoded %+v", got)
		}
	}
}

func TestServerRejectsWrongKey(t *testing.T) {
	e := getEnv(t)
	c, err := NewSDK(e.hc, e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := mailgun.NewClient("wrong-key", mailgun.WithBaseURL(e.srv.URL), mailgun.WithHTTPClient(e.hc), mailgun.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Bounces.Get(bg, Domain, BounceAddress); err == nil {
		t.Error("a wrong key was accepted")
	}
	if _, err := c.Bounces.Get(bg, Domain, "nobody@example.com"); err == nil {
		t.Error("an unknown address was found")
	}
}

func TestWalksAgree(t *testing.T) {
	e := getEnv(t)
	const n, limit = 2500, 1000
	domain := WalkDomain(n)
	var base, sdk, off []string
	for bnc, err := range e.baseline.Bounces(bg, domain, limit) {
		if err != nil {
			t.Fatal(err)
		}
		base = append(base, bnc.Address+" "+bnc.CreatedAt.String())
	}
	for bnc, err := range e.sdk.Bounces.List(bg, domain, &mailgun.ListOptions{Limit: limit}) {
		if err != nil {
			t.Fatal(err)
		}
		sdk = append(sdk, bnc.Address+" "+bnc.CreatedAt.String())
	}
	it := NewOfficial(e.hc, e.srv.URL, domain).ListBounces(&official.ListOptions{Limit: limit})
	var page []official.Bounce
	for it.Next(bg, &page) {
		for _, bnc := range page {
			off = append(off, bnc.Address+" "+time.Time(bnc.CreatedAt).String())
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if len(base) != n || base[0] != BounceAt(0)+" 2025-01-26 07:29:04 +0000 UTC" || base[n-1][:len(BounceAt(n-1))] != BounceAt(n-1) {
		t.Fatalf("baseline walked %d: first %q", len(base), base[0])
	}
	if strings.Join(sdk, "\n") != strings.Join(base, "\n") || strings.Join(off, "\n") != strings.Join(base, "\n") {
		t.Errorf("walks differ: %d/%d/%d bounces", len(base), len(sdk), len(off))
	}
}

func TestPagingLinksAreAbsolute(t *testing.T) {
	e := getEnv(t)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v3/"+WalkDomain(1500)+"/bounces?limit=1000", nil)
	req.SetBasicAuth("api", APIKey)
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Items  []json.RawMessage `json:"items"`
		Paging map[string]string `json:"paging"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	want := e.srv.URL + "/v3/n1500.example.com/bounces?page=next&address=user00000999%40example.com&limit=1000&term="
	if len(page.Items) != 1000 || page.Paging["next"] != want {
		t.Errorf("%d items, next %q, want %q", len(page.Items), page.Paging["next"], want)
	}
}

func TestEventDecodersAgree(t *testing.T) {
	e := getEnv(t)
	body := e.srv.eventsPage
	var base BaselineEventsPage
	if err := json.Unmarshal(body, &base); err != nil {
		t.Fatal(err)
	}
	var sdk sdkEventsPage
	if err := json.Unmarshal(body, &sdk); err != nil {
		t.Fatal(err)
	}
	off, err := officialParse(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(base.Items) != EventsPageSize || len(sdk.Items) != EventsPageSize || len(off) != EventsPageSize {
		t.Fatalf("decoded %d/%d/%d events", len(base.Items), len(sdk.Items), len(off))
	}
	names := map[string]bool{}
	for i := range EventsPageSize {
		b, s, o := base.Items[i], sdk.Items[i], off[i]
		names[b.Event] = true
		if b.ID != s.ID || b.ID != o.GetID() || b.Event != string(s.Event) || b.Event != o.GetName() {
			t.Errorf("event %d: %s %s / %s %s / %s %s", i, b.ID, b.Event, s.ID, s.Event, o.GetID(), o.GetName())
		}
		if d := s.Timestamp.Sub(o.GetTimestamp()); d > time.Microsecond || d < -time.Microsecond {
			t.Errorf("event %d: timestamps %v and %v", i, s.Timestamp, o.GetTimestamp())
		}
	}
	// Every event name the official SDK decodes is on the page.
	for name := range official.EventNames {
		if !names[name] {
			t.Errorf("the page has no %q event", name)
		}
	}
}

func TestMutexDiffFindsTheReleasingFunction(t *testing.T) {
	prev := runtime.SetMutexProfileFraction(1)
	defer runtime.SetMutexProfileFraction(prev)
	before := TakeMutexSnapshot()
	contend()
	rep := MutexDiff(before, TakeMutexSnapshot())
	if rep.Owners["github.com/mgkit/mailgun/bench.contend.func1"] == 0 {
		t.Errorf("the contended lock of contend was not attributed to it: %v", rep.Owners)
	}
	if rep.SDKLockStacks != 0 {
		t.Errorf("%d SDK lock stacks in code without SDK frames", rep.SDKLockStacks)
	}
}

var (
	contendMu sync.Mutex
	contended int
)

// contend makes goroutines fight for contendMu, each holding it a while.
func contend() {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				contendMu.Lock()
				for range 2000 {
					contended++
				}
				contendMu.Unlock()
			}
		})
	}
	wg.Wait()
}

func TestIsSDKFunc(t *testing.T) {
	for fn, want := range map[string]bool{
		"github.com/mgkit/mailgun.(*BouncesService).Get":            true,
		"github.com/mgkit/mailgun/internal/doer.(*Doer).attempt":    true,
		"github.com/mgkit/mailgun/bench.(*Baseline).GetBounce":      false,
		"github.com/mgkit/mailgunx.F":                               false,
		"github.com/mailgun/mailgun-go/v4.(*MailgunImpl).GetBounce": false,
		"net/http.(*Transport).tryPutIdleConn":                      false,
	} {
		if got := isSDKFunc(fn); got != want {
			t.Errorf("isSDKFunc(%q) = %v", fn, got)
		}
	}
}

// TestNoSDKLockOnRequestPath is target 5 as a test: 64 goroutines share
// one client, and no contended lock in the mutex profile is the SDK's own.
func TestNoSDKLockOnRequestPath(t *testing.T) {
	e := getEnv(t)
	prev := runtime.SetMutexProfileFraction(1)
	defer runtime.SetMutexProfileFraction(prev)
	before := TakeMutexSnapshot()
	var wg sync.WaitGroup
	for range Goroutines {
		wg.Go(func() {
			for range 50 {
				if _, err := e.sdk.Bounces.Get(bg, Domain, BounceAddress); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	rep := MutexDiff(before, TakeMutexSnapshot())
	if rep.SDKLockStacks != 0 {
		t.Errorf("%d contended locks released by SDK code:\n%s", rep.SDKLockStacks, strings.Join(rep.SDKStacks, "\n"))
	}
	t.Logf("%d contention events on %d stacks; by releasing function:\n%s", rep.Contentions, rep.Stacks, formatOwners(rep.Owners))
}

// TestSendsAgree sends the benchmarked messages through each client to a
// server that parses them, and checks that each carries the same fields
// and the same attachment.
func TestSendsAgree(t *testing.T) {
	type got struct {
		from, to, subject, text, file string
	}
	var mu sync.Mutex
	var seen []got
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		g := got{from: r.FormValue("from"), to: r.FormValue("to"), subject: r.FormValue("subject"), text: r.FormValue("text")}
		if r.MultipartForm != nil && len(r.MultipartForm.File["attachment"]) == 1 {
			f, err := r.MultipartForm.File["attachment"][0].Open()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			b, _ := io.ReadAll(f)
			_ = f.Close()
			g.file = string(b)
		}
		mu.Lock()
		seen = append(seen, g)
		mu.Unlock()
		_, _ = w.Write(sendAnswer)
	}))
	defer srv.Close()
	hc := NewHTTPClient()
	base := NewBaseline(hc, srv.URL)
	sdk, err := NewSDK(hc, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	off := NewOfficial(hc, srv.URL, Domain)
	path := filepath.Join(t.TempDir(), "file.txt")
	if err := os.WriteFile(path, []byte("attached bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	text := mailgun.Message{From: sendFrom, To: []string{sendTo}, Subject: sendSubject, Text: sendText}
	withAttachment := text
	withAttachment.Attachments = []mailgun.Attachment{mailgun.FileAttachment(path)}
	sends := []func() (string, error){
		func() (string, error) { return base.SendMessage(bg, Domain, sendFrom, sendTo, sendSubject, sendText) },
		func() (string, error) { return sdkID(sdk.Messages.Send(bg, Domain, &text)) },
		func() (string, error) {
			_, id, err := off.Send(bg, official.NewMessage(sendFrom, sendSubject, sendText, sendTo))
			return id, err
		},
		func() (string, error) { return sdkID(sdk.Messages.Send(bg, Domain, &withAttachment)) },
		func() (string, error) {
			m := official.NewMessage(sendFrom, sendSubject, sendText, sendTo)
			m.AddAttachment(path)
			_, id, err := off.Send(bg, m)
			return id, err
		},
	}
	for i, send := range sends {
		id, err := send()
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if id != SendID {
			t.Errorf("send %d decoded id %q", i, id)
		}
	}
	want := got{from: sendFrom, to: sendTo, subject: sendSubject, text: sendText}
	withFile := want
	withFile.file = "attached bytes"
	if len(seen) != 5 || seen[0] != want || seen[1] != want || seen[2] != want || seen[3] != withFile || seen[4] != withFile {
		t.Errorf("the server saw %+v", seen)
	}
}

func sdkID(res *mailgun.SendResult, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return res.ID, nil
}
