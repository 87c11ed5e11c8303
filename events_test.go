package mailgun_test

//lint:file-ignore SA1019 the Events API is deprecated upstream but still served; these tests cover it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/mailguntest"
)

// eventsPage is the body of GET /v3/{domain}/events.
type eventsPage struct {
	Items  []mailgun.Event `json:"items"`
	Paging struct {
		First, Last, Next, Previous string
	} `json:"paging"`
}

func decodeEventsPage(t *testing.T, name string) eventsPage {
	t.Helper()
	body := fixture(t, name)
	require.NoError(t, contracttest.Load(t).CheckExample("GET", "/v3/example.com/events", 200, "application/json", body))
	var p eventsPage
	require.NoError(t, json.Unmarshal(body, &p))
	return p
}

func decodeEvent(t *testing.T, body string) mailgun.Event {
	t.Helper()
	var e mailgun.Event
	require.NoError(t, json.Unmarshal([]byte(body), &e))
	return e
}

func ptr[T any](v T) *T { return &v }

// unix is time.Unix in UTC, as the SDK decodes Unix timestamps.
func unix(sec, nsec int64) time.Time { return time.Unix(sec, nsec).UTC() }

func TestEventDecodeExamplePage(t *testing.T) {
	p := decodeEventsPage(t, "examples/events/get-v3-domain-events.200.json")
	require.Len(t, p.Items, 10)
	assert.True(t, strings.HasPrefix(p.Paging.Next, "https://api.mailgun.net/v3/example.com/events/W3siYiI6"))
	assert.NotEmpty(t, p.Paging.Previous)
	assert.NotEmpty(t, p.Paging.First)
	assert.NotEmpty(t, p.Paging.Last)

	byID := map[string]mailgun.Event{}
	var names []mailgun.EventName
	for _, e := range p.Items {
		byID[e.ID] = e
		names = append(names, e.Event)
		assert.NotEmpty(t, e.Raw, "Raw of %s", e.ID)
		assert.True(t, json.Valid(e.Raw))
	}
	assert.Equal(t, []mailgun.EventName{
		mailgun.EventAccepted, mailgun.EventDelivered, mailgun.EventFailed, mailgun.EventFailed,
		mailgun.EventOpened, mailgun.EventClicked, mailgun.EventUnsubscribed, mailgun.EventComplained,
		mailgun.EventRejected, mailgun.EventStored,
	}, names)

	acc := byID["jxVuhYlhReaK3QsggHfFRA"]
	assert.Equal(t, unix(1529692198, 641821000), acc.Timestamp)
	assert.Equal(t, mailgun.LogLevelInfo, acc.LogLevel)
	assert.Equal(t, "http", acc.Method)
	assert.Equal(t, &mailgun.EventEnvelope{Sender: "sender@example.com", Transport: "smtp", Targets: "john@example.org"}, acc.Envelope)
	assert.Equal(t, &mailgun.EventFlags{IsAuthenticated: ptr(true), IsTestMode: ptr(false)}, acc.Flags)
	require.NotNil(t, acc.Message)
	assert.Equal(t, mailgun.MessageHeaders{
		To: "john@example.org", From: "Sender <sender@example.com>",
		MessageID: "20180622182958.1.48906CB188F1A454@example.com", Subject: "Welcome aboard",
	}, acc.Message.Headers)
	assert.Equal(t, []string{"john@example.org"}, acc.Message.Recipients)
	assert.Equal(t, int64(586), acc.Message.Size)
	assert.Empty(t, acc.Message.Attachments)
	assert.Equal(t, &mailgun.EventStorage{URL: "https://api.mailgun.net/v3/domains/example.com/messages/AwABB1234", Key: "AwABB1234"}, acc.Storage)
	assert.Equal(t, "john@example.org", acc.Recipient)
	assert.Equal(t, "example.org", acc.RecipientDomain)
	assert.Equal(t, []string{"welcome"}, acc.Tags)
	assert.JSONEq(t, `{"customer-id": "42"}`, string(acc.UserVariables))
	var vars map[string]string
	require.NoError(t, acc.DecodeUserVariables(&vars))
	assert.Equal(t, map[string]string{"customer-id": "42"}, vars)

	del := byID["hK7mQVt1QtqRiOfQXta4sw"]
	assert.Equal(t, &mailgun.DeliveryStatus{
		TLS: ptr(true), MXHost: "mx1.example.org", Code: 250, SessionSeconds: 0.4367079734802246,
		UTF8: ptr(true), AttemptNo: 1, Message: "OK", CertificateVerified: ptr(true),
	}, del.DeliveryStatus)
	assert.Equal(t, "198.51.100.23", del.Envelope.SendingIP)
	assert.Equal(t, &mailgun.EventStorage{
		URL: "https://api.mailgun.net/v3/domains/example.com/messages/AwABB1234", Region: "us-east4", Key: "AwABB1234", Env: "production",
	}, del.Storage)
	assert.Equal(t, "Other", del.RecipientProvider)
	assert.Equal(t, &mailgun.EventFlags{IsRouted: ptr(false), IsAuthenticated: ptr(true), IsSystemTest: ptr(false), IsTestMode: ptr(false)}, del.Flags)

	perm := byID["pl271FzxTTmGRW8Uj3dUWw"]
	assert.Equal(t, mailgun.SeverityPermanent, perm.Severity)
	assert.Equal(t, mailgun.ReasonSuppressBounce, perm.Reason)
	assert.Equal(t, mailgun.LogLevelError, perm.LogLevel)
	assert.Equal(t, 605, perm.DeliveryStatus.Code)
	assert.Equal(t, "Not delivering to previously bounced address", perm.DeliveryStatus.Description)
	assert.Equal(t, []mailgun.EventAttachment{{Filename: "invoice.pdf", ContentType: "application/pdf", Size: 139214}}, perm.Message.Attachments)
	assert.Equal(t, int64(142698), perm.Message.Size)
	assert.JSONEq(t, `{}`, string(perm.UserVariables))
	assert.NotNil(t, perm.Tags, "an empty tags array is kept as empty, not absent")

	temp := byID["xYrATi63Rke8EC_s7EoJeA"]
	assert.Equal(t, mailgun.SeverityTemporary, temp.Severity)
	assert.Equal(t, mailgun.ReasonGeneric, temp.Reason)
	assert.Equal(t, 451, temp.DeliveryStatus.Code)
	assert.Equal(t, 600, temp.DeliveryStatus.RetrySeconds)
	assert.Equal(t, "4.7.652", temp.DeliveryStatus.EnhancedCode)
	assert.Equal(t, "mx2.example.org", temp.DeliveryStatus.MXHost)
	assert.Equal(t, &mailgun.EventBatch{ID: "633ee6154618b2fed628ccb0"}, temp.Batch)
	assert.Equal(t, &mailgun.EventTemplate{Name: "newsletter"}, temp.Template)

	open := byID["-laxIqj9QWubsjY_3pTq_g"]
	assert.Equal(t, &mailgun.Geolocation{Country: "US", Region: "Texas", City: "Austin"}, open.Geolocation)
	assert.Equal(t, "203.0.113.111", open.IP)
	assert.Equal(t, &mailgun.ClientInfo{
		ClientType: "mobile browser", ClientOS: "iOS", DeviceType: "mobile", ClientName: "Mobile Safari",
		UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 6_1 like Mac OS X) AppleWebKit/536.26 (KHTML, like Gecko) Mobile/10B143",
	}, open.ClientInfo)
	assert.Equal(t, &mailgun.EventMessage{Headers: mailgun.MessageHeaders{MessageID: "20180622182958.1.48906CB188F1A454@example.com"}}, open.Message)
	assert.Nil(t, open.Envelope)
	assert.Nil(t, open.DeliveryStatus)

	click := byID["G5zMz2ysS6OxZ2C8xb2Tqg"]
	assert.Equal(t, "https://example.com/signup", click.URL)
	assert.Equal(t, "desktop", click.ClientInfo.DeviceType)
	assert.Equal(t, "TX", click.Geolocation.Region)

	unsub := byID["W3X4JOhFT-OZidZGKKr9iA"]
	assert.Equal(t, "San Antonio", unsub.Geolocation.City)
	assert.Equal(t, "Chrome", unsub.ClientInfo.ClientName)

	compl := byID["ncV2XwymRUKbPek_MIM-Gw"]
	assert.Equal(t, mailgun.LogLevelWarn, compl.LogLevel)
	assert.Equal(t, "foo@example.org", compl.Recipient)
	assert.Equal(t, int64(18937), compl.Message.Size)

	rej := byID["OMTXD3-sSmKIQa1gSKkYVA"]
	require.NotNil(t, rej.Reject)
	assert.True(t, strings.HasPrefix(rej.Reject.Reason, "Sandbox subdomains are for test purposes only."))
	assert.Empty(t, rej.Reject.Description)
	assert.Empty(t, rej.Recipient)

	stored := byID["WRVmVc47QYi4DHth_xpRUA"]
	assert.Equal(t, []string{"team@example.com"}, stored.Message.Recipients)
	assert.Equal(t, "eyJwIabcd", stored.Storage.Key)
}

func TestEventDecodeListEvents(t *testing.T) {
	p := decodeEventsPage(t, "examples/events/get-v3-domain-events.200-list-events.json")
	require.Len(t, p.Items, 3)

	up := p.Items[0]
	assert.Equal(t, mailgun.EventListMemberUploaded, up.Event)
	assert.Equal(t, "235fsc00607511e9a4sa0a6d3b5f5rt6", up.TaskID)
	assert.Equal(t, &mailgun.EventMailingList{Address: "list@example.com"}, up.MailingList)
	assert.Equal(t, &mailgun.ListMember{Address: "user@example.com", Subscribed: ptr(true)}, up.Member)
	assert.Equal(t, unix(1555439198, 849090000), up.Timestamp)

	bad := p.Items[1]
	assert.Equal(t, mailgun.EventListMemberUploadError, bad.Event)
	assert.Equal(t, "text", bad.Format)
	assert.Equal(t, &mailgun.EventError{Message: "Invalid format"}, bad.Error)
	assert.Equal(t, "mailto:user@example.com,", bad.MemberDescription)
	assert.Equal(t, mailgun.LogLevelError, bad.LogLevel)

	list := p.Items[2]
	assert.Equal(t, mailgun.EventListUploaded, list.Event)
	assert.Equal(t, ptr(true), list.Subscribed)
	assert.Equal(t, ptr(false), list.IsUpsert)
	assert.Equal(t, ptr(int64(75258)), list.UpsertedCount)
	assert.Equal(t, ptr(int64(12)), list.FailedCount)
}

func TestEventDecodeEmptyPage(t *testing.T) {
	p := decodeEventsPage(t, "examples/events/get-v3-domain-events.200-empty-page.json")
	assert.NotNil(t, p.Items)
	assert.Empty(t, p.Items)
	assert.NotEmpty(t, p.Paging.Next, "paging links are present on the empty page too")
}

// checkSingleEvent validates one event document as the item of a page.
func checkSingleEvent(t *testing.T, body []byte) {
	t.Helper()
	page := fmt.Appendf(nil, `{"items": [%s], "paging": {}}`, body)
	require.NoError(t, contracttest.Load(t).CheckExample("GET", "/v3/example.com/events", 200, "application/json", page))
}

func TestEventDecodeDelayedBounce(t *testing.T) {
	body := fixture(t, "examples/events/event-failed-delayed-bounce.json")
	checkSingleEvent(t, body)
	var e mailgun.Event
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Equal(t, mailgun.EventFailed, e.Event)
	assert.Equal(t, mailgun.ReasonGeneric, e.Reason)
	assert.Equal(t, &mailgun.EventFlags{IsDelayedBounce: ptr(true)}, e.Flags)
	require.NotNil(t, e.Envelope, "an empty envelope object is present, not nil")
	assert.Equal(t, mailgun.EventEnvelope{}, *e.Envelope)
	assert.Equal(t, "5.1.1", e.DeliveryStatus.BounceCode)
	assert.Equal(t, 550, e.DeliveryStatus.Code)
	assert.Equal(t, "5.1.1", e.DeliveryStatus.EnhancedCode)
	// 7 decimals: every digit is kept.
	assert.Equal(t, unix(1666214138, 404667600), e.Timestamp)
	assert.Equal(t, "us-east4", e.Storage.Region)
	assert.Equal(t, "Testing delayed bounce", e.Message.Headers.Subject)
}

func TestEventDecodeStringUserVariables(t *testing.T) {
	body := fixture(t, "examples/events/event-failed-permanent-old.json")
	checkSingleEvent(t, body)
	var e mailgun.Event
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Equal(t, mailgun.ReasonOld, e.Reason)
	assert.Equal(t, "pdk1._domainkey.email.example.com", e.PrimaryDKIM)
	assert.Equal(t, 602, e.DeliveryStatus.Code)
	assert.Equal(t, 616, e.DeliveryStatus.LastCode)
	assert.Equal(t, "soft", e.DeliveryStatus.BounceType)
	assert.Equal(t, "unable to connect to MX servers: ...", e.DeliveryStatus.LastMessage)
	assert.Equal(t, 25, e.DeliveryStatus.AttemptNo)
	assert.Equal(t, "https://api.eu.mailgun.net/v3/domains/example.com/messages/AwABB7777", e.Storage.URL)
	assert.Equal(t, `"Could not load user-variables. They were either truncated or invalid JSON"`, string(e.UserVariables))

	var vars map[string]any
	err := e.DecodeUserVariables(&vars)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Could not load user-variables")
	assert.Nil(t, vars)
}

func TestEventDecodeWebhookEventData(t *testing.T) {
	var payload struct {
		EventData mailgun.Event `json:"event-data"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "examples/general/webhook-payload.delivered.json"), &payload))
	e := payload.EventData
	assert.Equal(t, mailgun.EventDelivered, e.Event)
	assert.Equal(t, unix(1529006854, 329574000), e.Timestamp)
	assert.Equal(t, 250, e.DeliveryStatus.Code)
	assert.Equal(t, "john@example.org", e.Recipient)
}

func TestEventDecodeNullsAndUnknowns(t *testing.T) {
	e := decodeEvent(t, `{
		"event": "delivered", "id": "n1", "timestamp": 1700000000.5,
		"flags": {"is-authenticated": null, "is-routed": true, "is-amp": null},
		"envelope": {"mail-from": null, "sender": "a@example.com"},
		"delivery-status": {"tls": null, "code": 250, "description": null},
		"user-variables": null,
		"geolocation": null,
		"brand-new-field": {"nested": [1, 2]}
	}`)
	assert.Equal(t, &mailgun.EventFlags{IsRouted: ptr(true)}, e.Flags)
	assert.Equal(t, &mailgun.EventEnvelope{Sender: "a@example.com"}, e.Envelope)
	assert.Nil(t, e.DeliveryStatus.TLS)
	assert.Nil(t, e.UserVariables, "null user variables read as absent")
	assert.Nil(t, e.Geolocation)
	assert.Contains(t, string(e.Raw), `"brand-new-field"`)
	var m map[string]any
	assert.NoError(t, e.DecodeUserVariables(&m))
	assert.Nil(t, m)
}

func TestEventDecodeUnknownEventName(t *testing.T) {
	body := []byte(`{"items": [
		{"event": "accepted", "id": "a1", "timestamp": 1529692198.641821, "recipient": "x@example.org"},
		{"event": "quantum_entangled", "id": "q1", "timestamp": 1529692199.000001, "log-level": "info",
		 "recipient": "y@example.org", "entanglement": {"partner": "z@example.org"}, "routes": {"id": "r1", "expression": "match_recipient(\".*\")"}},
		{"event": "delivered", "id": "d1", "timestamp": 1529692200}
	], "paging": {"next": "https://api.mailgun.net/v3/example.com/events/abc"}}`)
	var p eventsPage
	require.NoError(t, json.Unmarshal(body, &p))
	require.Len(t, p.Items, 3)
	q := p.Items[1]
	assert.Equal(t, mailgun.EventName("quantum_entangled"), q.Event)
	assert.Equal(t, "q1", q.ID)
	assert.Equal(t, "y@example.org", q.Recipient)
	assert.Equal(t, unix(1529692199, 1000), q.Timestamp)
	assert.Equal(t, []mailgun.EventRoute{{ID: "r1", Expression: `match_recipient(".*")`}}, q.Routes, "a single route object reads as a list of one")
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(q.Raw, &raw))
	assert.JSONEq(t, `{"partner": "z@example.org"}`, string(raw["entanglement"]))
	assert.Equal(t, unix(1529692200, 0), p.Items[2].Timestamp)

	// Encoding keeps what no field models.
	out, err := json.Marshal(q)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"event": "quantum_entangled", "id": "q1", "timestamp": 1529692199.000001, "log-level": "info",
		"recipient": "y@example.org", "entanglement": {"partner": "z@example.org"},
		"routes": [{"id": "r1", "expression": "match_recipient(\".*\")"}]
	}`, string(out))
}

func TestEventTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{`1529692199.626182`, unix(1529692199, 626182000)},
		{`1666214138.4046676`, unix(1666214138, 404667600)},
		{`1529692199`, unix(1529692199, 0)},
		{`1529692199.123456789123`, unix(1529692199, 123456789)},
		{`1.5296921996261821e9`, unix(1529692199, 626182000)},
		{`"1529692199.5"`, unix(1529692199, 500000000)},
		{`-1.25`, unix(-1, -250000000)},
		{`0`, unix(0, 0)},
		{`null`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e := decodeEvent(t, `{"event": "accepted", "id": "x", "timestamp": `+tt.in+`}`)
			assert.Equal(t, tt.want, e.Timestamp)
		})
	}
	// Not JSON: an error.
	for _, bad := range []string{`1.`, `.5`, `--1`, `1529692199x`} {
		t.Run("bad "+bad, func(t *testing.T) {
			var e mailgun.Event
			assert.Error(t, json.Unmarshal([]byte(`{"event": "accepted", "id": "x", "timestamp": `+bad+`}`), &e))
		})
	}
	// JSON but not a time: the timestamp is dropped, the event kept.
	for _, bad := range []string{`"abc"`, `1e999`, `""`, `true`, `{}`, `99999999999999999999`, `"1.5e400"`} {
		t.Run("unreadable "+bad, func(t *testing.T) {
			var e mailgun.Event
			require.NoError(t, json.Unmarshal([]byte(`{"event": "accepted", "id": "x", "timestamp": `+bad+`}`), &e))
			assert.True(t, e.Timestamp.IsZero())
			assert.Equal(t, "x", e.ID)
		})
	}
}

func TestEventTemplateTolerantFields(t *testing.T) {
	e := decodeEvent(t, `{"event": "delivered", "id": "t", "timestamp": 1, "template": {"name": "welcome", "version": 3, "is-text": "true"}}`)
	assert.Equal(t, &mailgun.EventTemplate{Name: "welcome", Version: "3", IsText: ptr(true)}, e.Template)
	e = decodeEvent(t, `{"event": "delivered", "id": "t", "timestamp": 1, "template": {"name": "w", "version": "v2", "is-text": false}}`)
	assert.Equal(t, &mailgun.EventTemplate{Name: "w", Version: "v2", IsText: ptr(false)}, e.Template)
	// An is-text that is not a boolean is dropped; the rest is kept.
	e = decodeEvent(t, `{"event": "delivered", "id": "t", "timestamp": 1, "template": {"name": "w", "is-text": "maybe"}}`)
	assert.Equal(t, &mailgun.EventTemplate{Name: "w"}, e.Template)
}

func TestEventMarshalRoundTrip(t *testing.T) {
	for _, name := range []string{
		"examples/events/get-v3-domain-events.200.json",
		"examples/events/get-v3-domain-events.200-list-events.json",
	} {
		p := decodeEventsPage(t, name)
		for _, e := range p.Items {
			out, err := json.Marshal(e)
			require.NoError(t, err)
			var back mailgun.Event
			require.NoError(t, json.Unmarshal(out, &back))
			back.Raw, e.Raw = nil, nil
			if len(e.UserVariables) > 0 {
				assert.JSONEq(t, string(e.UserVariables), string(back.UserVariables))
				e.UserVariables, back.UserVariables = nil, nil
			}
			if len(e.Tags) == 0 {
				e.Tags, back.Tags = nil, nil
			}
			if len(e.Campaigns) == 0 {
				e.Campaigns, back.Campaigns = nil, nil
			}
			if e.Message != nil && len(e.Message.Attachments) == 0 {
				e.Message.Attachments, back.Message.Attachments = nil, nil
			}
			assert.Equal(t, e, back, "event %s", e.ID)
		}
	}
}

func TestEventMarshalBuiltInCode(t *testing.T) {
	e := mailgun.Event{
		ID: "e1", Event: mailgun.EventFailed, Timestamp: time.Date(2024, 7, 8, 16, 30, 18, 530000000, time.UTC),
		Severity: mailgun.SeverityPermanent, Reason: mailgun.ReasonBounce, Recipient: "bob@example.org",
		Flags:          &mailgun.EventFlags{IsAuthenticated: ptr(false)},
		DeliveryStatus: &mailgun.DeliveryStatus{Code: 550, Message: "no such user"},
	}
	out, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "e1", "event": "failed", "timestamp": 1720456218.530000, "severity": "permanent",
		"reason": "bounce", "recipient": "bob@example.org", "flags": {"is-authenticated": false},
		"delivery-status": {"code": 550, "message": "no such user"}
	}`, string(out))
	assert.Contains(t, string(out), `"timestamp":1720456218.530000`, "six decimals, as Mailgun writes them")
}

// eventPageOf300 builds a realistic 300-event page from the example events.
func eventPageOf300(tb testing.TB) []byte {
	tb.Helper()
	var src struct {
		Items []json.RawMessage `json:"items"`
	}
	require.NoError(tb, json.Unmarshal(fixture(tb, "examples/events/get-v3-domain-events.200.json"), &src))
	var buf bytes.Buffer
	buf.WriteString(`{"items": [`)
	for i := range 300 {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(src.Items[i%len(src.Items)])
	}
	buf.WriteString(`], "paging": {"next": "https://api.mailgun.net/v3/example.com/events/W3siYiI6"}}`)
	return buf.Bytes()
}

func BenchmarkDecodeEventsPage(b *testing.B) {
	body := eventPageOf300(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var p eventsPage
		if err := json.Unmarshal(body, &p); err != nil {
			b.Fatal(err)
		}
		if len(p.Items) != 300 {
			b.Fatalf("decoded %d events", len(p.Items))
		}
	}
}

// FuzzDecodeEvent checks that decoding never panics, and that whatever
// decodes encodes to a document that decodes and encodes to the same bytes.
func FuzzDecodeEvent(f *testing.F) {
	for _, name := range []string{
		"examples/events/get-v3-domain-events.200.json",
		"examples/events/get-v3-domain-events.200-list-events.json",
	} {
		var p struct {
			Items []json.RawMessage `json:"items"`
		}
		require.NoError(f, json.Unmarshal(fixture(f, name), &p))
		for _, item := range p.Items {
			f.Add([]byte(item))
		}
	}
	for _, name := range []string{"event-failed-delayed-bounce.json", "event-failed-permanent-old.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "examples", "events", name))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"event":"x","timestamp":"-0.000000001","routes":{"id":"r"},"template":{"version":1e3,"is-text":"1"}}`))
	f.Add([]byte(`{"timestamp":1e-7,"Tags":["a"],"tags":["b"],"user-variables":"oops"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e mailgun.Event
		if json.Unmarshal(data, &e) != nil {
			return
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("encoding a decoded event: %v", err)
		}
		var back mailgun.Event
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("decoding %s: %v", out, err)
		}
		if !e.Timestamp.Equal(back.Timestamp) {
			t.Fatalf("timestamp %v became %v", e.Timestamp, back.Timestamp)
		}
		again, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("encoding is not stable:\n%s\n%s", out, again)
		}
	})
}

// --- EventsService: the wire ---

const eventsURL = "https://api.mailgun.net/v3/example.com/events"

func TestEventsListWireAllFilters(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodGet, eventsURL, 200, fixture(t, "examples/events/get-v3-domain-events.200-empty-page.json"))
	q := &mailgun.EventsQuery{
		EventFilter: mailgun.EventFilter{
			Event:      mailgun.Or(mailgun.EventFailed, mailgun.EventRejected),
			Recipient:  "bob+tag@example.org",
			Recipients: "team@example.com",
			From:       mailgun.Quote("Alice Smith"),
			To:         "carol@example.org",
			Subject:    `(Hello AND NOT Rachel) OR "Good bye"`,
			MessageID:  "<20180622182958.1.48906CB188F1A454@example.com>",
			Attachment: "invoice.pdf",
			List:       "news@example.com",
			Tags:       mailgun.Not("internal"),
			Size:       mailgun.Between(10000, 20000),
			Severity:   mailgun.SeverityPermanent,
		},
		Begin:     time.Date(2018, 6, 22, 18, 29, 58, 500, time.UTC),
		End:       time.Date(2018, 6, 23, 0, 0, 0, 1, time.UTC),
		Ascending: true,
		Limit:     50,
	}
	page, err := c.Events.ListPage(context.Background(), "example.com", q)
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Empty(t, page.Next, "an empty page ends the walk")

	req := m.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/v3/example.com/events?"+
		"ascending=yes&attachment=invoice.pdf"+
		"&begin=1529692198"+ // floor
		"&end=1529712001"+ // ceil
		"&event=failed+OR+rejected"+
		"&from=%22Alice+Smith%22"+
		"&limit=50"+
		"&list=news%40example.com"+
		"&message-id=20180622182958.1.48906CB188F1A454%40example.com"+
		"&recipient=bob%2Btag%40example.org"+
		"&recipients=team%40example.com"+
		"&severity=permanent"+
		"&size=%3E10000+%3C20000"+
		"&subject=%28Hello+AND+NOT+Rachel%29+OR+%22Good+bye%22"+
		"&tags=NOT+internal"+
		"&to=carol%40example.org", req.RequestURI)
	assert.Equal(t, "application/json", req.Header.Get("Accept"))
	assert.Empty(t, req.Header.Get("Content-Type"))
	assert.Empty(t, req.Body)
}

func TestEventsListWireDirection(t *testing.T) {
	begin := time.Unix(1529692198, 0)
	end := time.Unix(1529712000, 0)
	tests := []struct {
		name string
		q    *mailgun.EventsQuery
		want string
	}{
		{"nil query: newest first", nil, "ascending=no"},
		{"descending range starts at its end", &mailgun.EventsQuery{Begin: begin, End: end}, "ascending=no&begin=1529712000&end=1529692198"},
		{"ascending open range", &mailgun.EventsQuery{Begin: begin, Ascending: true}, "ascending=yes&begin=1529692198"},
		{"descending down to end", &mailgun.EventsQuery{End: end}, "ascending=no&begin=1529712000"},
		{"equal bounds", &mailgun.EventsQuery{Begin: begin, End: begin, Ascending: true}, "ascending=yes&begin=1529692198&end=1529692198"},
		{"bracketed message id", &mailgun.EventsQuery{EventFilter: mailgun.EventFilter{MessageID: " <a@b> "}}, "ascending=no&message-id=a%40b"},
		{"blank filters are not sent", &mailgun.EventsQuery{EventFilter: mailgun.EventFilter{Recipient: "  "}, Limit: 300}, "ascending=no&limit=300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, eventsURL, 200, []byte(`{"items": [], "paging": {}}`))
			for _, err := range c.Events.List(context.Background(), "example.com", tt.q) {
				require.NoError(t, err)
			}
			assert.Equal(t, "/v3/example.com/events?"+tt.want, m.only(t).RequestURI)
		})
	}
}

func TestEventsListDescendingFromBeginStartsNow(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodGet, eventsURL, 200, []byte(`{"items": [], "paging": {}}`))
	before := time.Now().Unix()
	_, err := c.Events.ListPage(context.Background(), "example.com", &mailgun.EventsQuery{Begin: time.Unix(1529692198, 0)})
	require.NoError(t, err)
	after := time.Now().Unix() + 1
	u, err := url.Parse(m.only(t).RequestURI)
	require.NoError(t, err)
	assert.Equal(t, "1529692198", u.Query().Get("end"))
	b, err := strconv.ParseInt(u.Query().Get("begin"), 10, 64)
	require.NoError(t, err)
	assert.True(t, b >= before && b <= after, "begin %d is the current time", b)
}

func TestEventsListFollowsNextLink(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodGet, eventsURL, 200, fixture(t, "examples/events/get-v3-domain-events.200.json"))
	const token = "W3siYiI6ICIyMDE4LTA2LTIyVDIzOjU5OjE4LjAwMDAwMCswMDowMCIsICJhIjogdHJ1ZX1d"
	m.respond(http.MethodGet, eventsURL+"/"+token, 200, fixture(t, "examples/events/get-v3-domain-events.200-empty-page.json"))

	var ids []string
	for e, err := range c.Events.List(context.Background(), "example.com", &mailgun.EventsQuery{Ascending: true}) {
		require.NoError(t, err)
		ids = append(ids, e.ID)
	}
	assert.Len(t, ids, 10)
	sent := m.sent()
	require.Len(t, sent, 2)
	assert.Equal(t, "/v3/example.com/events?ascending=yes", sent[0].RequestURI)
	assert.Equal(t, "/v3/example.com/events/"+token, sent[1].RequestURI, "the next link is followed verbatim, without added parameters")
}

func TestEventsListPageCursor(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodGet, eventsURL, 200, fixture(t, "examples/events/get-v3-domain-events.200.json"))
	page, err := c.Events.ListPage(context.Background(), "example.com", &mailgun.EventsQuery{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Items, 10)
	const token = "W3siYiI6ICIyMDE4LTA2LTIyVDIzOjU5OjE4LjAwMDAwMCswMDowMCIsICJhIjogdHJ1ZX1d"
	assert.Equal(t, "/v3/example.com/events/"+token, page.Next)

	// Resuming: the cursor replaces the query; other fields are ignored.
	m.respond(http.MethodGet, eventsURL+"/"+token, 200, fixture(t, "examples/events/get-v3-domain-events.200-list-events.json"))
	next, err := c.Events.ListPage(context.Background(), "example.com", &mailgun.EventsQuery{Cursor: page.Next, Limit: 5, Ascending: true})
	require.NoError(t, err)
	assert.Len(t, next.Items, 3)
	assert.Equal(t, "/v3/example.com/events/"+token, m.sent()[1].RequestURI)

	// A cursor of another domain or list is rejected before sending.
	for _, bad := range []string{"/v3/other.com/events/" + token, "/v3/example.com/bounces?page=next", "https://evil.example/v3/example.com/events/x", "events/x"} {
		_, err := c.Events.ListPage(context.Background(), "example.com", &mailgun.EventsQuery{Cursor: bad})
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, bad)
	}
	assert.Len(t, m.sent(), 2)
}

func TestEventsNextLinkToAnotherHostStaysOnBaseURL(t *testing.T) {
	c, m := newMockClient(t)
	body := bytes.Replace(fixture(t, "examples/events/get-v3-domain-events.200.json"),
		[]byte(`"next": "https://api.mailgun.net/v3/example.com/events/`), []byte(`"next": "https://evil.example/v3/example.com/events/`), 1)
	m.respond(http.MethodGet, eventsURL, 200, body)
	m.respond(http.MethodGet, eventsURL+"/W3siYiI6ICIyMDE4LTA2LTIyVDIzOjU5OjE4LjAwMDAwMCswMDowMCIsICJhIjogdHJ1ZX1d", 200, []byte(`{"items": [], "paging": {}}`))
	n := 0
	for _, err := range c.Events.List(context.Background(), "example.com", nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 10, n)
	assert.Len(t, m.sent(), 2, "the second page was requested from api.mailgun.net (httpmock has no responder for evil.example)")
}

func TestEventsBadInput(t *testing.T) {
	ctx := context.Background()
	t0 := time.Unix(1529692198, 0)
	tests := []struct {
		name   string
		domain string
		q      *mailgun.EventsQuery
	}{
		{"empty domain", "", nil},
		{"blank domain", "  ", nil},
		{"limit too large", "example.com", &mailgun.EventsQuery{Limit: 301}},
		{"negative limit", "example.com", &mailgun.EventsQuery{Limit: -1}},
		{"end before begin", "example.com", &mailgun.EventsQuery{Begin: t0, End: t0.Add(-time.Second)}},
		{"end before begin ascending", "example.com", &mailgun.EventsQuery{Begin: t0, End: t0.Add(-time.Nanosecond), Ascending: true}},
		{"foreign cursor", "example.com", &mailgun.EventsQuery{Cursor: "/v3/other.com/events/abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newMockClient(t)
			_, err := c.Events.ListPage(ctx, tt.domain, tt.q)
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			assertFailsOnce(t, c.Events.List(ctx, tt.domain, tt.q), mailgun.ErrInvalidArgument)
			var opts *mailgun.PollOptions
			if tt.q != nil {
				opts = &mailgun.PollOptions{EventFilter: tt.q.EventFilter, Limit: tt.q.Limit}
			}
			if tt.name != "end before begin" && tt.name != "end before begin ascending" && tt.name != "foreign cursor" {
				for _, err := range c.Events.Poll(ctx, tt.domain, opts) {
					assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
				}
			}
			assert.Empty(t, m.sent())
		})
	}
	c, m := newMockClient(t)
	for _, opts := range []*mailgun.PollOptions{{Threshold: -1}, {Interval: -time.Second}, {Limit: 301}} {
		assertFailsOnce(t, c.Events.Poll(ctx, "example.com", opts), mailgun.ErrInvalidArgument)
	}
	assert.Empty(t, m.sent())
}

func TestEventsTruncatedBody(t *testing.T) {
	c, m := newMockClient(t)
	body := fixture(t, "examples/events/get-v3-domain-events.200.json")
	m.respond(http.MethodGet, eventsURL, 200, body[:len(body)/2])
	_, err := c.Events.ListPage(context.Background(), "example.com", nil)
	assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
}

func TestEventsAPIError(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodGet, eventsURL, 400, []byte(`{"message": "limit must be at most 300"}`))
	var got []error
	for _, err := range c.Events.List(context.Background(), "example.com", nil) {
		got = append(got, err)
	}
	require.Len(t, got, 1)
	assert.ErrorIs(t, got[0], mailgun.ErrBadRequest)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, got[0], &apiErr)
	assert.Equal(t, "limit must be at most 300", apiErr.Message)
}

func TestFilterHelpers(t *testing.T) {
	assert.Equal(t, "bob", mailgun.Quote("bob"))
	assert.Equal(t, "bob@example.com", mailgun.Quote("bob@example.com"))
	assert.Equal(t, `"Bob Smith"`, mailgun.Quote("Bob Smith"))
	assert.Equal(t, `"OR"`, mailgun.Quote("OR"))
	assert.Equal(t, `"a(b)"`, mailgun.Quote("a(b)"))
	assert.Equal(t, `">5"`, mailgun.Quote(">5"))
	assert.Equal(t, `""`, mailgun.Quote(""))
	assert.Equal(t, `"say  hi "`, mailgun.Quote(`say "hi"`))
	assert.Equal(t, mailgun.EventName("failed OR rejected"), mailgun.Or(mailgun.EventFailed, mailgun.EventRejected))
	assert.Equal(t, `a OR "b c"`, mailgun.Or("a", "b c"))
	assert.Equal(t, "", mailgun.Or[string]())
	assert.Equal(t, "NOT internal", mailgun.Not("internal"))
	assert.Equal(t, `NOT "two words"`, mailgun.Not("two words"))
	assert.Equal(t, ">10000", mailgun.GreaterThan(10000))
	assert.Equal(t, "<20000", mailgun.LessThan(20000))
	assert.Equal(t, ">1 <2", mailgun.Between(1, 2))
}

// --- EventsService against mailguntest ---

// seedEvents adds a varied set of events to domain, one minute apart from t0.
func seedEvents(srv *mailguntest.Server, domain string, t0 time.Time) []mailgun.Event {
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	msg := func(subject string, size int64, attachments ...string) *mailgun.EventMessage {
		m := &mailgun.EventMessage{Headers: mailgun.MessageHeaders{To: "x@example.org", From: "Sender <sender@" + domain + ">", Subject: subject}, Size: size}
		for _, a := range attachments {
			m.Attachments = append(m.Attachments, mailgun.EventAttachment{Filename: a, ContentType: "application/pdf", Size: 100})
		}
		return m
	}
	return srv.AddEvents(domain,
		mailgun.Event{Event: mailgun.EventAccepted, Timestamp: at(0), Recipient: "alice@example.org", Tags: []string{"welcome"}, Message: msg("Welcome aboard", 500), Flags: &mailgun.EventFlags{IsAuthenticated: ptr(true)}},
		mailgun.Event{Event: mailgun.EventDelivered, Timestamp: at(1), Recipient: "alice@example.org", Tags: []string{"welcome"}, Message: msg("Welcome aboard", 500), Envelope: &mailgun.EventEnvelope{Transport: "smtp"}},
		mailgun.Event{Event: mailgun.EventAccepted, Timestamp: at(2), Recipient: "bob@example.net", Tags: []string{"internal", "invoice"}, Message: msg("Your invoice", 15000, "invoice.pdf")},
		mailgun.Event{Event: mailgun.EventFailed, Timestamp: at(3), Recipient: "bob@example.net", Severity: mailgun.SeverityPermanent, Reason: mailgun.ReasonBounce, Tags: []string{"internal", "invoice"}, Message: msg("Your invoice", 15000, "invoice.pdf")},
		mailgun.Event{Event: mailgun.EventRejected, Timestamp: at(4), Reject: &mailgun.EventReject{Reason: "sandbox"}, Message: msg("Hello world", 800)},
		mailgun.Event{Event: mailgun.EventOpened, Timestamp: at(5), Recipient: "alice@example.org", Tags: []string{"welcome"}, Geolocation: &mailgun.Geolocation{Country: "US"}, ClientInfo: &mailgun.ClientInfo{DeviceType: "mobile"}},
		mailgun.Event{Event: mailgun.EventFailed, Timestamp: at(6), Recipient: "carol@example.com", Severity: mailgun.SeverityTemporary, Reason: mailgun.ReasonGeneric, Message: msg("Big file", 25000, "a.zip")},
	)
}

func collectIDs(t *testing.T, seq func(yield func(mailgun.Event, error) bool)) []string {
	t.Helper()
	var ids []string
	for e, err := range seq {
		require.NoError(t, err)
		ids = append(ids, e.ID)
	}
	return ids
}

func TestEventsAgainstFake(t *testing.T) {
	srv, c := newFake(t)
	t0 := time.Date(2024, 7, 8, 12, 0, 0, 0, time.UTC)
	ev := seedEvents(srv, "example.com", t0)
	srv.AddEvents("other.com", mailgun.Event{Event: mailgun.EventDelivered, Timestamp: t0, Recipient: "z@example.org"})
	ids := func(idx ...int) []string {
		out := make([]string, len(idx))
		for i, j := range idx {
			out[i] = ev[j].ID
		}
		return out
	}
	ctx := context.Background()
	list := func(q *mailgun.EventsQuery) []string { return collectIDs(t, c.Events.List(ctx, "example.com", q)) }

	assert.Equal(t, ids(6, 5, 4, 3, 2, 1, 0), list(nil), "newest first by default")
	assert.Equal(t, ids(0, 1, 2, 3, 4, 5, 6), list(&mailgun.EventsQuery{Ascending: true, Limit: 2}), "ascending, walked two at a time")
	assert.Equal(t, ids(1, 2, 3), list(&mailgun.EventsQuery{Ascending: true, Begin: t0.Add(time.Minute), End: t0.Add(3 * time.Minute)}))
	assert.Equal(t, ids(3, 2, 1), list(&mailgun.EventsQuery{Begin: t0.Add(time.Minute), End: t0.Add(3 * time.Minute), Limit: 1}))

	f := func(ef mailgun.EventFilter) []string {
		return list(&mailgun.EventsQuery{EventFilter: ef, Ascending: true})
	}
	assert.Equal(t, ids(3, 4, 6), f(mailgun.EventFilter{Event: mailgun.Or(mailgun.EventFailed, mailgun.EventRejected)}))
	assert.Equal(t, ids(3), f(mailgun.EventFilter{Event: mailgun.EventFailed, Severity: mailgun.SeverityPermanent}))
	assert.Equal(t, ids(0, 1, 4, 5, 6), f(mailgun.EventFilter{Tags: mailgun.Not("internal")}))
	assert.Equal(t, ids(2, 3), f(mailgun.EventFilter{Size: mailgun.Between(10000, 20000)}))
	assert.Equal(t, ids(2, 3, 6), f(mailgun.EventFilter{Size: mailgun.GreaterThan(10000)}))
	assert.Equal(t, ids(4), f(mailgun.EventFilter{Subject: mailgun.Quote("Hello world")}))
	assert.Equal(t, ids(0, 1, 5), f(mailgun.EventFilter{Recipient: "alice@example.org"}))
	assert.Equal(t, ids(2, 3), f(mailgun.EventFilter{Attachment: "invoice.pdf"}))
	assert.Equal(t, ids(2, 3), f(mailgun.EventFilter{Recipient: "bob", Event: mailgun.Not(mailgun.EventDelivered)}))
	assert.Equal(t, ids(1), f(mailgun.EventFilter{MessageID: "<" + ev[1].Message.Headers.MessageID + ">"}))
	assert.Empty(t, f(mailgun.EventFilter{Subject: "(nothing AND matches)"}))

	// ListPage hands out a cursor that resumes the walk.
	first, err := c.Events.ListPage(ctx, "example.com", &mailgun.EventsQuery{Ascending: true, Limit: 3})
	require.NoError(t, err)
	require.Len(t, first.Items, 3)
	require.True(t, strings.HasPrefix(first.Next, "/v3/example.com/events/"), first.Next)
	second, err := c.Events.ListPage(ctx, "example.com", &mailgun.EventsQuery{Cursor: first.Next})
	require.NoError(t, err)
	assert.Equal(t, ids(3, 4, 5), []string{second.Items[0].ID, second.Items[1].ID, second.Items[2].ID})

	// A malformed filter is the server's 400 (which the contract does not
	// declare, hence a client without response validation).
	_, err = srv.Client().Events.ListPage(ctx, "example.com", &mailgun.EventsQuery{EventFilter: mailgun.EventFilter{Subject: `"unterminated`}})
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)
}

func TestEventsFakeServesSeededFieldsExactly(t *testing.T) {
	srv, c := newFake(t)
	var src eventsPage
	require.NoError(t, json.Unmarshal(fixture(t, "examples/events/get-v3-domain-events.200.json"), &src))
	srv.AddEvents("example.com", src.Items...)
	page, err := c.Events.ListPage(context.Background(), "example.com", &mailgun.EventsQuery{Ascending: true, Limit: 300})
	require.NoError(t, err)
	require.Len(t, page.Items, len(src.Items))
	for i, got := range page.Items {
		want := src.Items[i]
		want.Raw, got.Raw = nil, nil
		require.JSONEq(t, string(want.UserVariables), string(got.UserVariables))
		want.UserVariables, got.UserVariables = nil, nil
		assert.Equal(t, want.ID, got.ID)
		assert.Equal(t, want.Timestamp, got.Timestamp)
		assert.Equal(t, want.Envelope, got.Envelope)
		assert.Equal(t, want.DeliveryStatus, got.DeliveryStatus)
		assert.Equal(t, want.Flags, got.Flags)
		assert.Equal(t, want.ClientInfo, got.ClientInfo)
	}
}

// --- Poll ---

// fakeClock is a PollClock whose Sleep moves time forward at once and
// then runs a hook, so that tests can make events arrive while Poll waits.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	onWake func(now time.Time)
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	if c.onWake != nil {
		c.onWake(now)
	}
	return ctx.Err()
}

func TestPollDeliversLateEventsExactlyOnce(t *testing.T) {
	t0 := time.Date(2024, 7, 8, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: t0}
	srv, c := newFake(t, mailguntest.WithClock(clock.Now))
	const domain = "example.com"
	ev := func(id string, at time.Duration) mailgun.Event {
		return mailgun.Event{ID: id, Event: mailgun.EventDelivered, Timestamp: t0.Add(at), Recipient: id + "@example.org"}
	}
	srv.AddEvents(domain, ev("e1", -9*time.Minute), ev("e2", -8*time.Minute), ev("e3", -7*time.Minute))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wakes := 0
	clock.onWake = func(now time.Time) {
		wakes++
		switch now.Sub(t0) {
		case 30 * time.Second:
			// Stored late, after the poller reached the end: one within
			// the threshold of its time, one brand new, and a duplicate
			// of e3 (same id and time) that sorts after it.
			srv.AddEvents(domain, ev("late1", -4*time.Minute), ev("e4", 0), ev("e3", -7*time.Minute))
		case 2 * time.Minute:
			// Stored 3 minutes late, between late1 and e4, while the page
			// holding e4 is not settled yet.
			srv.AddEvents(domain, ev("late2", -time.Minute))
		case 12 * time.Minute:
			cancel()
		}
	}

	const threshold = 5 * time.Minute
	var got []string
	for e, err := range c.Events.Poll(ctx, domain, &mailgun.PollOptions{
		Begin: t0.Add(-10 * time.Minute), Threshold: threshold, Interval: 30 * time.Second, Limit: 2, Clock: clock,
	}) {
		require.NoError(t, err)
		got = append(got, e.ID)
		assert.GreaterOrEqual(t, clock.Now().Sub(e.Timestamp), threshold, "%s was delivered before it settled", e.ID)
	}
	assert.Equal(t, []string{"e1", "e2", "e3", "late1", "late2", "e4"}, got, "each event once, in time order")
	assert.Equal(t, 24, wakes, "Poll ends when the context ends")

	// Every request walked the range by link; none re-sent a query.
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	assert.Equal(t, "/v3/example.com/events", reqs[0].Path)
	assert.Equal(t, "yes", reqs[0].Query.Get("ascending"))
	assert.Equal(t, strconv.FormatInt(t0.Add(-10*time.Minute).Unix(), 10), reqs[0].Query.Get("begin"))
	assert.Equal(t, "2", reqs[0].Query.Get("limit"))
	for _, r := range reqs[1:] {
		assert.True(t, strings.HasPrefix(r.Path, "/v3/example.com/events/"), r.Path)
		assert.Empty(t, r.RawQuery)
	}
}

func TestPollDefaultsAndFilters(t *testing.T) {
	t0 := time.Date(2024, 7, 8, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: t0}
	srv, c := newFake(t, mailguntest.WithClock(clock.Now))
	srv.AddEvents("example.com",
		mailgun.Event{ID: "old", Event: mailgun.EventFailed, Timestamp: t0.Add(-time.Hour)},
		mailgun.Event{ID: "f1", Event: mailgun.EventFailed, Timestamp: t0.Add(-20 * time.Minute), Severity: mailgun.SeverityPermanent},
		mailgun.Event{ID: "d1", Event: mailgun.EventDelivered, Timestamp: t0.Add(-19 * time.Minute)},
		mailgun.Event{ID: "f2", Event: mailgun.EventFailed, Timestamp: t0.Add(-10 * time.Minute), Severity: mailgun.SeverityTemporary},
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock.onWake = func(now time.Time) {
		if now.Sub(t0) >= 25*time.Minute {
			cancel()
		}
	}
	var got []string
	for e, err := range c.Events.Poll(ctx, "example.com", &mailgun.PollOptions{EventFilter: mailgun.EventFilter{Event: "failed"}, Clock: clock}) {
		require.NoError(t, err)
		got = append(got, e.ID)
	}
	// Begin defaults to Threshold (30 min) ago, so "old" is not read.
	assert.Equal(t, []string{"f1", "f2"}, got)
	first := srv.Requests()[0]
	assert.Equal(t, strconv.FormatInt(t0.Add(-30*time.Minute).Unix(), 10), first.Query.Get("begin"))
	assert.Equal(t, "300", first.Query.Get("limit"))
	assert.Equal(t, "failed", first.Query.Get("event"))
}

func TestPollRetriesAfterErrors(t *testing.T) {
	t0 := time.Date(2024, 7, 8, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: t0}
	srv, c := newFake(t, mailguntest.WithClock(clock.Now))
	srv.AddEvents("example.com", mailgun.Event{ID: "a", Event: mailgun.EventAccepted, Timestamp: t0.Add(-time.Hour)})
	// Four failures outlast the client's three retries once.
	srv.Fail(http.MethodGet, "/v3/example.com/events", mailguntest.Fault{Status: http.StatusServiceUnavailable}, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock.onWake = func(now time.Time) {
		if now.Sub(t0) > time.Minute {
			cancel()
		}
	}
	var errs []error
	var ids []string
	for e, err := range c.Events.Poll(ctx, "example.com", &mailgun.PollOptions{Begin: t0.Add(-2 * time.Hour), Clock: clock}) {
		if err != nil {
			errs = append(errs, err)
			continue // keep polling
		}
		ids = append(ids, e.ID)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], mailgun.ErrServer)
	assert.Equal(t, []string{"a"}, ids)

	// Breaking out of the loop on an error ends Poll.
	srv.Fail(http.MethodGet, "/v3/example.com/events", mailguntest.Fault{Status: http.StatusServiceUnavailable}, -1)
	n := 0
	for _, err := range c.Events.Poll(context.Background(), "example.com", &mailgun.PollOptions{Clock: &fakeClock{now: t0}}) {
		n++
		if err != nil {
			break
		}
	}
	assert.Equal(t, 1, n)
}

func TestPollStopsWhenContextIsCancelledDuringARequest(t *testing.T) {
	srv, c := newFake(t)
	srv.Fail(http.MethodGet, "/v3/example.com/events", mailguntest.Fault{Delay: time.Minute}, -1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	var errs []error
	for _, err := range c.Events.Poll(ctx, "example.com", nil) {
		errs = append(errs, err)
	}
	assert.Empty(t, errs, "a cancelled context ends Poll without an error")
}

func TestFakeLogsBouncesAddedThroughTheAPI(t *testing.T) {
	srv, c := newFake(t)
	ctx := context.Background()
	require.NoError(t, c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{Address: "gone@example.org", Code: "550", Error: "No such mailbox"}))
	srv.AddBounces("example.com", mailgun.Bounce{Address: "seeded@example.org"}) // seeding logs nothing

	var got []mailgun.Event
	for e, err := range c.Events.List(ctx, "example.com", &mailgun.EventsQuery{EventFilter: mailgun.EventFilter{Event: "failed"}}) {
		require.NoError(t, err)
		got = append(got, e)
	}
	require.Len(t, got, 1)
	assert.Equal(t, "gone@example.org", got[0].Recipient)
	assert.Equal(t, mailgun.SeverityPermanent, got[0].Severity)
	assert.Equal(t, mailgun.ReasonBounce, got[0].Reason)
	require.NotNil(t, got[0].DeliveryStatus)
	assert.Equal(t, 550, got[0].DeliveryStatus.Code)
	assert.Equal(t, "No such mailbox", got[0].DeliveryStatus.Message)
}

// --- links, Poll anomalies, NoThreshold (issue 10, items 9, 10, 13) ---

// TestEventsListAndListPageAgreeOnLinks: a next link is followed by List
// exactly when ListPage accepts it back as a cursor: links of the events
// of the domain walked, on any host, rebased on the base URL.
func TestEventsListAndListPageAgreeOnLinks(t *testing.T) {
	const token = "W3siYiI6ICIyMDE4LTA2LTIyVDIzOjU5OjE4LjAwMDAwMCswMDowMCIsICJhIjogdHJ1ZX1d"
	for _, c := range []struct {
		link string
		ok   bool
	}{
		{"https://api.mailgun.net/v3/example.com/events/" + token, true},
		{"https://evil.example/v3/example.com/events/" + token, true},
		{"https://api.mailgun.net/v3/EXAMPLE.com/events/" + token, true},
		{"https://api.mailgun.net/v3/other.com/events/" + token, false},
		{"https://api.mailgun.net/v3/example.com/bounces?page=next", false},
		{"https://api.mailgun.net/v1/example.com/events/" + token, false},
		{"https://api.mailgun.net/v3/example.com.evil/events/" + token, false},
		{"https://api.mailgun.net/v3/example.com/eventsx/" + token, false},
	} {
		t.Run(c.link, func(t *testing.T) {
			body := bytes.Replace(fixture(t, "examples/events/get-v3-domain-events.200.json"),
				[]byte(`"next": "https://api.mailgun.net/v3/example.com/events/`+token+`"`), []byte(`"next": "`+c.link+`"`), 1)
			require.Contains(t, string(body), c.link)
			c1, m1 := newMockClient(t)
			m1.respond(http.MethodGet, eventsURL, 200, body)
			m1.respond(http.MethodGet, eventsURL+"/"+token, 200, fixture(t, "examples/events/get-v3-domain-events.200-empty-page.json"))
			m1.respond(http.MethodGet, strings.Replace(eventsURL, "example.com", "EXAMPLE.com", 1)+"/"+token, 200,
				fixture(t, "examples/events/get-v3-domain-events.200-empty-page.json"))
			n := 0
			var listErr error
			for _, err := range c1.Events.List(context.Background(), "example.com", nil) {
				if err != nil {
					listErr = err
					break
				}
				n++
			}

			c2, m2 := newMockClient(t)
			m2.respond(http.MethodGet, eventsURL, 200, body)
			m2.respond(http.MethodGet, eventsURL+"/"+token, 200, fixture(t, "examples/events/get-v3-domain-events.200-empty-page.json"))
			m2.respond(http.MethodGet, strings.Replace(eventsURL, "example.com", "EXAMPLE.com", 1)+"/"+token, 200,
				fixture(t, "examples/events/get-v3-domain-events.200-empty-page.json"))
			page, pageErr := c2.Events.ListPage(context.Background(), "example.com", nil)
			if !c.ok {
				assert.ErrorIs(t, listErr, mailgun.ErrInvalidResponse)
				assert.Zero(t, n, "a page whose link leads elsewhere is refused whole")
				assert.Len(t, m1.sent(), 1, "the link is not followed")
				assert.ErrorIs(t, pageErr, mailgun.ErrInvalidResponse)
				return
			}
			require.NoError(t, listErr)
			assert.Equal(t, 10, n)
			sent := m1.sent()
			require.Len(t, sent, 2)
			assert.Equal(t, "/v3/example.com/events/"+token, strings.Replace(sent[1].RequestURI, "EXAMPLE.com", "example.com", 1))
			require.NoError(t, pageErr)
			_, err := c2.Events.ListPage(context.Background(), "example.com", &mailgun.EventsQuery{Cursor: page.Next})
			assert.NoError(t, err, "ListPage takes back the cursor List followed")
		})
	}
}

func TestEventsPageWithoutPagingIsAnError(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodGet, eventsURL, 200, []byte(`{"items":[{"id":"a","event":"accepted","timestamp":1}]}`))
	_, err := c.Events.ListPage(context.Background(), "example.com", nil)
	assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
	for _, err := range c.Events.List(context.Background(), "example.com", nil) {
		assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
	}
}

// pollPages answers the events of example.com from a list of bodies, one
// per request (the last one again once they run out), recording the paths.
func pollPages(t *testing.T, bodies ...string) (*mailgun.Client, func() []string) {
	t.Helper()
	c, m := newMockClient(t)
	var mu sync.Mutex
	n := 0
	answer := func(r *http.Request) (*http.Response, error) {
		m.record(r)
		mu.Lock()
		defer mu.Unlock()
		b := bodies[min(n, len(bodies)-1)]
		n++
		return httpmock.NewStringResponse(200, b), nil
	}
	m.RegisterRegexpResponder(http.MethodGet, regexp.MustCompile(`^https://api\.mailgun\.net/v3/example\.com/events`), answer)
	return c, func() []string {
		var paths []string
		for _, r := range m.sent() {
			paths = append(paths, r.RequestURI)
		}
		return paths
	}
}

// TestPollAsksAgainForAPageWithoutNextLink: a page without a next link is
// asked for again after Interval, its events are not yielded twice, and an
// error comes only when the page still has no link; the loop may go on.
func TestPollAsksAgainForAPageWithoutNextLink(t *testing.T) {
	t0 := time.Date(2024, 7, 8, 12, 0, 0, 0, time.UTC)
	old := strconv.FormatInt(t0.Add(-time.Hour).Unix(), 10)
	page := func(ids, paging string) string {
		var items []string
		for _, id := range strings.Split(ids, ",") {
			items = append(items, `{"id":"`+id+`","event":"accepted","timestamp":`+old+`}`)
		}
		return `{"items":[` + strings.Join(items, ",") + `],` + paging + `}`
	}
	const next = `"paging":{"next":"https://api.mailgun.net/v3/example.com/events/P2"}`

	for _, c := range []struct {
		name   string
		bodies []string
		errs   int
	}{
		{"paging without next, once", []string{page("a,b", `"paging":{}`), page("a,b,c", next), `{"items":[],"paging":{}}`}, 0},
		{"no paging, once", []string{page("a,b", `"x":1`), page("a,b,c", next), `{"items":[],"paging":{}}`}, 0},
		{"next null, twice", []string{page("a", `"paging":{"next":null}`), page("a,b", `"paging":{}`), page("a,b,c", next), `{"items":[],"paging":{}}`}, 1},
		{"three times", []string{page("a", `"paging":{}`), page("a", `"paging":{}`), page("a", `"paging":{}`), page("a,b,c", next), `{"items":[],"paging":{}}`}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			client, paths := pollPages(t, c.bodies...)
			clock := &fakeClock{now: t0}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			clock.onWake = func(now time.Time) {
				if now.Sub(t0) > 10*time.Minute {
					cancel()
				}
			}
			var ids []string
			var errs []error
			for e, err := range client.Events.Poll(ctx, "example.com", &mailgun.PollOptions{Begin: t0.Add(-2 * time.Hour), Interval: time.Minute, Clock: clock}) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				ids = append(ids, e.ID)
			}
			assert.Equal(t, []string{"a", "b", "c"}, ids, "each event once; Poll went on past the anomaly")
			require.Len(t, errs, c.errs)
			for _, err := range errs {
				assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
			}
			sent := paths()
			first := sent[0]
			for i := range len(c.bodies) - 2 {
				assert.Equal(t, first, sent[i+1], "the same page is asked for again")
			}
			assert.Equal(t, "/v3/example.com/events/P2", sent[len(c.bodies)-1])
		})
	}

	// Breaking out on the error ends Poll.
	client, _ := pollPages(t, page("a", `"paging":{}`))
	var got []error
	for _, err := range client.Events.Poll(context.Background(), "example.com", &mailgun.PollOptions{Begin: t0.Add(-2 * time.Hour), Clock: &fakeClock{now: t0}}) {
		if err != nil {
			got = append(got, err)
			break
		}
	}
	require.Len(t, got, 1)
	assert.ErrorIs(t, got[0], mailgun.ErrInvalidResponse)
}

// TestPollNoThreshold: with NoThreshold a page is accepted as soon as it
// is read, however recent its events, and Begin defaults to now.
func TestPollNoThreshold(t *testing.T) {
	t0 := time.Date(2024, 7, 8, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: t0}
	srv, c := newFake(t, mailguntest.WithClock(clock.Now))
	srv.AddEvents("example.com",
		mailgun.Event{ID: "a", Event: mailgun.EventAccepted, Timestamp: t0.Add(-2 * time.Second)},
		mailgun.Event{ID: "b", Event: mailgun.EventDelivered, Timestamp: t0.Add(-time.Second)},
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	var at []time.Time
	clock.onWake = func(now time.Time) {
		if now.Sub(t0) >= time.Minute {
			cancel()
		}
	}
	for e, err := range c.Events.Poll(ctx, "example.com", &mailgun.PollOptions{Begin: t0.Add(-time.Minute), NoThreshold: true, Clock: clock}) {
		require.NoError(t, err)
		got = append(got, e.ID)
		at = append(at, clock.Now())
	}
	assert.Equal(t, []string{"a", "b"}, got)
	assert.Equal(t, []time.Time{t0, t0}, at, "delivered at once, without waiting for a threshold")

	// Begin defaults to the current time; a threshold with NoThreshold
	// is refused before sending.
	srv.AddEvents("example.com", mailgun.Event{ID: "c", Event: mailgun.EventAccepted, Timestamp: t0})
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	n := len(srv.Requests())
	clock.onWake = func(time.Time) { cancel() }
	for _, err := range c.Events.Poll(ctx, "example.com", &mailgun.PollOptions{NoThreshold: true, Clock: clock}) {
		require.NoError(t, err)
	}
	assert.Equal(t, strconv.FormatInt(clock.Now().Add(-15*time.Second).Unix(), 10), srv.Requests()[n].Query.Get("begin"))
	n = len(srv.Requests())
	for _, err := range c.Events.Poll(context.Background(), "example.com", &mailgun.PollOptions{NoThreshold: true, Threshold: time.Minute}) {
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
	}
	assert.Len(t, srv.Requests(), n)
}

// TestEventFilterEventIsTyped: EventFilter.Event takes an EventName, and Or
// and Not keep their argument's type.
func TestEventFilterEventIsTyped(t *testing.T) {
	f := mailgun.EventFilter{Event: mailgun.EventFailed}
	f.Event = mailgun.Or(mailgun.EventFailed, mailgun.EventRejected)
	assert.Equal(t, mailgun.EventName("failed OR rejected"), f.Event)
	f.Event = mailgun.Not(mailgun.EventDelivered)
	assert.Equal(t, mailgun.EventName("NOT delivered"), f.Event)
	var tags string = mailgun.Or("a", "b")
	assert.Equal(t, "a OR b", tags)
}

// TestWebhookHandlerKeepsAnEventWithAMistypedField: event-data follows the
// events list rule, so a webhook whose event has a field of an unexpected
// type is handled (the field left zero) instead of answered 400 forever.
func TestWebhookHandlerKeepsAnEventWithAMistypedField(t *testing.T) {
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	const key = "key-handler-test"
	body := signedBody(t, key, now, `{"event":"delivered","id":"abc","timestamp":"yesterday","template":{"name":"t","is-text":"yes"}}`)
	var got *mailgun.WebhookEvent
	h := mailgun.WebhookHandler(key, func(_ context.Context, ev *mailgun.WebhookEvent) error {
		got = ev
		return nil
	}, mailgun.WithVerifyOptions(at(now)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", bytes.NewReader(body)))
	assert.Equal(t, http.StatusOK, rec.Code)
	require.NotNil(t, got)
	assert.Equal(t, "abc", got.EventData.ID)
	assert.True(t, got.EventData.Timestamp.IsZero())
	assert.Equal(t, &mailgun.EventTemplate{Name: "t"}, got.EventData.Template)
}
