// Package mailguntest is an in-process fake of the Mailgun API for tests.
//
// NewServer starts a stateful server for every endpoint the SDK wraps. It
// checks basic auth, keeps suppressions, account webhooks, alerts, tracking
// settings and an event log in memory per domain, pages like the real API
// and answers errors in the real shapes and statuses. Stats, metrics and
// logs are computed from the event log, so their numbers agree.
//
//	srv := mailguntest.NewServer(t)
//	c := srv.Client()
//	_, err := c.Bounces.Get(ctx, "example.com", "bob@example.com") // ErrNotFound
//
// Seed state with AddBounces, AddAllowlist, AddEvents and friends, and read
// it back with Bounces, Allowlist, Events, AccountWebhooks. Fail injects
// faults (an error status with Retry-After, latency, a dropped connection)
// for a number of calls, and Requests lists what the server received.
// DeliverAlert and DeliverWebhook POST signed webhooks to your handlers.
//
// Sent messages live a lifecycle: accepted, then delivered or failed
// (suppressed, bounced, temporary failures then delivery, by
// SetRecipientRule), opened and clicked on demand (Open, Click); each event
// reaches the event log and the registered webhooks, signed and retried.
// Messages lists what was sent. A Clock (WithManualClock) makes the
// lifecycle run only when the test moves time.
package mailguntest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mgkit/mailgun"
)

// DefaultAPIKey is the key a Server accepts unless WithAPIKey says otherwise.
const DefaultAPIKey = "key-mailguntest"

// FaultHeader is set on every response produced by an injected fault, so
// that contract checks can tell them from real answers.
const FaultHeader = "X-Mailguntest-Fault"

// maxLoggedBody is how much of each request body Requests keeps.
const maxLoggedBody = 64 << 10

// Server is a fake Mailgun API. Its methods are safe for concurrent use.
type Server struct {
	srv      *httptest.Server
	listener net.Listener // from WithListener; nil: a loopback port of its own
	apiKey   string
	now      func() time.Time

	mu       sync.Mutex
	requests []*Request // an entry may be completed after its answer (logRequest)
	faults   []*faultRule
	rng      *rand.Rand // for Fault.Probability; guarded by mu

	state
}

// Request is one request the server received.
type Request struct {
	Method string
	// Path is the escaped path as it arrived on the request line.
	Path string
	// RawQuery is the query as it arrived.
	RawQuery string
	Query    url.Values
	Header   http.Header
	// Body holds the first 64 KiB of the body; BodySize counts all of it.
	Body     []byte
	BodySize int64
	// Fault reports whether an injected fault answered this request.
	Fault bool
}

// Option configures a Server.
type Option func(*Server)

// WithAPIKey makes the server accept key instead of DefaultAPIKey.
func WithAPIKey(key string) Option { return func(s *Server) { s.apiKey = key } }

// WithListener makes the server accept connections on l (for a fixed
// address, such as "mailgun fake" serves) instead of a loopback port of
// its own. Close closes l.
func WithListener(l net.Listener) Option { return func(s *Server) { s.listener = l } }

// WithClock makes the server read the time from now, for deterministic
// timestamps and for tests that move time forward. Delayed steps of the
// message lifecycle then run once now reaches their time, which the
// server checks every few milliseconds; WithManualClock runs them at
// exactly that point instead.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// NewServer starts a server and stops it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// Start starts a server outside a test (in a demo program, say); the
// caller must Close it.
func Start(opts ...Option) *Server {
	s := &Server{apiKey: DefaultAPIKey, now: time.Now, rng: rand.New(rand.NewPCG(1, 2))}
	for _, opt := range opts {
		opt(s)
	}
	s.srv = httptest.NewUnstartedServer(s.serve(s.routes()))
	if s.listener != nil {
		_ = s.srv.Listener.Close()
		s.srv.Listener = s.listener
	}
	s.srv.Start()
	return s
}

// URL returns the server's base URL, for mailgun.WithBaseURL.
func (s *Server) URL() string { return s.srv.URL }

// APIKey returns the key the server accepts.
func (s *Server) APIKey() string { return s.apiKey }

// HTTPClient returns an http.Client for the server.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Close stops the server and its message lifecycle: pending deliveries and
// webhook retries are dropped, and webhook POSTs in flight are cancelled
// and waited for.
// NewServer arranges for it to be called when the test ends; servers from
// Start must be closed by their caller.
func (s *Server) Close() {
	s.stopLifecycle()
	s.srv.Close()
}

// Client returns a client for this server with fast retries (1 ms base,
// 20 ms cap), so tests with injected faults stay quick; opts apply after
// those defaults and can override them.
func (s *Server) Client(opts ...mailgun.Option) *mailgun.Client {
	base := []mailgun.Option{
		mailgun.WithBaseURL(s.URL()),
		mailgun.WithHTTPClient(s.HTTPClient()),
		mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}),
	}
	c, err := mailgun.NewClient(s.apiKey, append(base, opts...)...)
	if err != nil {
		panic("mailguntest: " + err.Error())
	}
	return c
}

// Requests returns a copy of the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
	}
	return out
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Fault is what an injected failure does to a matching request.
type Fault struct {
	// Status, when not zero, answers with this status and a JSON
	// {"message": ...} body (or Body, when set) instead of the real handler.
	Status int
	// RetryAfter, when not empty, is sent as the Retry-After header
	// (seconds such as "0" or "2", or an HTTP date).
	RetryAfter string
	// Header adds response headers, such as X-Request-Reset.
	Header http.Header
	// Body replaces the JSON error body, for HTML or plain-text errors.
	Body string
	// Delay waits before answering (or before the real handler runs when
	// Status is zero). The wait ends early if the client goes away.
	Delay time.Duration
	// DropConnection closes the connection without an answer.
	DropConnection bool
	// DropAfterHandler lets the request through (the auth check, then the
	// real handler, whose effect stays: a send is accepted, a bounce
	// stored), then closes the connection without its answer: the client
	// cannot know the outcome (mailgun.ErrOutcomeUnknown for a write), so
	// a test can check how it reconciles. Status and DropConnection win
	// over it.
	DropAfterHandler bool
	// Probability, when between 0 and 1, applies the fault to each matching
	// request with that chance (from a fixed seed, so runs repeat); times
	// then counts only the requests it hit. Zero means every request.
	Probability float64
}

type faultRule struct {
	method, pattern string
	fault           Fault
	left            int // < 0: forever
}

// Fail injects f into the next times requests whose method matches method
// ("" or "*" for any) and whose unescaped path matches pattern (path.Match
// syntax: "*" matches within one segment, so "/v3/*/bounces/*" matches a
// bounce lookup on any domain). times < 0 means every matching request
// until ClearFaults. Rules are tried in the order they were added.
func (s *Server) Fail(method, pattern string, f Fault, times int) {
	if times == 0 {
		return
	}
	if _, err := path.Match(pattern, "/"); err != nil {
		panic("mailguntest: bad path pattern " + pattern + ": " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultRule{method: strings.ToUpper(method), pattern: pattern, fault: f, left: times})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.method != "" && f.method != "*" && f.method != r.Method {
			continue
		}
		if ok, _ := path.Match(f.pattern, r.URL.Path); !ok {
			continue
		}
		if p := f.fault.Probability; p > 0 && p < 1 && s.rng.Float64() >= p {
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f.fault, true
	}
	return Fault{}, false
}

// serve wraps the API handler with the request log, fault injection and the auth check.
func (s *Server) serve(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := Request{
			Method:   r.Method,
			Path:     r.URL.EscapedPath(),
			RawQuery: r.URL.RawQuery,
			Query:    r.URL.Query(),
			Header:   r.Header.Clone(),
		}
		capture := &captureReader{r: r.Body}
		r.Body = capture
		answered := false // a normal answer, which may go before the rest of the body is read
		defer func() { s.logRequest(w, r, capture, &rec, answered) }()

		f, faulted := s.takeFault(r)
		if faulted {
			rec.Fault = true
			if s.applyFault(w, r, f) {
				answered = f.Status != 0 && !f.DropConnection && r.Context().Err() == nil
				return
			}
		}
		answered = true
		user, pass, ok := r.BasicAuth()
		if !ok || user != "api" || pass != s.apiKey {
			w.Header().Set("Www-Authenticate", `Basic realm="MG API"`)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "Forbidden")
			return
		}
		answered = false // until the handler returns, not panics
		if faulted && f.DropAfterHandler {
			api.ServeHTTP(httptest.NewRecorder(), r)
			dropConnection(w)
			return
		}
		api.ServeHTTP(w, r)
		answered = true
	})
}

// logRequest adds rec to the request log with the body, reading what the
// handler left unread (up to 64 KiB more). When the handler answered
// without reading the whole body (a 401, an injected fault), the answer is
// flushed first, so a client still streaming its body gets it now, as
// from the real API; the entry is logged before that flush, so the client
// finds it in Requests once answered, and completed after the read.
func (s *Server) logRequest(w http.ResponseWriter, r *http.Request, capture *captureReader, rec *Request, answered bool) {
	unread := !capture.eof && (r.ContentLength < 0 || capture.n < r.ContentLength)
	// A client that expects 100-continue sends the body only when asked,
	// which reading it does: it is read first, as before.
	early := answered && unread && !strings.EqualFold(r.Header.Get("Expect"), "100-continue")
	if early {
		rec.Body, rec.BodySize = bytes.Clone(capture.head.Bytes()), capture.n
		s.mu.Lock()
		s.requests = append(s.requests, rec)
		s.mu.Unlock()
		rc := http.NewResponseController(w)
		_ = rc.EnableFullDuplex() // else net/http reads the body before it answers
		_ = rc.Flush()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(capture, maxLoggedBody))
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Body, rec.BodySize = capture.head.Bytes(), capture.n
	if !early {
		s.requests = append(s.requests, rec)
	}
}

// applyFault carries out f and reports whether it answered the request.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f.DropConnection {
		dropConnection(w)
		return true
	}
	if f.Status == 0 {
		return false
	}
	h := w.Header()
	h.Set(FaultHeader, "true")
	for k, vs := range f.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if f.RetryAfter != "" {
		h.Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", http.DetectContentType([]byte(f.Body)))
		}
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
		return true
	}
	writeError(w, f.Status, http.StatusText(f.Status))
	return true
}

// dropConnection closes the connection of w without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// captureReader keeps the first bytes of a body for the request log while
// the handler reads it as a stream.
type captureReader struct {
	r    io.ReadCloser
	head bytes.Buffer
	n    int64
	eof  bool // the body ended
}

func (c *captureReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if room := maxLoggedBody - c.head.Len(); room > 0 {
		c.head.Write(p[:min(n, room)])
	}
	c.n += int64(n)
	c.eof = c.eof || err == io.EOF
	return n, err
}

func (c *captureReader) Close() error { return c.r.Close() }

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers with the {"message": ...} error shape most endpoints use.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"message": message})
}

// writeDescription answers with the {"Description": ...} shape of the
// account webhooks' 404 and 409.
func writeDescription(w http.ResponseWriter, status int, text string) {
	writeJSON(w, status, map[string]string{"Description": text})
}

// writeFieldError answers 400 with the {"Field": ..., "Value": ...} shape
// of the webhook APIs.
func writeFieldError(w http.ResponseWriter, field, value string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"Field": field, "Value": value})
}

// writeReason answers with the {"Reason": ...} shape of the tracking and
// v4 webhook APIs.
func writeReason(w http.ResponseWriter, status int, reason string) {
	writeJSON(w, status, map[string]string{"Reason": reason})
}

// writeNoContent answers 204 with no body.
func writeNoContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// knownDomain answers 404 "Domain not found" (and reports false) for a
// domain name the fake cannot host.
func knownDomain(w http.ResponseWriter, domain string) bool {
	if !validHostname(domain) {
		writeError(w, http.StatusNotFound, "Domain not found")
		return false
	}
	return true
}

// sendingDomain is knownDomain for the sending API, whose 404 names the
// domain ("Domain not found: example.invalid").
func sendingDomain(w http.ResponseWriter, domain string) bool {
	if !validHostname(domain) {
		writeError(w, http.StatusNotFound, "Domain not found: "+domain)
		return false
	}
	return true
}

// maxFormBody bounds the form and JSON bodies the fake reads.
const maxFormBody = 10 << 20

// readForm reads an urlencoded or multipart form body of at most
// maxFormBody bytes and returns its values; any other Content-Type is an
// error.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch mt {
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "multipart/form-data":
		err = r.ParseMultipartForm(maxFormBody)
	default:
		err = fmt.Errorf("unsupported Content-Type %q", r.Header.Get("Content-Type"))
	}
	if err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// baseURL returns the absolute URL prefix for links in responses, as seen by the client.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
