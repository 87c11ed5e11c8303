// Package doer is the one place where the SDK's HTTP rules live: URL
// building and escaping, body encoding, authentication and headers,
// retries with backoff, response decoding and error decoding.
package doer

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// MaxResponseBody bounds a success body. A larger body is an error, so that a
// broken or hostile server cannot make the client buffer without limit.
const MaxResponseBody = 32 << 20

// maxDrain is how much of an unread body is discarded to keep the connection
// for reuse; a longer body closes the connection instead.
const maxDrain = 256 << 10

// Config is everything a Doer needs. It is copied by New.
type Config struct {
	BaseURL    string // scheme://host[/prefix], without a trailing slash
	APIKey     string
	HTTPClient *http.Client // required
	UserAgent  string
	OnBehalfOf string
	Retry      RetryPolicy
	Logger     *slog.Logger // nil: no logging
	// MailgunLinks (a region client) sends a Request.Link as it is when
	// it names one of Mailgun's API or storage hosts over https; any other
	// link is refused. Without it every link is rebased onto the base URL.
	// See Doer.LinkTarget.
	MailgunLinks bool

	// InvalidArgument is wrapped by errors for requests rejected before sending.
	InvalidArgument error
	// InvalidResponse is wrapped by errors for 2xx responses that cannot be decoded.
	InvalidResponse error
	// Connection is wrapped by errors for requests or responses that did
	// not get through: refused or reset connections, failed TLS
	// handshakes, timed-out attempts, bodies cut short or badly framed.
	Connection error
	// OutcomeUnknown is wrapped, next to the cause, by the error of a write
	// that may have been acted on while no definitive answer came back
	// (see Doer.Do for the rule).
	OutcomeUnknown error
	// NewError turns a non-2xx response into the error callers see.
	NewError func(*HTTPError) error
}

// Doer sends requests. It is immutable and safe for concurrent use.
type Doer struct {
	base   string
	hc     *http.Client
	retry  RetryPolicy
	logger *slog.Logger

	// authorization holds the Authorization header value in a closure, so no
	// fmt verb or reflection-based printer can reach the key.
	authorization func() []string
	userAgent     []string
	onBehalfOf    []string

	mailgunLinks bool

	invalidArgument error
	invalidResponse error
	connection      error
	outcomeUnknown  error
	newError        func(*HTTPError) error
	now             func() time.Time
	sleep           func(context.Context, time.Duration) bool // false when ctx ended first
	jitter          func(n int64) int64                       // uniform in [0, n)
	maxBody         int64                                     // MaxResponseBody; smaller in tests
}

var acceptJSON = []string{"application/json"}

// withoutRedirects returns a copy of hc (hc itself is never changed) that
// does not follow redirects: the API has none, and following one could
// send the Authorization header to another port or scheme of the same host,
// or turn a POST into a GET that looks like a success. A 3xx is returned
// as an HTTP error instead.
func withoutRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// New returns a Doer for c.
func New(c Config) *Doer {
	auth := []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("api:"+c.APIKey))}
	d := &Doer{
		base:            strings.TrimRight(c.BaseURL, "/"),
		hc:              withoutRedirects(c.HTTPClient),
		retry:           c.Retry,
		logger:          c.Logger,
		authorization:   func() []string { return auth },
		userAgent:       []string{c.UserAgent},
		invalidArgument: c.InvalidArgument,
		invalidResponse: c.InvalidResponse,
		connection:      c.Connection,
		outcomeUnknown:  c.OutcomeUnknown,
		newError:        c.NewError,
		now:             time.Now,
		sleep:           sleep,
		jitter:          rand.Int64N,
		maxBody:         MaxResponseBody,
		mailgunLinks:    c.MailgunLinks,
	}
	if c.OnBehalfOf != "" {
		d.onBehalfOf = []string{c.OnBehalfOf}
	}
	if d.invalidArgument == nil {
		d.invalidArgument = errors.New("invalid argument")
	}
	if d.invalidResponse == nil {
		d.invalidResponse = errors.New("invalid response")
	}
	if d.connection == nil {
		d.connection = errors.New("connection failed")
	}
	if d.outcomeUnknown == nil {
		d.outcomeUnknown = errors.New("outcome unknown")
	}
	if d.newError == nil {
		d.newError = func(e *HTTPError) error {
			return fmt.Errorf("%s %s: status %d: %s", e.Method, e.Path, e.StatusCode, e.Message)
		}
	}
	return d
}

// Request is one API call.
type Request struct {
	Method string
	// Path holds the unescaped path segments ("v3", domain, "bounces").
	// Each is escaped as exactly one segment.
	Path []string
	// Cursor, when set, replaces Path and Query: a version-rooted escaped
	// path and query from CursorFromLink, used as it is.
	Cursor string
	Query  url.Values
	// Link, when set, replaces Path, Query and Cursor: an absolute URL the
	// API gave (a stored message's storage URL), sent where LinkTarget says.
	Link string
	Body Body
	// Accept replaces the Accept header (default application/json).
	Accept string
	// Idempotent marks a POST that only reads (an analytics query), so it
	// is retried like a GET.
	Idempotent bool
	// FinalStatuses are statuses this endpoint uses for a final answer,
	// never retried even where the retry rules would (an x509 PUT answers
	// 429 for "already in progress").
	FinalStatuses []int
	// AllowEmpty accepts an empty body with any 2xx, for an endpoint
	// documented to answer so. Without it only a 204 (or a HEAD) may be
	// empty.
	AllowEmpty bool
}

// Do sends r and decodes a JSON success body into out (which may be nil).
// Every 2xx body is checked, also when out is nil: it must be a JSON
// object or array, or empty for a 204 (or with Request.AllowEmpty), which
// leaves out untouched; anything else (an HTML or plain-text page, a
// truncated body, a body over MaxResponseBody) is an error wrapping
// Config.InvalidResponse with a short excerpt, and is not retried.
// Non-2xx responses become the error made by Config.NewError. Retries follow the policy; the context
// bounds the whole call, waits included.
//
// Outcome of a write. A request is a write unless its method is GET, HEAD,
// OPTIONS or TRACE, or it is marked Idempotent (an analytics POST that only
// reads). Each attempt of a write either
//   - left the server untouched: it was refused (408, 420, 429, a 3xx,
//     which the API never sends) or never sent: the context ended before
//     the attempt, or no connection was made for it (the dial, DNS
//     lookup, proxy connect or TLS handshake failed, or the attempt
//     timeout, the idle bound or the context ended it first). The doer
//     knows that through net/http/httptrace: a connection was asked for
//     (GetConn) and none was handed over (GotConn), as net/http's
//     transport reports; with a transport that reports neither, only a
//     dial, DNS or proxy-connect error counts as never sent;
//   - may have been acted on: the connection broke or the attempt timed
//     out once a connection was made (the request may have been written;
//     a write that failed on a reused keep-alive connection counts here,
//     although net/http may have written nothing: it does not say), a
//     5xx, a 2xx whose body could not be read or decoded;
//   - or answered definitively: a valid 2xx, or any other 4xx.
//
// A transport failure of an attempt that was never sent is retried for
// every method (a certificate error is never retried); once a connection
// was made, a transport failure is retried only for idempotent methods
// (GET, HEAD, PUT, DELETE, OPTIONS) and Idempotent requests.
//
// When a write fails after an attempt that may have been acted on and no
// later attempt answered definitively, its error wraps
// Config.OutcomeUnknown next to the cause (the connection error, the
// *HTTPError made by NewError, the invalid response), also when the
// caller's context ended afterwards. Reads never wrap it.
//
// A retried DELETE that answers 404 after an attempt that may have been
// acted on returns nil: that attempt may have deleted the resource, and
// either way it is gone. A 404 to a DELETE whose earlier attempts were
// all refused (or to its first attempt) stays an error.
func (d *Doer) Do(ctx context.Context, r *Request, out any) error {
	target, path, err := d.target(r)
	if err != nil {
		return fmt.Errorf("%w: %s", d.invalidArgument, err)
	}
	repeatable := idempotent(r.Method) || r.Idempotent
	write := !readOnly(r.Method) && !r.Idempotent
	// uncertain: an attempt may have been acted on and no later one answered definitively.
	uncertain := false
	settle := func(err error) error {
		if write && uncertain {
			return fmt.Errorf("%w (%w)", err, d.outcomeUnknown)
		}
		return err
	}
	var lastErr error // the last attempt's failure, for an error after the context ended
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return settle(d.contextError(ctx, r.Method, path, lastErr))
		}
		start := d.now()
		res := d.attempt(ctx, r, target, path, repeatable, out)
		if r.Body != nil {
			r.Body.finish()
		}
		if uncertain && res.status == http.StatusNotFound && r.Method == http.MethodDelete {
			// An earlier attempt may have deleted it: the delete did its job.
			res.err = nil
		}
		switch res.outcome {
		case actedOn:
			uncertain = true
		case definitive:
			uncertain = false
		}
		if res.err == nil {
			d.log(ctx, r.Method, path, attempt, res.status, d.now().Sub(start), -1, nil)
			return nil
		}
		if ctx.Err() != nil {
			var last error
			if res.status >= 300 {
				last = res.err
			}
			return settle(d.contextError(ctx, r.Method, path, last))
		}
		canRetry := res.retryable && attempt < d.retry.MaxRetries && !slices.Contains(r.FinalStatuses, res.status)
		if canRetry && r.Body != nil {
			// Only now, with a retry to follow, wait for a read still
			// running in a source that the retry rewinds.
			if err := r.Body.settle(ctx, d.settleLimit()); err != nil {
				return settle(d.contextError(ctx, r.Method, path, res.err))
			}
			if !r.Body.replayable() {
				res.err = notRetried(res.err, r.Body)
				canRetry = false
			}
		}
		if !canRetry {
			d.log(ctx, r.Method, path, attempt, res.status, d.now().Sub(start), -1, res.logErr)
			return settle(res.err)
		}
		wait := d.retry.backoff(attempt, res.hint, res.hasHint, d.jitter)
		d.log(ctx, r.Method, path, attempt, res.status, d.now().Sub(start), wait, res.logErr)
		lastErr = res.err
		if !d.sleep(ctx, wait) {
			return settle(d.contextError(ctx, r.Method, path, res.err))
		}
	}
}

// settleLimit bounds the wait, before a retry, for a read of the body
// still running in a source that the retry rewinds: the idle bound (the
// read is making no progress), else the attempt bound, else none but the
// caller's context.
func (d *Doer) settleLimit() time.Duration {
	if d.retry.IdleTimeout > 0 {
		return d.retry.IdleTimeout
	}
	return d.retry.AttemptTimeout
}

// contextError reports that the caller's context ended; it wraps the
// context's error and, when one attempt had failed already, that failure.
func (d *Doer) contextError(ctx context.Context, method, path string, last error) error {
	if last != nil {
		return fmt.Errorf("mailgun: %s %s: %w (after: %w)", method, path, ctx.Err(), last)
	}
	return fmt.Errorf("mailgun: %s %s: %w", method, path, ctx.Err())
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// target returns the full URL and the escaped path (for errors and logs).
func (d *Doer) target(r *Request) (string, string, error) {
	if r.Link != "" {
		return d.LinkTarget(r.Link)
	}
	if r.Cursor != "" {
		if err := CheckCursor(r.Cursor); err != nil {
			return "", "", err
		}
		path, _, _ := strings.Cut(r.Cursor, "?")
		return d.base + r.Cursor, path, nil
	}
	if len(r.Path) == 0 {
		return "", "", errors.New("no path")
	}
	target, err := buildURL(d.base, r.Path)
	if err != nil {
		return "", "", err
	}
	path := target[len(d.base):]
	if len(r.Query) > 0 {
		target += "?" + r.Query.Encode()
	}
	return target, path, nil
}

type result struct {
	err       error
	logErr    error // a transport error worth logging; never a body
	status    int
	retryable bool
	outcome   outcome
	hint      time.Duration
	hasHint   bool
}

// outcome is what an attempt tells about the server's state (see Do).
type outcome uint8

const (
	untouched  outcome = iota // refused or never sent: nothing happened
	actedOn                   // may have been acted on; no valid answer
	definitive                // a valid 2xx, or a 4xx other than 408, 420, 429
)

// statusOutcome classifies a non-2xx response.
func statusOutcome(code int) outcome {
	switch {
	case code == http.StatusRequestTimeout || code == 420 || code == http.StatusTooManyRequests:
		return untouched
	case code >= 400 && code < 500:
		return definitive
	case code >= 300 && code < 400:
		return untouched // the API never redirects: something else answered
	}
	return actedOn
}

func (d *Doer) attempt(ctx context.Context, r *Request, target, path string, repeatable bool, out any) result {
	actx := ctx
	if d.retry.AttemptTimeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, d.retry.AttemptTimeout)
		defer cancel()
	}
	var watch *idleWatch
	if d.retry.IdleTimeout > 0 {
		// Stopped after the deferred closeBody below has drained the body.
		actx, watch = watchIdle(actx, d.retry.IdleTimeout)
		defer watch.stop()
	}
	conn := newConnTrace()
	actx = httptrace.WithClientTrace(actx, &conn.trace)
	req, err := http.NewRequestWithContext(actx, r.Method, target, nil)
	if err != nil {
		return result{err: fmt.Errorf("%w: %s %s: %v", d.invalidArgument, r.Method, path, err)}
	}
	if r.Body != nil {
		body, size, err := r.Body.open(actx)
		if err != nil {
			return result{err: fmt.Errorf("mailgun: %s %s: %w", r.Method, path, err)}
		}
		req.Body, req.ContentLength = watch.reader(body), size
		if bb, ok := r.Body.(*bytesBody); ok {
			req.GetBody = func() (io.ReadCloser, error) { return watch.extraReader(io.NopCloser(bytes.NewReader(bb.data))), nil }
			if size == 0 {
				req.Body = http.NoBody
			}
		}
		req.Header["Content-Type"] = []string{r.Body.ContentType()}
	}
	req.Header["Authorization"] = d.authorization()
	req.Header["User-Agent"] = d.userAgent
	req.Header["Accept"] = acceptJSON
	if r.Accept != "" {
		req.Header["Accept"] = []string{r.Accept}
	}
	if d.onBehalfOf != nil {
		req.Header["X-Mailgun-On-Behalf-Of"] = d.onBehalfOf
	}

	resp, err := d.hc.Do(req)
	if err != nil {
		err = unwrapURLError(err)
		if watch.expired() {
			err = context.Cause(actx) // the *IdleTimeoutError, whatever the transport made of it
		}
		unsent := conn.unsent(err)
		res := result{
			err:       fmt.Errorf("mailgun: %s %s: %w: %w", r.Method, path, d.connection, err),
			logErr:    err,
			retryable: retryableTransport(err, repeatable, unsent),
		}
		if !unsent {
			res.outcome = actedOn
		}
		return res
	}
	watch.progress()
	resp.Body = watch.reader(resp.Body)
	atEOF := false
	defer func() { closeBody(resp.Body, atEOF) }()

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		var err error
		allowEmpty := r.AllowEmpty || resp.StatusCode == http.StatusNoContent || r.Method == http.MethodHead
		if atEOF, err = d.decode(resp.Body, resp.ContentLength, out, allowEmpty); err != nil {
			var re *readError
			if errors.As(err, &re) {
				if watch.expired() {
					re.err = context.Cause(actx)
				}
				return result{
					err:       fmt.Errorf("mailgun: %s %s: %w: reading response: %w", r.Method, path, d.connection, re.err),
					logErr:    re.err,
					status:    resp.StatusCode,
					retryable: retryableTransport(re.err, repeatable, false),
					outcome:   actedOn,
				}
			}
			return result{
				err:     fmt.Errorf("mailgun: %s %s: %w: %s", r.Method, path, d.invalidResponse, err),
				status:  resp.StatusCode,
				outcome: actedOn,
			}
		}
		return result{status: resp.StatusCode, outcome: definitive}
	}

	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	msg, field := errorMessage(body)
	hint, hasHint := retryHint(resp.Header, resp.StatusCode, d.now())
	he := &HTTPError{
		StatusCode: resp.StatusCode,
		Method:     r.Method,
		Path:       path,
		Message:    msg,
		Field:      field,
		Header:     resp.Header,
		Body:       body,
	}
	if hasHint {
		he.RetryAfter = hint
	}
	return result{
		err:       d.newError(he),
		status:    resp.StatusCode,
		retryable: retryableStatus(resp.StatusCode, repeatable),
		outcome:   statusOutcome(resp.StatusCode),
		hint:      hint,
		hasHint:   hasHint,
	}
}

// BodyDecoder is implemented by response types that decode the whole body
// themselves (to keep raw parts of it without a second parse). DecodeBody
// gets the non-empty body and must copy any bytes it keeps: the buffer is
// reused.
type BodyDecoder interface {
	DecodeBody(body []byte) error
}

// readError marks a failure to read the body, as opposed to a body that is not valid JSON.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }

// bufPool holds read buffers of up to maxPooledBuffer bytes, so that
// decoding a typical page allocates no read buffer at all.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

const maxPooledBuffer = 4 << 20

func (d *Doer) decode(body io.Reader, size int64, out any, allowEmpty bool) (atEOF bool, err error) {
	if size > d.maxBody {
		return false, fmt.Errorf("response body of %d bytes is larger than the %d byte limit", size, d.maxBody)
	}
	bp := bufPool.Get().(*[]byte)
	raw, err := readLimited(body, (*bp)[:0], size, d.maxBody)
	defer func() {
		// After decoding: json.Unmarshal copies what it keeps, so the
		// buffer can serve the next response.
		if cap(raw) <= maxPooledBuffer {
			*bp = raw[:0]
			bufPool.Put(bp)
		}
	}()
	if err != nil {
		return false, err
	}
	b := bytes.TrimSpace(raw)
	switch {
	case len(b) == 0:
		if allowEmpty {
			return true, nil
		}
		return true, errors.New("response body is empty")
	case b[0] != '{' && b[0] != '[':
		msg, _ := errorMessage(b)
		return true, fmt.Errorf("response is not JSON: %q", msg)
	}
	switch o := out.(type) {
	case nil:
		if !json.Valid(b) {
			var v json.RawMessage
			err = json.Unmarshal(b, &v) // the syntax error, for the message
		}
	case BodyDecoder:
		err = o.DecodeBody(b)
	default:
		err = json.Unmarshal(b, out)
	}
	if err != nil {
		return true, fmt.Errorf("decoding response: %w", err)
	}
	return true, nil
}

// maxInitialBuffer bounds the buffer allocated on the strength of a
// Content-Length: the header is a claim, so a larger body is read into a
// buffer that grows with what actually arrives.
const maxInitialBuffer = 64 << 10

// readLimited reads r into buf. A known size up to maxInitialBuffer is
// allocated at once; beyond it, and for an unknown size, the buffer grows by
// doubling as bytes arrive but never past limit, so a body that never ends
// costs about twice the limit, once, and a false Content-Length costs
// nothing.
func readLimited(r io.Reader, buf []byte, size, limit int64) ([]byte, error) {
	if size >= 0 {
		if want := min(size+1, limit, maxInitialBuffer); int64(cap(buf)) < want {
			buf = make([]byte, 0, want) // +1 to see EOF without growing
		}
	}
	for {
		if int64(len(buf)) >= limit {
			// Full: one more byte means the body is too large.
			var probe [1]byte
			n, err := io.ReadFull(r, probe[:])
			if n > 0 {
				return buf, fmt.Errorf("response body is larger than the %d byte limit", limit)
			}
			if err == io.EOF {
				return buf, nil
			}
			return buf, &readError{err: err}
		}
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(max(2*int64(cap(buf)), 4096), limit))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):min(int64(cap(buf)), limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, &readError{err: err}
		}
	}
}

func closeBody(b io.ReadCloser, atEOF bool) {
	if !atEOF {
		_, _ = io.CopyN(io.Discard, b, maxDrain)
	}
	_ = b.Close()
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (d *Doer) log(ctx context.Context, method, path string, attempt, status int, took, wait time.Duration, err error) {
	if d.logger == nil || !d.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("attempt", attempt+1),
		slog.Int("status", status),
		slog.Duration("took", took),
	}
	if wait >= 0 {
		attrs = append(attrs, slog.Duration("wait", wait))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	d.logger.LogAttrs(ctx, slog.LevelDebug, "mailgun request", attrs...)
}
