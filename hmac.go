package mailgun

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// Errors of webhook verification, for errors.Is.
var (
	// ErrSignatureMissing: the request carries no signature (or no timestamp or token).
	ErrSignatureMissing = errors.New("mailgun: webhook signature missing")
	// ErrSignatureMismatch: the signature does not match the signing key.
	ErrSignatureMismatch = errors.New("mailgun: webhook signature mismatch")
	// ErrSignatureExpired: the signed timestamp is outside the allowed window.
	ErrSignatureExpired = errors.New("mailgun: webhook signature expired")
	// ErrSignatureReplayed: the token was seen before.
	ErrSignatureReplayed = errors.New("mailgun: webhook signature replayed")
)

// DefaultMaxWebhookBody is the body limit of the webhook handlers: 1 MiB.
const DefaultMaxWebhookBody = 1 << 20

// HandlerOption configures AlertWebhookHandler and WebhookHandler.
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	maxBody int64
	verify  []VerifyOption
}

// WithMaxBodyBytes sets the largest body a webhook handler reads; a larger
// one is answered 413 Request Entity Too Large. n <= 0 keeps the default,
// DefaultMaxWebhookBody.
func WithMaxBodyBytes(n int64) HandlerOption {
	return func(c *handlerConfig) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

func newHandlerConfig(opts []HandlerOption) handlerConfig {
	c := handlerConfig{maxBody: DefaultMaxWebhookBody}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	return c
}

// readWebhookBody reads at most limit bytes of r's body. It returns the HTTP
// status to answer with when the body is too large (413) or unreadable (400).
func readWebhookBody(r *http.Request, limit int64) ([]byte, int) {
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, http.StatusBadRequest
	}
	if int64(len(body)) > limit {
		return nil, http.StatusRequestEntityTooLarge
	}
	return body, 0
}

// writeStatus answers with status and its text as a plain-text body.
func writeStatus(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, http.StatusText(status))
}

// TokenStore remembers the tokens of verified send webhooks so that a
// replayed request is rejected. Implementations must be safe for concurrent
// use; back one with Redis or a database to share it between processes.
type TokenStore interface {
	// SeenBefore records token as seen until expires, and reports whether
	// it had been recorded already (and not yet expired).
	SeenBefore(ctx context.Context, token string, expires time.Time) (bool, error)
}

// VerifyOption configures VerifyWebhookSignature.
type VerifyOption func(*verifyConfig)

type verifyConfig struct {
	window time.Duration    // accepted distance between the timestamp and now, both ways
	now    func() time.Time // the clock
	store  TokenStore       // nil: no replay check
	ctx    context.Context  // passed to the store
}
