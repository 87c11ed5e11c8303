package mailgun

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
)

// Errors of webhook verification, for errors.Is.
var (
	// ErrSignatureMissing: the request carries no signature (or no timestamp or token).
	ErrSignatureMissing = errors.New("mailgun: webhook signature missing")
	// ErrSignatureMismatch: the signature does not match the signing key.
	ErrSignatureMismatch = errors.New("mailgun: webhook signature mismatch")
	// ErrSignatureExpired: the signed timestamp is outside the allowed window.
	ErrSignatureExpired = errors.New("mailgun: webhook signature expired")
	// ErrSignatureReplayed: the token was claimed before (VerifyWebhookSignature
	// with WithTokenStore; WebhookHandler answers such deliveries by state).
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

// mustSigningKey panics when key is empty or blank: a handler without a
// key could only answer 500, so Mailgun would retry for hours. It is a
// programmer error, reported at construction as regexp.MustCompile does;
// the message names the handler and the problem, never the key.
func mustSigningKey(handler, key string) {
	switch {
	case key == "":
		panic("mailgun: " + handler + ": signing key is empty")
	case strings.TrimSpace(key) == "":
		panic("mailgun: " + handler + ": signing key is blank (white space only)")
	}
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

// serveWebhook is what both webhook handlers share: the methods, the body
// limit, and the answer to fn. probe makes GET and HEAD answer 200, for
// Mailgun's reachability check of alert URLs. accept verifies and decodes
// a body. It returns the payload, or the status to answer without calling
// fn; settle, when not nil, records how fn ended (the state of the replay
// token): handled is true when fn returned nil, false when it failed or
// panicked. settle runs before the answer is written.
func serveWebhook[T any](cfg handlerConfig, probe bool, accept func(*http.Request, []byte) (payload *T, status int, settle func(handled bool)), fn func(context.Context, *T) error) http.Handler {
	allow := http.MethodPost
	if probe {
		allow = "GET, HEAD, POST"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
		case probe && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			writeStatus(w, http.StatusOK)
			return
		default:
			w.Header().Set("Allow", allow)
			writeStatus(w, http.StatusMethodNotAllowed)
			return
		}
		body, status := readWebhookBody(r, cfg.maxBody)
		if status != 0 {
			writeStatus(w, status)
			return
		}
		payload, status, settle := accept(r, body)
		if status != 0 {
			writeStatus(w, status)
			return
		}
		settled := false
		if settle != nil {
			defer func() {
				if !settled { // fn panicked
					settle(false)
				}
			}()
		}
		var err error
		if fn != nil {
			err = fn(r.Context(), payload)
		}
		if settle != nil {
			settled = true
			settle(err == nil)
		}
		if err != nil {
			writeStatus(w, http.StatusInternalServerError)
			return
		}
		writeStatus(w, http.StatusOK)
	})
}

// verifyStatus maps a verification error to the handler's answer: 401 for
// a signature that is missing or wrong, or a timestamp outside the window;
// 500 for the rest, which Mailgun retries.
func verifyStatus(err error) int {
	for _, target := range []error{ErrSignatureMissing, ErrSignatureMismatch, ErrSignatureExpired} {
		if errors.Is(err, target) {
			return http.StatusUnauthorized
		}
	}
	return http.StatusInternalServerError
}
