package mailgun

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun/internal/doer"
)

type thing struct {
	N int `json:"n"`
}

// pager serves /v3/example.com/things from a map of "address" cursor to
// page body, and records the request URIs it saw.
type pager struct {
	srv   *httptest.Server
	mu    sync.Mutex
	seen  []string
	pages map[string]string
}

func newPager(t *testing.T, pages map[string]string) *pager {
	p := &pager{pages: pages}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.seen = append(p.seen, r.RequestURI)
		p.mu.Unlock()
		body, ok := p.pages[r.URL.Query().Get("address")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// client returns a Client for the pager whose transport refuses any other host.
func (p *pager) client(t *testing.T) *Client {
	host := strings.TrimPrefix(p.srv.URL, "http://")
	base := p.srv.Client().Transport
	hc := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host != host {
			t.Errorf("request sent to %s", r.URL.Host)
			return nil, fmt.Errorf("wrong host")
		}
		return base.RoundTrip(r)
	})}
	c, err := NewClient("key-test", WithBaseURL(p.srv.URL), WithHTTPClient(hc), WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (p *pager) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// page renders a page whose next link points at the real API host (and
// another scheme), as Mailgun's links do.
func page(items string, next string) string {
	link := ""
	if next != "" {
		link = "https://api.mailgun.net/v3/example.com/things?page=next&address=" + next + "&limit=2"
	}
	return fmt.Sprintf(`{"items":%s,"paging":{"first":"https://api.mailgun.net/v3/example.com/things?limit=2","next":%q}}`, items, link)
}

func (c *Client) listThings(ctx context.Context, cursor string) (*Page[thing], error) {
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v3", "example.com", "things"}}
	if cursor != "" {
		if err := checkCursor(cursor, "example.com", "things"); err != nil {
			return nil, err
		}
		r = &doer.Request{Method: http.MethodGet, Cursor: cursor}
	}
	return getLinkPage[thing](ctx, c, r, nil)
}

func collect(t *testing.T, c *Client, start string) ([]int, error) {
	var got []int
	for it, err := range iterate(context.Background(), start, c.listThings) {
		if err != nil {
			return got, err
		}
		got = append(got, it.N)
	}
	return got, nil
}

func TestIterateWalksPagesUntilNullItems(t *testing.T) {
	p := newPager(t, map[string]string{
		"":           page(`[{"n":1},{"n":2}]`, "b%2Bob%40x.org"),
		"b+ob@x.org": page(`[{"n":3},{"n":4}]`, "d"),
		"d":          page(`[{"n":5}]`, "e"),
		"e":          page(`null`, "f"),
	})
	got, err := collect(t, p.client(t), "")
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4, 5}, got)
	assert.Equal(t, []string{
		"/v3/example.com/things",
		"/v3/example.com/things?page=next&address=b%2Bob%40x.org&limit=2",
		"/v3/example.com/things?page=next&address=d&limit=2",
		"/v3/example.com/things?page=next&address=e&limit=2",
	}, p.requests(), "links are rebased onto the base URL, escaping kept")
}

func TestIterateStopsOnEmptyPageAndMissingNext(t *testing.T) {
	p := newPager(t, map[string]string{"": page(`[{"n":1}]`, "a"), "a": page(`[]`, "b")})
	got, err := collect(t, p.client(t), "")
	require.NoError(t, err)
	assert.Equal(t, []int{1}, got)
	assert.Len(t, p.requests(), 2)

	p = newPager(t, map[string]string{"": page(`[{"n":1}]`, "")})
	got, err = collect(t, p.client(t), "")
	require.NoError(t, err)
	assert.Equal(t, []int{1}, got)
	assert.Len(t, p.requests(), 1)

	p = newPager(t, map[string]string{"": `{"paging":{}}`})
	got, err = collect(t, p.client(t), "")
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestIterateDetectsRepeatedCursors(t *testing.T) {
	p := newPager(t, map[string]string{"": page(`[{"n":1}]`, "a"), "a": page(`[{"n":2}]`, "a")})
	got, err := collect(t, p.client(t), "")
	assert.ErrorIs(t, err, ErrInvalidResponse)
	assert.Equal(t, []int{1, 2}, got)
	assert.Len(t, p.requests(), 2)

	// A longer cycle, a -> b -> a, is caught too.
	p = newPager(t, map[string]string{"": page(`[{"n":1}]`, "a"), "a": page(`[{"n":2}]`, "b"), "b": page(`[{"n":3}]`, "a")})
	got, err = collect(t, p.client(t), "")
	assert.ErrorIs(t, err, ErrInvalidResponse)
	assert.Equal(t, []int{1, 2, 3}, got)
	assert.Len(t, p.requests(), 3)
}

func TestIterateResumesFromASavedCursor(t *testing.T) {
	p := newPager(t, map[string]string{
		"":  page(`[{"n":1},{"n":2}]`, "b"),
		"b": page(`[{"n":3}]`, "c"),
		"c": page(`[]`, "d"),
	})
	c := p.client(t)
	first, err := c.listThings(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, "/v3/example.com/things?page=next&address=b&limit=2", first.Next)

	// Another client (another process, say) resumes from the saved cursor.
	got, err := collect(t, p.client(t), first.Next)
	require.NoError(t, err)
	assert.Equal(t, []int{3}, got)
}

func TestIterateStopsWhenTheCallerBreaks(t *testing.T) {
	p := newPager(t, map[string]string{"": page(`[{"n":1},{"n":2}]`, "b"), "b": page(`[{"n":3}]`, "")})
	for it, err := range iterate(context.Background(), "", p.client(t).listThings) {
		require.NoError(t, err)
		if it.N == 1 {
			break
		}
	}
	assert.Len(t, p.requests(), 1)
}

func TestIterateYieldsFetchErrorsOnce(t *testing.T) {
	p := newPager(t, map[string]string{"": page(`[{"n":1}]`, "missing")})
	got, err := collect(t, p.client(t), "")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, []int{1}, got)
}

func TestBadPagingLink(t *testing.T) {
	p := newPager(t, map[string]string{"": `{"items":[{"n":1}],"paging":{"next":"https://api.mailgun.net/no-version/things"}}`})
	_, err := collect(t, p.client(t), "")
	assert.ErrorIs(t, err, ErrInvalidResponse)
}

func TestCheckCursor(t *testing.T) {
	ok := []string{
		"/v3/example.com/things?page=next&address=x",
		"/v3/example.com/things",
		"/v2/example.com/things/token",
	}
	for _, c := range ok {
		assert.NoError(t, checkCursor(c, "example.com", "things"), c)
	}
	bad := []string{
		"", "/v3/example.com/bounces?page=next", "/v3/other.com/things?page=next", "/v3/example.com/thingsx",
		"https://evil.example/v3/example.com/things", "//evil.example/v3/example.com/things", "/v3/example.com/things/../../x",
	}
	for _, c := range bad {
		assert.ErrorIs(t, checkCursor(c, "example.com", "things"), ErrInvalidArgument, c)
	}
}
