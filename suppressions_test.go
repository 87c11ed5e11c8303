package mailgun_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// The shared behaviour of the suppression lists (paging, cursors, batches,
// imports, escaping, decoding tolerance) is tested once for all of them,
// through suppressionAPI: one list driven by key (an address, or an
// allowlist value) through its typed service.

// listService is the part of the typed services every list has.
type listService[T any] interface {
	List(ctx context.Context, domain string, opts *mailgun.ListOptions) iter.Seq2[T, error]
	ListPage(ctx context.Context, domain string, opts *mailgun.ListOptions) (*mailgun.Page[T], error)
	Get(ctx context.Context, domain, key string) (*T, error)
	Import(ctx context.Context, domain string, csv io.Reader) error
	Delete(ctx context.Context, domain, key string) error
	DeleteAll(ctx context.Context, domain string) error
}

// batchService is the part of the services of bounces, unsubscribes and
// complaints that adds records.
type batchService[I any] interface {
	Add(ctx context.Context, domain string, in I) error
	AddMany(ctx context.Context, domain string, records []I) error
}

type suppressionAPI struct {
	name      string // the path segment
	csvHeader string // the header row of an import
	batchSize int    // 0: the list has no AddMany
	list      func(ctx context.Context, c *mailgun.Client, domain string, o *mailgun.ListOptions) iter.Seq2[string, error]
	page      func(ctx context.Context, c *mailgun.Client, domain string, o *mailgun.ListOptions) ([]string, string, error)
	get       func(ctx context.Context, c *mailgun.Client, domain, key string) (string, error)
	add       func(ctx context.Context, c *mailgun.Client, domain, key string) error
	addMany   func(ctx context.Context, c *mailgun.Client, domain string, keys []string) error
	importCSV func(ctx context.Context, c *mailgun.Client, domain string, csv io.Reader) error
	remove    func(ctx context.Context, c *mailgun.Client, domain, key string) error
	clear     func(ctx context.Context, c *mailgun.Client, domain string) error
	seed      func(srv *mailguntest.Server, domain string, keys ...string)
	stored    func(srv *mailguntest.Server, domain string) []string
	// item is a list item as the API sends it; decode decodes item JSON
	// into the public type (returned as a map of its JSON form).
	item     map[string]any
	decode   func(item []byte) (map[string]any, error)
	pageMaps func(ctx context.Context, c *mailgun.Client, domain string) ([]map[string]any, error)
}

// keyField is the JSON name of an item's key: "value" on the allowlist,
// "address" on the other lists.
func (a suppressionAPI) keyField() string {
	if a.name == "whitelists" {
		return "value"
	}
	return "address"
}

// asMap is v in its JSON form.
func asMap(v any) (map[string]any, error) {
	enc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(enc, &m)
}

// newSuppressionAPI builds the driver of one list from its service.
func newSuppressionAPI[T any](name, csvHeader string, svc func(*mailgun.Client) listService[T], key func(T) string,
	seed func(*mailguntest.Server, string, []string), stored func(*mailguntest.Server, string) []T, item map[string]any) suppressionAPI {
	keys := func(items []T) []string {
		out := make([]string, len(items))
		for i, v := range items {
			out[i] = key(v)
		}
		return out
	}
	return suppressionAPI{
		name:      name,
		csvHeader: csvHeader,
		list: func(ctx context.Context, c *mailgun.Client, d string, o *mailgun.ListOptions) iter.Seq2[string, error] {
			return func(yield func(string, error) bool) {
				for v, err := range svc(c).List(ctx, d, o) {
					if !yield(key(v), err) {
						return
					}
				}
			}
		},
		page: func(ctx context.Context, c *mailgun.Client, d string, o *mailgun.ListOptions) ([]string, string, error) {
			p, err := svc(c).ListPage(ctx, d, o)
			if err != nil {
				return nil, "", err
			}
			return keys(p.Items), p.Next, nil
		},
		get: func(ctx context.Context, c *mailgun.Client, d, k string) (string, error) {
			v, err := svc(c).Get(ctx, d, k)
			if err != nil {
				return "", err
			}
			return key(*v), nil
		},
		importCSV: func(ctx context.Context, c *mailgun.Client, d string, r io.Reader) error {
			return svc(c).Import(ctx, d, r)
		},
		remove: func(ctx context.Context, c *mailgun.Client, d, k string) error { return svc(c).Delete(ctx, d, k) },
		clear:  func(ctx context.Context, c *mailgun.Client, d string) error { return svc(c).DeleteAll(ctx, d) },
		seed:   func(srv *mailguntest.Server, d string, k ...string) { seed(srv, d, k) },
		stored: func(srv *mailguntest.Server, d string) []string { return keys(stored(srv, d)) },
		item:   item,
		decode: func(b []byte) (map[string]any, error) {
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				return nil, err
			}
			return asMap(v)
		},
		pageMaps: func(ctx context.Context, c *mailgun.Client, d string) ([]map[string]any, error) {
			p, err := svc(c).ListPage(ctx, d, nil)
			if err != nil {
				return nil, err
			}
			out := make([]map[string]any, len(p.Items))
			for i, v := range p.Items {
				if out[i], err = asMap(v); err != nil {
					return nil, err
				}
			}
			return out, nil
		},
	}
}

// withBatches adds the calls of a list with Add and AddMany.
func withBatches[I any](a suppressionAPI, size int, svc func(*mailgun.Client) batchService[I], input func(key string) I) suppressionAPI {
	a.batchSize = size
	a.add = func(ctx context.Context, c *mailgun.Client, d, k string) error { return svc(c).Add(ctx, d, input(k)) }
	a.addMany = func(ctx context.Context, c *mailgun.Client, d string, keys []string) error {
		in := make([]I, len(keys))
		for i, k := range keys {
			in[i] = input(k)
		}
		return svc(c).AddMany(ctx, d, in)
	}
	return a
}

func seedOf[T any](add func(*mailguntest.Server, string, ...T), value func(string) T) func(*mailguntest.Server, string, []string) {
	return func(srv *mailguntest.Server, d string, keys []string) {
		vs := make([]T, len(keys))
		for i, k := range keys {
			vs[i] = value(k)
		}
		add(srv, d, vs...)
	}
}

var (
	bouncesAPI = withBatches(newSuppressionAPI("bounces", "address,code,error,created_at",
		func(c *mailgun.Client) listService[mailgun.Bounce] { return c.Bounces },
		func(b mailgun.Bounce) string { return b.Address },
		seedOf((*mailguntest.Server).AddBounces, func(k string) mailgun.Bounce { return mailgun.Bounce{Address: k} }),
		(*mailguntest.Server).Bounces,
		map[string]any{"address": "a@x.io", "code": "550", "error": "No such mailbox", "created_at": "Thu, 11 Dec 2025 01:49:40 UTC"}),
		mailgun.BounceBatchSize,
		func(c *mailgun.Client) batchService[mailgun.BounceInput] { return c.Bounces },
		func(k string) mailgun.BounceInput { return mailgun.BounceInput{Address: k} })

	unsubscribesAPI = withBatches(newSuppressionAPI("unsubscribes", "address,tags,created_at",
		func(c *mailgun.Client) listService[mailgun.Unsubscribe] { return c.Unsubscribes },
		func(u mailgun.Unsubscribe) string { return u.Address },
		seedOf((*mailguntest.Server).AddUnsubscribes, func(k string) mailgun.Unsubscribe { return mailgun.Unsubscribe{Address: k} }),
		(*mailguntest.Server).Unsubscribes,
		map[string]any{"address": "a@x.io", "tags": []any{"news", "*"}, "created_at": "Thu, 11 Dec 2025 01:49:40 UTC"}),
		mailgun.UnsubscribeBatchSize,
		func(c *mailgun.Client) batchService[mailgun.UnsubscribeInput] { return c.Unsubscribes },
		func(k string) mailgun.UnsubscribeInput { return mailgun.UnsubscribeInput{Address: k} })

	complaintsAPI = withBatches(newSuppressionAPI("complaints", "address,created_at",
		func(c *mailgun.Client) listService[mailgun.Complaint] { return c.Complaints },
		func(c mailgun.Complaint) string { return c.Address },
		seedOf((*mailguntest.Server).AddComplaints, func(k string) mailgun.Complaint { return mailgun.Complaint{Address: k} }),
		(*mailguntest.Server).Complaints,
		map[string]any{"address": "a@x.io", "created_at": "Thu, 11 Dec 2025 01:49:40 UTC"}),
		mailgun.ComplaintBatchSize,
		func(c *mailgun.Client) batchService[mailgun.ComplaintInput] { return c.Complaints },
		func(k string) mailgun.ComplaintInput { return mailgun.ComplaintInput{Address: k} })

	allowlistAPI = func() suppressionAPI {
		a := newSuppressionAPI("whitelists", "address,domain",
			func(c *mailgun.Client) listService[mailgun.AllowlistEntry] { return c.Allowlist },
			func(e mailgun.AllowlistEntry) string { return e.Value },
			seedOf((*mailguntest.Server).AddAllowlist, func(k string) mailgun.AllowlistEntry { return mailgun.AllowlistEntry{Value: k} }),
			(*mailguntest.Server).Allowlist,
			map[string]any{"value": "a@x.io", "reason": "QA", "type": "address", "createdAt": "Thu, 11 Dec 2025 01:49:40 UTC"})
		a.add = func(ctx context.Context, c *mailgun.Client, d, k string) error {
			return c.Allowlist.AddAddress(ctx, d, k, "")
		}
		return a
	}()

	// batchAPIs are the lists with AddMany; suppressionAPIs are all four.
	batchAPIs       = []suppressionAPI{bouncesAPI, unsubscribesAPI, complaintsAPI}
	suppressionAPIs = []suppressionAPI{bouncesAPI, unsubscribesAPI, complaintsAPI, allowlistAPI}
)

// suppressionKeys returns n addresses in list order.
func suppressionKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("u%04d@x.io", i)
	}
	return keys
}

func TestSuppressionListsFakeRoundTrip(t *testing.T) {
	ctx := context.Background()
	eachList(t, suppressionAPIs, func(t *testing.T, a suppressionAPI) {
		srv, c := newFake(t)
		for _, tc := range []struct{ key, escaped string }{
			{"bob+news@example.com", "bob%2Bnews%40example.com"},
			{"a/b@example.com", "a%2Fb%40example.com"},
			{"100%@example.com", "100%25%40example.com"},
			{"first last@example.com", "first%20last%40example.com"},
			{"josé@exämple.com", "jos%C3%A9%40ex%C3%A4mple.com"},
			{"?#&=@example.com", "%3F%23%26%3D%40example.com"},
			{"..@example.com", "..%40example.com"},
		} {
			srv.ResetRequests()
			require.NoError(t, a.add(ctx, c, "example.com", tc.key), tc.key)
			got, err := a.get(ctx, c, "example.com", tc.key)
			require.NoError(t, err, tc.key)
			assert.Equal(t, tc.key, got)
			var listed []string
			for k, err := range a.list(ctx, c, "example.com", nil) {
				require.NoError(t, err)
				listed = append(listed, k)
			}
			assert.Equal(t, []string{tc.key}, listed)
			assert.Equal(t, []string{tc.key}, a.stored(srv, "example.com"))

			require.NoError(t, a.remove(ctx, c, "example.com", tc.key))
			_, err = a.get(ctx, c, "example.com", tc.key)
			require.ErrorIs(t, err, mailgun.ErrNotFound)
			require.ErrorIs(t, a.remove(ctx, c, "example.com", tc.key), mailgun.ErrNotFound)

			var paths []string
			for _, r := range srv.Requests() {
				if r.Method != http.MethodPost && r.RawQuery == "" {
					paths = append(paths, r.Method+" "+r.Path)
				}
			}
			want := "/v3/example.com/" + a.name + "/" + tc.escaped
			assert.Equal(t, []string{"GET " + want, "DELETE " + want, "GET " + want, "DELETE " + want}, paths)
		}
	})
}

func TestSuppressionListsFakeDeleteAllAndImport(t *testing.T) {
	ctx := context.Background()
	eachList(t, suppressionAPIs, func(t *testing.T, a suppressionAPI) {
		srv, c := newFake(t)
		csv := a.csvHeader + "\n" + "b@x.io" + strings.Repeat(",", strings.Count(a.csvHeader, ",")) + "\na@x.io\n"
		require.NoError(t, a.importCSV(ctx, c, "example.com", strings.NewReader(csv)))
		assert.Equal(t, []string{"a@x.io", "b@x.io"}, a.stored(srv, "example.com"), "the fake imports before it answers")
		a.seed(srv, "other.example", "c@x.io")

		require.NoError(t, a.clear(ctx, c, "example.com"))
		assert.Empty(t, a.stored(srv, "example.com"))
		assert.Equal(t, []string{"c@x.io"}, a.stored(srv, "other.example"), "lists are per domain")
		require.NoError(t, a.clear(ctx, c, "example.com"), "an empty list is not an error")
		require.NoError(t, a.clear(ctx, c, "never-seen.example"))

		err := a.importCSV(ctx, c, "example.com", strings.NewReader("nonsense,columns\nx,y\n"))
		var apiErr *mailgun.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
		assert.Equal(t, "while reading csv header", apiErr.Message)
	})
}

func TestSuppressionListsFakePaging(t *testing.T) {
	ctx := context.Background()
	eachList(t, suppressionAPIs, func(t *testing.T, a suppressionAPI) {
		srv, c := newFake(t)
		want := suppressionKeys(25)
		seed := slices.Clone(want)
		slices.Reverse(seed) // the list is by key, not by insertion
		a.seed(srv, "example.com", seed...)
		a.seed(srv, "example.com", "admin@x.io")

		// Pages of 10 with a prefix: 10, 10, 5, then an empty last page.
		opts := &mailgun.ListOptions{Limit: 10, Term: "u"}
		var got []string
		var sizes []int
		for {
			keys, next, err := a.page(ctx, c, "example.com", opts)
			require.NoError(t, err)
			sizes = append(sizes, len(keys))
			got = append(got, keys...)
			if next == "" {
				break
			}
			assert.True(t, strings.HasPrefix(next, "/v3/example.com/"+a.name+"?"), next)
			opts = &mailgun.ListOptions{Cursor: next}
		}
		assert.Equal(t, []int{10, 10, 5, 0}, sizes)
		assert.Equal(t, want, got)

		// A cursor outlives its client.
		first, next, err := a.page(ctx, c, "example.com", &mailgun.ListOptions{Limit: 3})
		require.NoError(t, err)
		assert.Equal(t, "admin@x.io", first[0])
		var rest []string
		for k, err := range a.list(ctx, srv.Client(), "example.com", &mailgun.ListOptions{Cursor: next}) {
			require.NoError(t, err)
			rest = append(rest, k)
		}
		assert.Equal(t, want[2:], rest)

		// Breaking out of the loop stops fetching.
		srv.ResetRequests()
		n := 0
		for _, err := range a.list(ctx, c, "example.com", &mailgun.ListOptions{Limit: 5}) {
			require.NoError(t, err)
			if n++; n == 7 {
				break
			}
		}
		assert.Len(t, srv.Requests(), 2)
	})
}

func TestSuppressionListsCursorRejection(t *testing.T) {
	ctx := context.Background()
	eachList(t, suppressionAPIs, func(t *testing.T, a suppressionAPI) {
		c, m := newMockClient(t)
		cursors := []string{
			"/v3/other.example/" + a.name + "?page=next&address=a%40x.io&limit=100&term=",
			"/v3/example.com/" + a.name + "/import?page=next&address=a%40x.io",
			"/v3/example.com/" + a.name + "/a%40x.io",
			"/v3/example.com?page=next",
			"https://evil.example/v3/example.com/" + a.name + "?page=next",
			"//evil.example/v3/example.com/" + a.name,
			"/v3/example.com/" + a.name + "/../events",
		}
		for _, b := range suppressionAPIs {
			if b.name != a.name {
				cursors = append(cursors, "/v3/example.com/"+b.name+"?page=next&address=a%40x.io&limit=100&term=")
			}
		}
		for _, cur := range cursors {
			_, _, err := a.page(ctx, c, "example.com", &mailgun.ListOptions{Cursor: cur})
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, "ListPage %s", cur)
			n := 0
			for _, err := range a.list(ctx, c, "example.com", &mailgun.ListOptions{Cursor: cur}) {
				assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, "List %s", cur)
				n++
			}
			assert.Equal(t, 1, n)
		}
		assert.Empty(t, m.sent(), "nothing is sent with a foreign cursor")
	})
}

// TestSuppressionListsForeignNextLink: List follows only the links
// ListPage would accept as a cursor, so a server's link into another list
// or domain ends the walk with an error instead of reading it.
func TestSuppressionListsForeignNextLink(t *testing.T) {
	ctx := context.Background()
	for _, a := range suppressionAPIs {
		item, err := json.Marshal(a.item)
		require.NoError(t, err)
		for _, next := range []string{
			"https://api.mailgun.net/v3/other.example/" + a.name + "?page=next&address=a%40x.io",
			"https://api.mailgun.net/v3/example.com/events?page=next",
			"https://api.mailgun.net/no-version/" + a.name,
		} {
			t.Run(a.name+" "+next, func(t *testing.T) {
				c, m := newMockClient(t)
				m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/"+a.name, 200,
					fmt.Appendf(nil, `{"items":[%s],"paging":{"next":%q}}`, item, next))
				_, _, err := a.page(ctx, c, "example.com", nil)
				require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
				var errs []error
				for _, err := range a.list(ctx, c, "example.com", nil) {
					errs = append(errs, err)
				}
				require.Len(t, errs, 1, "the page's items are not yielded before the error")
				require.ErrorIs(t, errs[0], mailgun.ErrInvalidResponse)
				assert.Len(t, m.sent(), 2, "one request per call; the link is never followed")
			})
		}
	}
}

// suppressionBatches returns the record counts of the JSON batches the fake received.
func suppressionBatches(t *testing.T, srv *mailguntest.Server) []int {
	t.Helper()
	var sizes []int
	for _, r := range srv.Requests() {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			continue
		}
		require.Equal(t, int64(len(r.Body)), r.BodySize, "the whole batch was logged")
		var batch []json.RawMessage
		require.NoError(t, json.Unmarshal(r.Body, &batch))
		sizes = append(sizes, len(batch))
	}
	return sizes
}

func TestSuppressionListsAddManySplits(t *testing.T) {
	ctx := context.Background()
	eachList(t, batchAPIs, func(t *testing.T, a suppressionAPI) {
		srv, c := newFake(t)
		keys := suppressionKeys(2500)
		require.NoError(t, a.addMany(ctx, c, "example.com", keys))
		assert.Equal(t, []int{999, 999, 502}, suppressionBatches(t, srv))
		assert.Equal(t, keys, a.stored(srv, "example.com"))
		reqs := srv.Requests()
		assert.Contains(t, string(reqs[0].Body), `"u0998@x.io"`, "in order")
		assert.Contains(t, string(reqs[1].Body), `"u0999@x.io"`)
		assert.Contains(t, string(reqs[2].Body), `"u2499@x.io"`)

		// Exactly one batch.
		srv.ResetRequests()
		require.NoError(t, a.addMany(ctx, c, "one.example", keys[:a.batchSize]))
		assert.Equal(t, []int{999}, suppressionBatches(t, srv))
	})
}

// failingTransport passes the first request through and answers the
// second with err, as a transport whose outcome is unknown would.
type failingTransport struct {
	next  http.RoundTripper
	err   error
	mu    sync.Mutex
	calls int
	after func() // runs after the first request, when set
}

func (f *failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if n == 2 && f.err != nil {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			_ = r.Body.Close()
		}
		return nil, f.err
	}
	resp, err := f.next.RoundTrip(r)
	if n == 1 && f.after != nil {
		f.after()
	}
	return resp, err
}

// TestSuppressionListsAddManyPartialFailure: when the second of three
// batches fails, BatchError says which records are stored (the first
// batch), what became of the failing one, and that the rest was not sent;
// resending records[Accepted:] completes the list.
func TestSuppressionListsAddManyPartialFailure(t *testing.T) {
	outcomeUnknown := fmt.Errorf("test transport: connection lost after the request was written: %w", mailgun.ErrOutcomeUnknown)
	for _, a := range batchAPIs {
		path := "/v3/example.com/" + a.name
		for _, tc := range []struct {
			name     string
			fault    *mailguntest.Fault
			times    int
			err      error // for failingTransport
			cancel   bool  // the context ends after the first batch
			outcome  mailgun.BatchOutcome
			sentinel error
			sent     int
		}{
			{name: "400 refused", fault: &mailguntest.Fault{Status: http.StatusBadRequest}, times: 1, outcome: mailgun.BatchNotStored, sentinel: mailgun.ErrBadRequest, sent: 2},
			{name: "429 after the retries", fault: &mailguntest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"}, times: 4, outcome: mailgun.BatchNotStored, sentinel: mailgun.ErrRateLimited, sent: 5},
			{name: "420 after the retries", fault: &mailguntest.Fault{Status: 420}, times: 4, outcome: mailgun.BatchNotStored, sentinel: mailgun.ErrRateLimited, sent: 5},
			{name: "500", fault: &mailguntest.Fault{Status: http.StatusInternalServerError}, times: 1, outcome: mailgun.BatchUnknown, sentinel: mailgun.ErrServer, sent: 2},
			{name: "200 with an HTML page", fault: &mailguntest.Fault{Status: http.StatusOK, Body: "<html><title>Welcome to the hotel Wi-Fi</title></html>"}, times: 1, outcome: mailgun.BatchUnknown, sentinel: mailgun.ErrInvalidResponse, sent: 2},
			{name: "dropped connection", fault: &mailguntest.Fault{DropConnection: true}, times: 1, outcome: mailgun.BatchUnknown, sentinel: mailgun.ErrConnection, sent: 2},
			{name: "ErrOutcomeUnknown", err: outcomeUnknown, outcome: mailgun.BatchUnknown, sentinel: mailgun.ErrOutcomeUnknown, sent: 1},
			{name: "context ended between batches", cancel: true, outcome: mailgun.BatchNotStored, sentinel: context.Canceled, sent: 1},
		} {
			t.Run(a.name+" "+tc.name, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				srv, c := newFake(t)
				if tc.err != nil || tc.cancel {
					ft := &failingTransport{next: srv.HTTPClient().Transport, err: tc.err}
					if tc.cancel {
						ft.after = cancel
					}
					c = srv.Client(mailgun.WithHTTPClient(&http.Client{Transport: ft}))
				}
				if tc.fault != nil {
					srv.Fail(http.MethodPost, path, mailguntest.Fault{}, 1) // the first batch passes
					srv.Fail(http.MethodPost, path, *tc.fault, tc.times)
				}
				keys := suppressionKeys(2500)
				err := a.addMany(ctx, c, "example.com", keys)

				var batchErr *mailgun.BatchError
				require.ErrorAs(t, err, &batchErr)
				assert.Equal(t, 999, batchErr.Accepted)
				assert.Equal(t, 999, batchErr.Failed)
				assert.Equal(t, tc.outcome, batchErr.Outcome)
				assert.ErrorIs(t, err, tc.sentinel, "the request's error is wrapped")
				assert.Contains(t, err.Error(), "after 999 accepted records; the next 999 ")
				// No batch after the failing one. (A dropped connection
				// may be logged by the fake after the call returned.)
				reqs := srv.Requests()
				assert.LessOrEqual(t, len(reqs), tc.sent, "requests")
				for _, r := range reqs {
					assert.NotContains(t, string(r.Body), `"u1998@x.io"`, "the third batch was sent")
				}

				stored := a.stored(srv, "example.com")
				if tc.outcome == mailgun.BatchNotStored {
					assert.Equal(t, keys[:batchErr.Accepted], stored, "exactly the records before the failing batch")
				} else {
					// The fake stores nothing of a faulted request; the
					// real API might have stored the whole batch.
					assert.Equal(t, keys[:batchErr.Accepted], stored[:batchErr.Accepted])
				}

				// Resuming with the records not known to be stored completes the list.
				require.NoError(t, a.addMany(context.Background(), srv.Client(), "example.com", keys[batchErr.Accepted:]))
				assert.Equal(t, keys, a.stored(srv, "example.com"))
			})
		}
	}
}

func TestSuppressionListsAddManyFirstBatchRefused(t *testing.T) {
	for _, a := range batchAPIs {
		srv, c := newFake(t)
		srv.Fail(http.MethodPost, "/v3/example.com/"+a.name, mailguntest.Fault{Status: http.StatusForbidden}, 1)
		err := a.addMany(context.Background(), c, "example.com", suppressionKeys(10))
		var batchErr *mailgun.BatchError
		require.ErrorAs(t, err, &batchErr, a.name)
		assert.Equal(t, mailgun.BatchError{Accepted: 0, Failed: 10, Outcome: mailgun.BatchNotStored, Err: batchErr.Err}, *batchErr, a.name)
		assert.ErrorIs(t, err, mailgun.ErrForbidden)
		assert.Empty(t, a.stored(srv, "example.com"))
	}
}

// streamedCSV writes a header and rows, and after the first rows waits
// until the fake has stored some of them: the upload is a stream, so the
// server reads the start of the file before the client has produced the
// rest.
type streamedCSV struct {
	header  string
	columns int
	rows    int
	stored  func() int
	mu      sync.Mutex
	row     int
	pending []byte
	waited  bool
}

const streamedCSVPause = 2000 // rows produced before waiting for the server

func (s *streamedCSV) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		switch {
		case s.row == 0 && s.header != "":
			s.pending, s.header = []byte(s.header+"\n"), ""
		case s.row == s.rows:
			return 0, io.EOF
		default:
			if s.row == streamedCSVPause && !s.waited {
				s.waited = true
				deadline := time.Now().Add(20 * time.Second)
				for s.stored() < 500 {
					if time.Now().After(deadline) {
						return 0, errors.New("the server stored nothing while the upload was in progress")
					}
					time.Sleep(time.Millisecond)
				}
			}
			s.pending = fmt.Appendf(s.pending[:0], "s%06d@x.io%s\n", s.row, strings.Repeat(",", s.columns-1))
			s.row++
		}
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

func TestSuppressionListsImportStreams(t *testing.T) {
	eachList(t, suppressionAPIs, func(t *testing.T, a suppressionAPI) {
		// Not newFake: its contract check reads the body whole first.
		srv := mailguntest.NewServer(t)
		src := &streamedCSV{
			header:  a.csvHeader,
			columns: strings.Count(a.csvHeader, ",") + 1,
			rows:    5000,
			stored:  func() int { return len(a.stored(srv, "example.com")) },
		}
		require.NoError(t, a.importCSV(context.Background(), srv.Client(), "example.com", src))
		assert.True(t, src.waited)
		assert.Len(t, a.stored(srv, "example.com"), 5000)
		assert.Len(t, srv.Requests(), 1)
	})
}

func TestSuppressionListsInvalidArguments(t *testing.T) {
	ctx := context.Background()
	eachList(t, suppressionAPIs, func(t *testing.T, a suppressionAPI) {
		c, m := newMockClient(t)
		r := strings.NewReader(a.csvHeader + "\n")
		first := func(seq iter.Seq2[string, error]) error {
			for _, err := range seq {
				return err
			}
			return errors.New("no error yielded")
		}
		page := func(domain string, o *mailgun.ListOptions) error {
			_, _, err := a.page(ctx, c, domain, o)
			return err
		}
		get := func(domain, key string) error {
			_, err := a.get(ctx, c, domain, key)
			return err
		}
		errs := map[string]error{
			"List empty domain":       first(a.list(ctx, c, "", nil)),
			"List limit negative":     first(a.list(ctx, c, "example.com", &mailgun.ListOptions{Limit: -1})),
			"List limit 1001":         first(a.list(ctx, c, "example.com", &mailgun.ListOptions{Limit: 1001})),
			"ListPage blank domain":   page(" ", nil),
			"ListPage limit 5000":     page("example.com", &mailgun.ListOptions{Limit: 5000}),
			"Get empty domain":        get("", "bob@example.com"),
			"Get empty key":           get("example.com", ""),
			"Get blank key":           get("example.com", "  "),
			"Add empty domain":        a.add(ctx, c, "", "bob@example.com"),
			"Add empty key":           a.add(ctx, c, "example.com", ""),
			"Add address without @":   a.add(ctx, c, "example.com", "bob"),
			"Import empty domain":     a.importCSV(ctx, c, "", r),
			"Import nil reader":       a.importCSV(ctx, c, "example.com", nil),
			"Delete empty domain":     a.remove(ctx, c, "", "bob@example.com"),
			"Delete empty key":        a.remove(ctx, c, "example.com", ""),
			"Delete dot key":          a.remove(ctx, c, "example.com", ".."),
			"DeleteAll empty domain":  a.clear(ctx, c, ""),
			"DeleteAll domain is dot": a.clear(ctx, c, "."),
		}
		if a.addMany != nil {
			keys := suppressionKeys(1500)
			keys[1200] = "not-an-address"
			errs["Get address without @"] = get("example.com", "bob")
			errs["Delete address without @"] = a.remove(ctx, c, "example.com", "bob")
			errs["AddMany empty domain"] = a.addMany(ctx, c, "", []string{"bob@example.com"})
			errs["AddMany nil"] = a.addMany(ctx, c, "example.com", nil)
			errs["AddMany bad record in batch 2"] = a.addMany(ctx, c, "example.com", keys)
			errs["AddMany blank record"] = a.addMany(ctx, c, "example.com", []string{"a@x.io", " "})
		}
		for name, err := range errs {
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, name)
		}
		var batchErr *mailgun.BatchError
		assert.False(t, errors.As(errs["AddMany bad record in batch 2"], &batchErr), "checked before anything is sent")
		assert.Empty(t, m.sent(), "nothing is sent on bad input")
		assert.Equal(t, len(a.csvHeader)+1, r.Len(), "the CSV was not read")
	})
}

// suppressionMistypes are values of an unexpected type for a field.
func suppressionMistypes(field string) []string {
	switch field {
	case "code": // a number is a code
		return []string{`true`, `{"x":1}`, `["550"]`}
	case "tags": // an array is tags, a lone string one tag
		return []string{`5`, `true`, `{"x":1}`}
	case "created_at", "createdAt":
		return []string{`5`, `true`, `{"x":1}`, `["x"]`, `"yesterday"`, `"2025-13-45"`}
	}
	return []string{`5`, `true`, `{"x":1}`, `["x"]`, `1e400`}
}

// TestSuppressionListsMistypedFields: a page fails only on its structure;
// an item field of an unexpected type is dropped (as if absent) and the
// item kept, with its other fields.
func TestSuppressionListsMistypedFields(t *testing.T) {
	ctx := context.Background()
	for _, a := range suppressionAPIs {
		keyField := a.keyField()
		for field := range a.item {
			for _, bad := range suppressionMistypes(field) {
				t.Run(a.name+" "+field+"="+bad, func(t *testing.T) {
					items := make([]json.RawMessage, 3)
					var without []byte
					for i := range items {
						it := maps.Clone(a.item)
						it[keyField] = fmt.Sprintf("a%d@x.io", i)
						if i == 1 {
							delete(it, field)
							without, _ = json.Marshal(it)
							it[field] = json.RawMessage(bad)
						}
						items[i], _ = json.Marshal(it)
					}
					body, err := json.Marshal(map[string]any{"items": items, "paging": map[string]string{"next": ""}})
					require.NoError(t, err)
					c, m := newMockClient(t)
					m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/"+a.name, 200, body)

					got, err := a.pageMaps(ctx, c, "example.com")
					require.NoError(t, err)
					require.Len(t, got, 3, "every item comes back")
					want, err := a.decode(without)
					require.NoError(t, err)
					assert.Equal(t, want, got[1], "the mistyped field is dropped, the others kept")
					alone, err := a.decode(items[1])
					require.NoError(t, err, "decoding the item alone")
					assert.Equal(t, want, alone)
					assert.Equal(t, "a2@x.io", got[2][keyField])
				})
			}
		}
	}
}

// TestSuppressionGetMistypedFields: Get reads its record by the list rule,
// as the pages do: a field of an unexpected type is dropped, not fatal.
func TestSuppressionGetMistypedFields(t *testing.T) {
	ctx := context.Background()
	for _, a := range suppressionAPIs {
		keyField := a.keyField()
		it := maps.Clone(a.item)
		for field := range it {
			if field != keyField {
				it[field] = map[string]int{"x": 1}
			}
		}
		it[keyField] = "a@x.io"
		body, err := json.Marshal(it)
		require.NoError(t, err)
		c, m := newMockClient(t)
		m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/"+a.name+"/a%40x.io", 200, body)
		got, err := a.get(ctx, c, "example.com", "a@x.io")
		require.NoError(t, err, a.name)
		assert.Equal(t, "a@x.io", got, a.name)
	}
}

// TestSuppressionRecordsMistypedRepeat: a member repeated with a value of
// an unexpected type reads as absent, so the value before it stands (the
// list rule, read as the events decoder reads it), in a page as in
// json.Unmarshal.
func TestSuppressionRecordsMistypedRepeat(t *testing.T) {
	created := time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC)
	var b mailgun.Bounce
	require.NoError(t, json.Unmarshal([]byte(`{"address":"a@x","address":5,"code":550,"code":true,"error":"e","error":[1],`+
		`"created_at":"Thu, 11 Dec 2025 01:49:40 UTC","created_at":"yesterday"}`), &b))
	assert.Equal(t, mailgun.Bounce{Address: "a@x", Code: "550", Error: "e", CreatedAt: b.CreatedAt}, b)
	assert.True(t, created.Equal(b.CreatedAt), "created_at %v", b.CreatedAt)
	var u mailgun.Unsubscribe
	require.NoError(t, json.Unmarshal([]byte(`{"address":"a@x","tags":["news"],"tags":{"x":1}}`), &u))
	assert.Equal(t, []string{"news"}, u.Tags)

	c, m := newMockClient(t)
	m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/bounces", 200,
		[]byte(`{"items":[{"address":"a@x","code":"550","code":{}}],"paging":{"next":""}}`))
	page, err := c.Bounces.ListPage(context.Background(), "example.com", nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "550", page.Items[0].Code)
}

// FuzzSuppressionItemField puts any JSON value in one field of a list
// item: decoding never fails, and the other fields are kept.
func FuzzSuppressionItemField(f *testing.F) {
	for _, v := range []string{`5`, `null`, `"x"`, `["a",1,null,{"b":2}]`, `{"nested":[true]}`, `-0.5e-3`, `"Thu, 11 Dec 2025 01:49:40 UTC"`, `"\ud800"`} {
		for i := range suppressionAPIs {
			f.Add(uint8(i), uint8(i), []byte(v))
		}
	}
	f.Fuzz(func(t *testing.T, list, field uint8, value []byte) {
		if !json.Valid(value) {
			return
		}
		a := suppressionAPIs[int(list)%len(suppressionAPIs)]
		fields := slices.Sorted(maps.Keys(a.item))
		name := fields[int(field)%len(fields)]
		it := maps.Clone(a.item)
		it[name] = json.RawMessage(value)
		b, err := json.Marshal(it)
		if err != nil {
			return
		}
		got, err := a.decode(b)
		if err != nil {
			t.Fatalf("%s: %s: %v", a.name, b, err)
		}
		delete(it, name)
		rest, _ := json.Marshal(it)
		want, err := a.decode(rest)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if k != name && !assert.ObjectsAreEqual(v, got[k]) {
				t.Fatalf("%s: field %s became %v (want %v) when %s was %s", a.name, k, got[k], v, name, value)
			}
		}
	})
}

// TestSuppressionListsBadResponses: what is not the API's structure is an
// ErrInvalidResponse, never a panic, a silent empty list or a success.
func TestSuppressionListsBadResponses(t *testing.T) {
	ctx := context.Background()
	for _, a := range suppressionAPIs {
		item, _ := json.Marshal(a.item)
		base := "https://api.mailgun.net/v3/example.com/" + a.name
		t.Run(a.name, func(t *testing.T) {
			for name, body := range map[string]string{
				"truncated":               `{"items":[` + string(item[:len(item)/2]),
				"HTML":                    `<!DOCTYPE html><html><title>Bad gateway</title></html>`,
				"items an object":         `{"items":{},"paging":{}}`,
				"items without paging":    `{"items":[` + string(item) + `]}`,
				"paging next not string":  `{"items":[` + string(item) + `],"paging":{"next":5}}`,
				"not an object":           `[` + string(item) + `]`,
				"items a string in paged": `{"items":"x","paging":{}}`,
			} {
				c, m := newMockClient(t)
				m.respond(http.MethodGet, base, 200, []byte(body))
				_, _, err := a.page(ctx, c, "example.com", nil)
				assert.ErrorIs(t, err, mailgun.ErrInvalidResponse, "ListPage %s", name)
				for _, err := range a.list(ctx, c, "example.com", nil) {
					assert.ErrorIs(t, err, mailgun.ErrInvalidResponse, "List %s", name)
				}
			}
			// The end of a list: no items (or none that is an object, as
			// items that are not objects are skipped), with or without paging.
			for _, body := range []string{`{"items":[1,null],"paging":{"next":""}}`, `{"items":[]}`, `{"items":null,"paging":{"next":"` + base + `?page=next&address=z"}}`, `{}`} {
				c, m := newMockClient(t)
				m.respond(http.MethodGet, base, 200, []byte(body))
				keys, next, err := a.page(ctx, c, "example.com", nil)
				require.NoError(t, err, body)
				assert.Empty(t, keys)
				assert.Empty(t, next)
			}
			for name, body := range map[string]string{"null": `null`, "empty": ``, "array": `[]`, "string": `"a@x.io"`, "HTML": `<html></html>`} {
				c, m := newMockClient(t)
				m.respond(http.MethodGet, base+"/a%40x.io", 200, []byte(body))
				_, err := a.get(ctx, c, "example.com", "a@x.io")
				assert.ErrorIs(t, err, mailgun.ErrInvalidResponse, "Get %s", name)
			}
			// Writes check their 2xx body too: a proxy's page is not a success.
			for name, body := range map[string]string{"HTML": `<html><title>OK</title></html>`, "text": `OK`, "array": `[]`} {
				c, m := newMockClient(t)
				m.respond(http.MethodDelete, base+"/a%40x.io", 200, []byte(body))
				m.respond(http.MethodDelete, base, 200, []byte(body))
				m.respond(http.MethodPost, base, 200, []byte(body))
				m.respond(http.MethodPost, base+"/import", 202, []byte(body))
				assert.ErrorIs(t, a.remove(ctx, c, "example.com", "a@x.io"), mailgun.ErrInvalidResponse, "Delete %s", name)
				assert.ErrorIs(t, a.clear(ctx, c, "example.com"), mailgun.ErrInvalidResponse, "DeleteAll %s", name)
				assert.ErrorIs(t, a.add(ctx, c, "example.com", "a@x.io"), mailgun.ErrInvalidResponse, "Add %s", name)
				assert.ErrorIs(t, a.importCSV(ctx, c, "example.com", strings.NewReader(a.csvHeader+"\n")), mailgun.ErrInvalidResponse, "Import %s", name)
			}
			// An empty 2xx (a 204) is a success.
			c, m := newMockClient(t)
			m.RegisterResponder(http.MethodDelete, base, httpmock.NewBytesResponder(http.StatusNoContent, nil))
			assert.NoError(t, a.clear(ctx, c, "example.com"))
		})
	}
}

// suppressionExample is one documented body under testdata/examples/<dir>:
// the request it answers, and the call that gets it.
type suppressionExample struct {
	name, method, path string
	status             int
	call               func(c *mailgun.Client) (any, error)
	want               any   // what call returns; nil: only success is checked
	sentinel           error // the error the body stands for; nil: a success
}

// checkSuppressionExamples checks that every documented body passes the
// contract and comes out of its call as the value or the error it stands
// for (an *APIError keeps the body's message). requests names the request
// examples checked elsewhere; every JSON file of dir must be covered.
func checkSuppressionExamples(t *testing.T, dir string, requests []string, cases []suppressionExample) {
	t.Helper()
	covered := slices.Clone(requests)
	for _, tc := range cases {
		covered = append(covered, tc.name)
		t.Run(tc.name, func(t *testing.T) {
			body := example(t, ""+dir+"/"+tc.name, tc.method, tc.path, tc.status)
			c, m := newMockClient(t)
			m.respond(tc.method, "https://api.mailgun.net"+tc.path, tc.status, body)
			got, err := tc.call(c)
			assert.Len(t, m.sent(), 1)
			if tc.sentinel == nil {
				require.NoError(t, err)
				if tc.want != nil {
					assert.Equal(t, tc.want, got)
				}
				return
			}
			require.ErrorIs(t, err, tc.sentinel)
			var apiErr *mailgun.APIError
			if errors.As(err, &apiErr) {
				var doc struct{ Message string }
				require.NoError(t, json.Unmarshal(body, &doc))
				assert.Equal(t, doc.Message, apiErr.Message)
				assert.Equal(t, tc.status, apiErr.StatusCode)
			}
		})
	}
	suppressionCoverExamples(t, dir, covered)
}

// noValue adapts a call that returns only an error.
func noValue(err error) (any, error) { return nil, err }

// inUTC returns p's items with their times in UTC, so that decoded values
// compare equal whatever zone name the body used.
func inUTC[T any](items []T, at func(*T) *time.Time) []T {
	for i := range items {
		*at(&items[i]) = at(&items[i]).UTC()
	}
	return items
}

// TestSuppressionListsWire checks the exact requests of the calls every
// list shares (the adds, which differ, are tested per list).
func TestSuppressionListsWire(t *testing.T) {
	ctx := context.Background()
	for _, a := range suppressionAPIs {
		base := "https://api.mailgun.net/v3/example.com/" + a.name
		path := "/v3/example.com/" + a.name
		item, err := json.Marshal(a.item)
		require.NoError(t, err)
		t.Run(a.name+" List", func(t *testing.T) {
			c, m := newMockClient(t)
			respondOK(m, http.MethodGet, base,
				fmt.Appendf(nil, `{"items":[%s],"paging":{"next":"%s?page=next&address=a%%40x.io&limit=2&term=a%%2Bb"}}`, item, base),
				[]byte(`{"items":[],"paging":{}}`))
			n := 0
			for _, err := range a.list(ctx, c, "example.com", &mailgun.ListOptions{Limit: 2, Term: "a+b"}) {
				require.NoError(t, err)
				n++
			}
			assert.Equal(t, 1, n)
			sent := m.sent()
			require.Len(t, sent, 2)
			assert.Equal(t, http.MethodGet, sent[0].Method)
			assert.Equal(t, path+"?limit=2&term=a%2Bb", sent[0].RequestURI)
			assert.Equal(t, "application/json", sent[0].Header.Get("Accept"))
			assert.Empty(t, sent[0].Header.Get("Content-Type"))
			assert.Empty(t, sent[0].Body)
			assert.Equal(t, path+"?page=next&address=a%40x.io&limit=2&term=a%2Bb", sent[1].RequestURI, "the link, verbatim")
		})
		t.Run(a.name+" ListPage", func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, base, 200, []byte(`{"items":[],"paging":{}}`))
			_, _, err := a.page(ctx, c, "example.com", nil)
			require.NoError(t, err)
			cursor := path + "?page=next&address=bob%2Bnews%40example.com&limit=100&term="
			_, next, err := a.page(ctx, c, "example.com", &mailgun.ListOptions{Cursor: cursor, Limit: 5, Term: "x"})
			require.NoError(t, err)
			assert.Empty(t, next)
			sent := m.sent()
			require.Len(t, sent, 2)
			assert.Equal(t, path+"?limit=100", sent[0].RequestURI, "the default limit")
			assert.Equal(t, cursor, sent[1].RequestURI, "Limit and Term are carried by the cursor")
		})
		t.Run(a.name+" Get", func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, base+"/bob%2Bnews%40example.com", 200, item)
			_, err := a.get(ctx, c, "example.com", "bob+news@example.com")
			require.NoError(t, err)
			req := m.only(t)
			assert.Equal(t, http.MethodGet, req.Method)
			assert.Equal(t, path+"/bob%2Bnews%40example.com", req.RequestURI)
			assert.Equal(t, "application/json", req.Header.Get("Accept"))
			assert.Empty(t, req.Body)
		})
		t.Run(a.name+" Import", func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodPost, base+"/import", 202, []byte(`{"message":"file uploaded successfully for processing. standby..."}`))
			csv := a.csvHeader + "\n\"comma, inside@example.com\"" + strings.Repeat(",", strings.Count(a.csvHeader, ",")) + "\n"
			require.NoError(t, a.importCSV(ctx, c, "example.com", strings.NewReader(csv)))
			req := m.only(t)
			assert.Equal(t, http.MethodPost, req.Method)
			assert.Equal(t, path+"/import", req.RequestURI)
			assert.Equal(t, map[string]string{"file:" + a.name + ".csv": csv}, suppressionMultipartFile(t, req))
		})
		t.Run(a.name+" Delete and DeleteAll", func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodDelete, base+"/a%2Fb%40example.com", 200, []byte(`{"message":"removed","address":"a/b@example.com"}`))
			m.respond(http.MethodDelete, base, 200, []byte(`{"message":"removed"}`))
			require.NoError(t, a.remove(ctx, c, "example.com", "a/b@example.com"))
			require.NoError(t, a.clear(ctx, c, "example.com"))
			sent := m.sent()
			require.Len(t, sent, 2)
			assert.Equal(t, "DELETE "+path+"/a%2Fb%40example.com", sent[0].Method+" "+sent[0].RequestURI)
			assert.Equal(t, "DELETE "+path, sent[1].Method+" "+sent[1].RequestURI)
			assert.Empty(t, sent[0].Body)
			assert.Empty(t, sent[1].Body)
		})
	}
}

// eachList runs f as a subtest for each list of apis.
func eachList(t *testing.T, apis []suppressionAPI, f func(t *testing.T, a suppressionAPI)) {
	t.Helper()
	for _, a := range apis {
		t.Run(a.name, func(t *testing.T) { f(t, a) })
	}
}
