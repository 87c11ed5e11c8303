package mailgun

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// Sentinel errors for errors.Is. Every *APIError matches the one for its
// status code; input rejected before sending wraps ErrInvalidArgument.
var (
	// ErrInvalidArgument marks input rejected before anything was sent
	// (an empty domain, a batch that is too large, a bad option).
	ErrInvalidArgument = errors.New("mailgun: invalid argument")
	// ErrInvalidResponse marks a 2xx response whose body is not the API's
	// JSON, also for calls that return no value: an HTML or plain-text page
	// (a captive portal, a proxy, a base URL that points at a website),
	// truncated JSON, an empty body where the endpoint does not answer 204,
	// a body over the size limit. The error quotes a short excerpt. It is
	// never retried; for a write it comes with ErrOutcomeUnknown. It also
	// marks paging that does not advance.
	ErrInvalidResponse = errors.New("mailgun: invalid response")
	// ErrConnection marks a request or response that did not get through
	// (after the retries the policy allows): a refused or reset connection,
	// a failed TLS handshake (an untrusted certificate, never retried), an
	// attempt that timed out or went idle (RetryPolicy.AttemptTimeout,
	// IdleTimeout), a body cut short or badly framed. The underlying error
	// (a *net.OpError, a *tls.CertificateVerificationError,
	// io.ErrUnexpectedEOF, context.DeadlineExceeded of an attempt, which an
	// idle timeout matches too) stays wrapped as well.
	ErrConnection = errors.New("mailgun: connection failed")
	// ErrOutcomeUnknown marks a write that may have been acted on while no
	// definitive answer came back. A write is any request but a GET (and
	// the analytics queries sent as POST, which only read). It is
	// returned when some attempt may have reached Mailgun (the connection
	// broke, or an attempt or idle timeout fired, once a connection was
	// made; a 5xx; a 2xx whose body could not be read or is not the API's
	// JSON) and no later attempt answered definitively (a valid 2xx, or a
	// 4xx other than 408, 420 and 429, which are refusals), also when the
	// caller's context ended afterwards. An attempt that never got a
	// connection is not unknown: nothing was sent (a failed dial, DNS
	// lookup, proxy connect or TLS handshake such as an untrusted
	// certificate, or a timeout or the context ending before the
	// connection was made), and such a POST is retried. The SDK learns
	// that from net/http/httptrace, which net/http's transport reports;
	// with a WithHTTPClient transport that reports no connection events,
	// only a dial, DNS or proxy-connect error counts as not sent. A write
	// that fails on a reused keep-alive connection is unknown even if
	// nothing of it was written (net/http does not say). The cause
	// (ErrConnection, ErrServer and the *APIError, ErrInvalidResponse)
	// stays wrapped too. Mailgun has no idempotency keys, so the SDK never
	// repeats such a POST: read the resource back (or search Logs, for a
	// send) before repeating it. Reads never return it.
	ErrOutcomeUnknown = errors.New("mailgun: outcome unknown")

	ErrBadRequest      = errors.New("mailgun: bad request")       // 400
	ErrUnauthorized    = errors.New("mailgun: unauthorized")      // 401
	ErrForbidden       = errors.New("mailgun: forbidden")         // 403
	ErrNotFound        = errors.New("mailgun: not found")         // 404
	ErrConflict        = errors.New("mailgun: conflict")          // 409
	ErrPayloadTooLarge = errors.New("mailgun: payload too large") // 413
	ErrRateLimited     = errors.New("mailgun: rate limited")      // 420, 429
	ErrServer          = errors.New("mailgun: server error")      // 5xx
)

// APIError is a non-2xx response from the API. It is returned after the
// retry policy gave up, so a 429 or 5xx APIError means the retries were
// spent (or the request was not safe to repeat).
type APIError struct {
	StatusCode int
	// Message is the server's explanation: the JSON "message",
	// "Description", "Reason" or "error" field, "Field: Value" for
	// parameter errors, the title of an HTML error page, or a short
	// plain-text body such as "Forbidden".
	Message string
	// Field names the rejected parameter when the body had the
	// {"Field": ..., "Value": ...} shape; otherwise it is empty.
	Field  string
	Method string
	// Path is the escaped request path, without the query.
	Path string
	// RetryAfter is the wait the server asked for (Retry-After, or a
	// rate-limit reset header on 420/429); zero when it gave none.
	RetryAfter time.Duration
	Header     http.Header
	// Body is the start of the response body, at most 64 KiB.
	Body []byte
}

func newAPIError(e *doer.HTTPError) error {
	return &APIError{
		StatusCode: e.StatusCode,
		Message:    e.Message,
		Field:      e.Field,
		Method:     e.Method,
		Path:       e.Path,
		RetryAfter: e.RetryAfter,
		Header:     e.Header,
		Body:       e.Body,
	}
}

// Error returns "mailgun: METHOD path: status text: message". A 401 adds a
// hint that the key or the region may be wrong.
func (e *APIError) Error() string {
	s := "mailgun: " + e.Method + " " + e.Path + ": " + strconv.Itoa(e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		s += " " + t
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.StatusCode == http.StatusUnauthorized {
		s += " (check the API key, and that the client's region is the one that hosts the domain)"
	}
	return s
}

// Is reports whether target is the sentinel error for e's status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrPayloadTooLarge:
		return e.StatusCode == http.StatusRequestEntityTooLarge
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests || e.StatusCode == 420
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}
