package doer

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how often and how long to wait. The zero value never retries.
type RetryPolicy struct {
	MaxRetries     int
	BaseDelay      time.Duration // first backoff ceiling
	MaxDelay       time.Duration // caps every wait, server hints included
	AttemptTimeout time.Duration // 0: attempts are bounded only by the caller's context
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
// A request that may not be repeated is retried only when no byte of it
// reached the server: the dial (or DNS lookup, or proxy connect) failed.
func retryableTransport(err error, repeatable bool) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return false // a certificate problem does not fix itself
	}
	if repeatable {
		return true
	}
	return notSent(err)
}

func notSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect")
}

// backoff returns the wait before retry number attempt+1 (attempt counts from 0):
// the server's hint when there is one, else full jitter over an exponential
// ceiling; both capped by MaxDelay.
func (p RetryPolicy) backoff(attempt int, hint time.Duration, hasHint bool) time.Duration {
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
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// retryHint reads the server's wait hint. Retry-After (seconds or an HTTP
// date) counts for every retryable status; the rate-limit reset headers only
// for 420 and 429, because Mailgun sends them on every response.
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

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return secondsToDuration(secs), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// parseReset reads a reset time: Unix milliseconds (what Mailgun sends),
// Unix seconds, or a small number of seconds to wait.
func parseReset(v string, now time.Time) (time.Duration, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 {
		return 0, false
	}
	switch {
	case f >= 1e12:
		return max(time.UnixMilli(int64(f)).Sub(now), 0), true
	case f >= 1e9:
		return max(time.Unix(int64(f), 0).Sub(now), 0), true
	default:
		return secondsToDuration(int64(f)), true
	}
}

func secondsToDuration(s int64) time.Duration {
	const maxSecs = int64(1<<63-1) / int64(time.Second)
	if s > maxSecs {
		s = maxSecs
	}
	return time.Duration(s) * time.Second
}
