package doer

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// RetryPolicy says how often and how long to wait. The zero value never retries.
type RetryPolicy struct {
	MaxRetries     int
	BaseDelay      time.Duration // first backoff ceiling
	MaxDelay       time.Duration // caps every wait, server hints included
	AttemptTimeout time.Duration // 0: attempts are bounded only by the caller's context
	// IdleTimeout ends an attempt that makes no progress for this long:
	// the transport takes no byte of the request body and no byte of the
	// response arrives (the wait for the headers counts). It is enforced
	// through the request's context, so it holds for any http.Client
	// whose transport honours that context, as net/http's does. It also
	// bounds the wait, before a retry, for a read still blocked in a
	// seekable source of the body (see Body.settle). 0: none (that wait is
	// then bounded by AttemptTimeout, or only by the context).
	IdleTimeout time.Duration
}

// idempotent reports whether a request with this method may be repeated
// after the server may have acted on it.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// readOnly reports whether a request with this method never changes
// anything on the server.
func readOnly(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// retryableStatus applies the retry rules to a response status.
// 420 and 429 mean the request was refused before it was acted on, so every
// method may repeat it; the others only when repeating is harmless.
func retryableStatus(code int, repeatable bool) bool {
	switch code {
	case 420, http.StatusTooManyRequests:
		return true
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return repeatable
	}
	return false
}

// retryableTransport applies the retry rules to a transport error.
// A request that may not be repeated is retried only when none of it
// reached the server (unsent; see attempt). A certificate problem is
// never retried.
func retryableTransport(err error, repeatable, unsent bool) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return false // a certificate problem does not fix itself
	}
	return repeatable || unsent
}

// notSent reports whether err says that no connection was made: a failed
// dial, DNS lookup or proxy connect. It is the rule for transports that
// report no connection events (see connTrace).
func notSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect")
}

// connTrace follows, through net/http/httptrace, whether an attempt got a
// connection. The request is written only on a connection the transport
// handed over (GotConn), so an attempt that asked for one (GetConn) and
// never got it sent nothing: its dial, DNS lookup, proxy connect or TLS
// handshake failed, or a timeout or the context ended it first. net/http's
// transport fires both hooks, for HTTP/1 and HTTP/2, before it writes
// anything; a custom RoundTripper may fire neither, and then only the
// error tells (notSent).
type connTrace struct {
	asked atomic.Bool // GetConn fired
	got   atomic.Bool // GotConn fired: the request may have been written
	trace httptrace.ClientTrace
}

func newConnTrace() *connTrace {
	c := &connTrace{}
	c.trace.GetConn = func(string) { c.asked.Store(true) }
	c.trace.GotConn = func(httptrace.GotConnInfo) { c.got.Store(true) }
	return c
}

// unsent reports whether none of the request reached the server, for an
// attempt that failed with err before any response.
func (c *connTrace) unsent(err error) bool {
	if c.asked.Load() {
		return !c.got.Load()
	}
	return notSent(err)
}

// backoff returns the wait before retry number attempt+1 (attempt counts from 0):
// the server's hint when there is one, else full jitter over an exponential
// ceiling; both capped by MaxDelay. jitter(n) returns a number in [0, n).
func (p RetryPolicy) backoff(attempt int, hint time.Duration, hasHint bool, jitter func(int64) int64) time.Duration {
	if hasHint {
		return min(max(hint, 0), p.MaxDelay)
	}
	ceiling := p.MaxDelay
	if attempt < 32 && p.BaseDelay > 0 {
		if c := p.BaseDelay << attempt; c > 0 && c < ceiling {
			ceiling = c
		}
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(jitter(int64(ceiling) + 1))
}

// retryHint reads the server's wait hint. Retry-After (seconds or an HTTP
// date) counts for every retryable status; the rate-limit reset headers only
// for 420 and 429, because Mailgun sends them on every response. A hint that
// is not a finite, non-negative number or date, or lies further ahead than a
// time.Duration reaches (about 292 years), is no hint: the caller falls back
// to the jittered backoff. A hint in the past means "now".
func retryHint(h http.Header, status int, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if d, ok := parseRetryAfter(v, now); ok {
			return d, true
		}
	}
	if status != 420 && status != http.StatusTooManyRequests {
		return 0, false
	}
	for _, name := range []string{"X-Request-Reset", "X-RateLimit-Reset"} {
		if v := h.Get(name); v != "" {
			if d, ok := parseReset(v, now); ok {
				return d, true
			}
		}
	}
	return 0, false
}

// maxHintSeconds is the longest wait a time.Duration holds, in whole seconds.
const maxHintSeconds = int64(math.MaxInt64 / int64(time.Second))

// parseRetryAfter reads Retry-After: delay seconds (digits only) or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > maxHintSeconds {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return until(t, now)
	}
	return 0, false
}

// parseReset reads a reset time: Unix milliseconds (what Mailgun sends),
// Unix seconds, or a small number of seconds to wait; written as decimal
// digits with an optional fraction (no sign, exponent, hex or underscore).
func parseReset(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if !isDecimal(v) {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, false
	}
	switch {
	case f >= 1<<62: // milliseconds past what an int64 holds
		return 0, false
	case f >= 1e12:
		return until(time.UnixMilli(int64(f)), now)
	case f >= 1e9:
		return until(time.Unix(int64(f), 0), now)
	default: // under 1e9 s, so under 1e18 ns: it fits a Duration
		return time.Duration(f * float64(time.Second)), true
	}
}

// isDecimal reports whether s is digits with at most one '.' among them.
func isDecimal(s string) bool {
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// until returns the wait until t: 0 for a time in the past, and no hint for
// a time a Duration cannot reach (time.Time.Sub saturates there).
func until(t, now time.Time) (time.Duration, bool) {
	d := t.Sub(now)
	if d == math.MaxInt64 {
		return 0, false
	}
	return max(d, 0), true
}
