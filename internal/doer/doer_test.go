package doer

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seen is one request as the server read it.
type seen struct {
	Method     string
	RequestURI string // the raw request target from the request line
	Header     http.Header
	Body       []byte
}

// recorder is a test server that records requests and answers with reply.
type recorder struct {
	srv   *httptest.Server
	mu    sync.Mutex
	reqs  []seen
	reply func(w http.ResponseWriter, r *http.Request)
}

func newRecorder(t *testing.T, reply func(w http.ResponseWriter, r *http.Request)) *recorder {
	rec := &recorder{reply: reply}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen{r.Method, r.RequestURI, r.Header.Clone(), body})
		rec.mu.Unlock()
		if rec.reply != nil {
			rec.reply(w, r)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *recorder) doer(mod ...func(*Config)) *Doer {
	cfg := testConfig(rec.srv.URL, rec.srv.Client())
	for _, m := range mod {
		m(&cfg)
	}
	return New(cfg)
}

func (rec *recorder) requests() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

func TestPathEscapingOnTheWire(t *testing.T) {
	cases := []struct{ segment, wire string }{
		{"bob+tag@example.org", "bob%2Btag%40example.org"},
		{"a/b", "a%2Fb"},
		{"a+b/../x@y", "a%2Bb%2F..%2Fx%40y"},
		{"%2F", "%252F"},
		{"with space", "with%20space"},
		{"jürgen@bücher.de", "j%C3%BCrgen%40b%C3%BCcher.de"},
		{"what?", "what%3F"},
		{"hash#tag", "hash%23tag"},
		{"semi;colon", "semi%3Bcolon"},
		{"Weekly report: bounce rate > 5%", "Weekly%20report%3A%20bounce%20rate%20%3E%205%25"},
		{"plain-._~AZaz09", "plain-._~AZaz09"},
		{"...", "..."},
	}
	rec := newRecorder(t, nil)
	d := rec.doer()
	for _, tc := range cases {
		require.NoError(t, d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "example.com", "bounces", tc.segment}}, nil))
	}
	reqs := rec.requests()
	require.Len(t, reqs, len(cases))
	for i, tc := range cases {
		assert.Equal(t, "/v3/example.com/bounces/"+tc.wire, reqs[i].RequestURI, "segment %q", tc.segment)
		back, err := url.PathUnescape(strings.TrimPrefix(reqs[i].RequestURI, "/v3/example.com/bounces/"))
		require.NoError(t, err)
		assert.Equal(t, tc.segment, back)
	}
}

func TestBadSegmentsAreRejectedBeforeSending(t *testing.T) {
	rec := newRecorder(t, nil)
	d := rec.doer()
	for _, seg := range []string{"", ".", ".."} {
		err := d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "example.com", "bounces", seg}}, nil)
		assert.ErrorIs(t, err, errInvalid, "segment %q", seg)
		assert.Contains(t, err.Error(), "path segment 4")
	}
	err := d.Do(context.Background(), &Request{Method: http.MethodGet}, nil)
	assert.ErrorIs(t, err, errInvalid)
	assert.Empty(t, rec.requests())
}

func TestQueryKeepsRepeatedKeysInStableOrder(t *testing.T) {
	rec := newRecorder(t, nil)
	q := url.Values{"event": {"delivered", "failed"}, "duration": {"1m"}, "address": {"bob+x@example.com"}, "term": {"a b"}}
	require.NoError(t, rec.doer().Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "stats", "total"}, Query: q}, nil))
	assert.Equal(t, "/v3/stats/total?address=bob%2Bx%40example.com&duration=1m&event=delivered&event=failed&term=a+b", rec.requests()[0].RequestURI)
}

func TestHeaders(t *testing.T) {
	rec := newRecorder(t, nil)
	d := rec.doer(func(c *Config) { c.OnBehalfOf = "sub-123" })
	require.NoError(t, d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, nil))
	h := rec.requests()[0].Header
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("api:key-secret-0123456789")), h.Get("Authorization"))
	assert.Equal(t, "test-agent", h.Get("User-Agent"))
	assert.Equal(t, "application/json", h.Get("Accept"))
	assert.Equal(t, "sub-123", h.Get("X-Mailgun-On-Behalf-Of"))
	assert.Empty(t, h.Get("Content-Type"), "no body, no content type")

	rec2 := newRecorder(t, nil)
	require.NoError(t, rec2.doer().Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, nil))
	_, present := rec2.requests()[0].Header["X-Mailgun-On-Behalf-Of"]
	assert.False(t, present, "no on-behalf-of header unless configured")
}

func TestBodies(t *testing.T) {
	rec := newRecorder(t, nil)
	d := rec.doer()
	ctx := context.Background()

	j, err := JSON([]map[string]string{{"address": "a@example.com", "code": "550"}})
	require.NoError(t, err)
	require.NoError(t, d.Do(ctx, &Request{Method: http.MethodPost, Path: []string{"v3", "x"}, Body: j}, nil))
	form := url.Values{"event_types": {"delivered", "opened"}, "url": {"https://h.example/a?b=c"}, "description": {"ü +"}}
	require.NoError(t, d.Do(ctx, &Request{Method: http.MethodPut, Path: []string{"v3", "x"}, Body: Form(form)}, nil))

	reqs := rec.requests()
	assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	assert.JSONEq(t, `[{"address":"a@example.com","code":"550"}]`, string(reqs[0].Body))
	assert.Equal(t, "application/x-www-form-urlencoded", reqs[1].Header.Get("Content-Type"))
	assert.Equal(t, "description=%C3%BC+%2B&event_types=delivered&event_types=opened&url=https%3A%2F%2Fh.example%2Fa%3Fb%3Dc", string(reqs[1].Body))

	_, err = JSON(map[string]any{"bad": make(chan int)})
	assert.Error(t, err)
}

// readParts parses a multipart body into field name -> content.
func readParts(t *testing.T, s seen) map[string]string {
	_, params, err := mime.ParseMediaType(s.Header.Get("Content-Type"))
	require.NoError(t, err)
	mr := multipart.NewReader(bytes.NewReader(s.Body), params["boundary"])
	out := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		b, err := io.ReadAll(p)
		require.NoError(t, err)
		out[p.FormName()] = string(b)
		if p.FileName() != "" {
			out["filename:"+p.FormName()] = p.FileName()
		}
	}
}

// onlyReader hides every method but Read, so the body cannot be replayed.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestMultipartStreamsAndReplaysOnlyWhenItCan(t *testing.T) {
	const csv = "address,code,error,created_at\nalice@example.com,550,,\n"
	var calls atomic.Int32
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests) // retryable for POST too
			return
		}
		_, _ = io.WriteString(w, `{"message":"ok"}`)
	})
	d := rec.doer()

	// A seekable reader is rewound for the retry; the length is known.
	body, err := Multipart(url.Values{"note": {"x"}}, "file", "bounces.csv", strings.NewReader(csv))
	require.NoError(t, err)
	require.NoError(t, d.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"v3", "d", "bounces", "import"}, Body: body}, nil))
	reqs := rec.requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		parts := readParts(t, r)
		assert.Equal(t, csv, parts["file"])
		assert.Equal(t, "bounces.csv", parts["filename:file"])
		assert.Equal(t, "x", parts["note"])
	}

	// A plain stream cannot be sent twice: one attempt, the 429 returned.
	calls.Store(0)
	body, err = Multipart(nil, "file", "bounces.csv", onlyReader{strings.NewReader(csv)})
	require.NoError(t, err)
	err = d.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"v3", "d", "bounces", "import"}, Body: body}, nil)
	var se statusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusTooManyRequests, se.StatusCode)
	assert.Len(t, rec.requests(), 3)
	assert.Equal(t, csv, readParts(t, rec.requests()[2])["file"], "the one attempt carried the whole file")

	_, err = Multipart(nil, "file", "x.csv", nil)
	assert.Error(t, err)
}

func TestStreamRetriedWhenNothingWasRead(t *testing.T) {
	// A refused dial reads nothing of the body, so even a plain stream may go again.
	dialer := &countingDialer{}
	d := New(testConfig("http://"+closedAddr(t), dialer.client(false)))
	body, err := Multipart(nil, "file", "x.csv", onlyReader{strings.NewReader("address\na@example.com\n")})
	require.NoError(t, err)
	require.Error(t, d.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"v3", "d", "whitelists", "import"}, Body: body}, nil))
	assert.Equal(t, int32(4), dialer.n.Load())
}

func TestDecoding(t *testing.T) {
	type out struct {
		Message string `json:"message"`
	}
	cases := []struct {
		name    string
		ctype   string
		status  int
		body    string
		want    string
		wantErr string
	}{
		{"json", "application/json", 200, `{"message":"hi"}`, "hi", ""},
		{"json labelled text", "text/plain; charset=utf-8", 200, `{"message":"hi"}`, "hi", ""},
		{"empty 200", "", 200, ``, "", "GET /v3/x: invalid response: response body is empty"},
		{"204", "", 204, ``, "untouched", ""},
		{"whitespace", "application/json", 200, " \n", "", "response body is empty"},
		{"json scalar", "application/json", 200, `"OK"`, "", `response is not JSON: "\"OK\""`},
		{"null", "application/json", 200, `null`, "", `response is not JSON: "null"`},
		{"plain text OK", "text/plain", 200, "OK", "", `response is not JSON: "OK"`},
		{"truncated", "application/json", 200, `{"message":"h`, "", "GET /v3/x: invalid response: decoding response: unexpected end of JSON input"},
		{"html 200", "text/html", 200, `<html><head><title>Welcome to nginx!</title></head></html>`, "", `response is not JSON: "HTML page: Welcome to nginx!"`},
		{"wrong type", "application/json", 200, `{"message":42}`, "", "cannot unmarshal number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			v := out{Message: "untouched"}
			err := rec.doer().Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, &v)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Contains(t, err.Error(), "GET /v3/x", "the error names the call")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.Message)
		})
	}
}

func TestSuccessBodyLimit(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"message":"`+strings.Repeat("x", 4096)+`"}`)
	})
	d := rec.doer()
	d.maxBody = 1024
	var v map[string]string
	err := d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, &v)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than the 1024 byte limit")
}

func TestErrorMessages(t *testing.T) {
	cases := []struct {
		name, ctype, body string
		status            int
		message, field    string
	}{
		{"message", "application/json", `{"message":"Domain not found: example.invalid"}`, 404, "Domain not found: example.invalid", ""},
		{"Description", "application/json", `{"Description":"webhook not found"}`, 404, "webhook not found", ""},
		{"Reason", "application/json", `{"Reason":"invalid CNAME record"}`, 400, "invalid CNAME record", ""},
		{"error", "application/json", `{"error":"bad things"}`, 400, "bad things", ""},
		{"Field and Value", "application/json", `{"Field":"event_types","Value":"duplicate event types: 'accepted'"}`, 400, "event_types: duplicate event types: 'accepted'", "event_types"},
		{"plain Forbidden", "text/plain; charset=utf-8", "Forbidden", 401, "Forbidden", ""},
		{"html 502", "text/html", "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center></body></html>", 502, "HTML page: 502 Bad Gateway", ""},
		{"empty", "", "", 500, "", ""},
		{"json without message", "application/json", `{"foo":1}`, 400, "", ""},
		{"multi-line text", "text/plain", "line one\n\n  line two\t", 400, "line one line two", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			d := rec.doer(func(c *Config) { c.Retry.MaxRetries = 0 })
			err := d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, nil)
			var se statusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.status, se.StatusCode)
			assert.Equal(t, tc.message, se.Message)
			assert.Equal(t, tc.field, se.Field)
			assert.Equal(t, "GET", se.Method)
			assert.Equal(t, "/v3/x", se.Path)
			assert.Equal(t, tc.body, string(se.Body))
		})
	}
}

func TestHugeErrorBodyIsBounded(t *testing.T) {
	huge := append([]byte(`{"message":"`), bytes.Repeat([]byte("x"), 10<<20)...)
	huge = append(huge, `"}`...)
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(huge)
	})
	d := rec.doer()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, nil)
	runtime.ReadMemStats(&after)
	var se statusError
	require.ErrorAs(t, err, &se)
	assert.Len(t, se.Body, MaxErrorBody)
	assert.LessOrEqual(t, len(se.Message), 210, "the message is a one-line summary, not a dump")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "bytes allocated while handling a 10 MiB error body")
}

func TestConnectionsAreReused(t *testing.T) {
	var conns atomic.Int32
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Address not found in bounces table","padding":"`+strings.Repeat("p", 2048)+`"}`)
			return
		}
		_, _ = io.WriteString(w, `{"address":"a@example.com"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	d := New(testConfig(srv.URL, srv.Client()))
	failures := 0
	for range 200 {
		if err := d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "example.com", "bounces", "a@example.com"}}, &struct{}{}); err != nil {
			failures++
		}
	}
	assert.Equal(t, 100, failures)
	assert.LessOrEqual(t, conns.Load(), int32(2), "TCP connections opened for 200 sequential calls")
}

func TestCursorRequests(t *testing.T) {
	rec := newRecorder(t, nil)
	d := rec.doer()
	require.NoError(t, d.Do(context.Background(), &Request{Method: http.MethodGet, Cursor: "/v3/example.com/bounces?page=next&address=bob%2Bnews%40example.com&limit=100"}, nil))
	assert.Equal(t, "/v3/example.com/bounces?page=next&address=bob%2Bnews%40example.com&limit=100", rec.requests()[0].RequestURI)
	for _, bad := range []string{"//evil.example/v3/x", "https://evil.example/v3/x", "/v3/../admin", "/api/v3/x", "v3/x", "/v3//x", "/v3/x#frag"} {
		err := d.Do(context.Background(), &Request{Method: http.MethodGet, Cursor: bad}, nil)
		assert.ErrorIs(t, err, errInvalid, bad)
	}
	assert.Len(t, rec.requests(), 1)
}

func TestCursorFromLink(t *testing.T) {
	cases := []struct{ link, want string }{
		{"https://api.mailgun.net/v3/example.com/bounces?page=next&address=bob%2Bnews%40example.com&limit=100&term=", "/v3/example.com/bounces?page=next&address=bob%2Bnews%40example.com&limit=100&term="},
		{"https://evil.example:8443/v3/example.com/events/W3siYiI6IjIwMjQifV0=", "/v3/example.com/events/W3siYiI6IjIwMjQifV0="},
		{"http://127.0.0.1:9999/proxy/v2/example.com/events/abc", "/v2/example.com/events/abc"},
		{"/v3/example.com/bounces?page=next", "/v3/example.com/bounces?page=next"},
	}
	for _, tc := range cases {
		got, err := CursorFromLink(tc.link)
		require.NoError(t, err, tc.link)
		assert.Equal(t, tc.want, got)
	}
	for _, bad := range []string{"https://api.mailgun.net/example.com/bounces", "::", "https://api.mailgun.net/v3/../x"} {
		_, err := CursorFromLink(bad)
		assert.Error(t, err, bad)
	}
}

func TestTransportErrorsNameTheCall(t *testing.T) {
	d := New(testConfig("http://"+closedAddr(t), (&countingDialer{}).client(false)))
	d.retry.MaxRetries = 0
	err := d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "example.com", "bounces"}, Query: url.Values{"limit": {"5"}}}, nil)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "mailgun: GET /v3/example.com/bounces: "), err.Error())
	var opErr *net.OpError
	assert.True(t, errors.As(err, &opErr), "the net error stays inspectable")
	assert.NotContains(t, err.Error(), "key-secret")
}

// endless reads 'x' forever.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func TestReadLimited(t *testing.T) {
	const limit = 100
	for _, tc := range []struct {
		name    string
		body    io.Reader
		size    int64
		wantLen int
		wantErr bool
	}{
		{"exactly the limit, unknown size", strings.NewReader(strings.Repeat("a", limit)), -1, limit, false},
		{"exactly the limit, known size", strings.NewReader(strings.Repeat("a", limit)), limit, limit, false},
		{"one byte over", strings.NewReader(strings.Repeat("a", limit+1)), -1, 0, true},
		{"endless", endless{}, -1, 0, true},
		{"empty", strings.NewReader(""), -1, 0, false},
		{"small into a big buffer", strings.NewReader("abc"), -1, 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readLimited(tc.body, make([]byte, 0, 1024), tc.size, limit)
			if tc.wantErr {
				assert.ErrorContains(t, err, "larger than the 100 byte limit")
				return
			}
			require.NoError(t, err)
			assert.Len(t, got, tc.wantLen)
		})
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := readLimited(endless{}, nil, -1, 8<<20)
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(17<<20), "an endless body costs about twice the limit")
}

// Redirects are never followed, for the default client or one the caller
// gave (which keeps its own CheckRedirect): the Authorization header must
// not travel to another port or scheme, and a POST must not turn into a GET.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(other.Close)
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/v3/d/bounces", http.StatusFound)
	})
	followed := 0
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { followed++; return nil }}
	d := New(testConfig(rec.srv.URL, hc))
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		err := d.Do(context.Background(), &Request{Method: method, Path: []string{"v3", "d", "bounces"}, Body: Form(url.Values{"a": {"b"}})}, nil)
		var se statusError
		require.ErrorAs(t, err, &se, method)
		assert.Equal(t, http.StatusFound, se.StatusCode)
	}
	assert.Zero(t, elsewhere.Load(), "nothing reached the redirect target")
	assert.Len(t, rec.requests(), 2, "3xx is not retried")
	assert.Zero(t, followed, "the caller's CheckRedirect was not consulted")
	require.NotNil(t, hc.CheckRedirect, "the caller's client is unchanged")
}
