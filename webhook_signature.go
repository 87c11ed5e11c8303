package mailgun

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// DefaultTimestampWindow is how far the timestamp of a send webhook may lie
// from the clock, in either direction, unless WithTimestampWindow says
// otherwise.
const DefaultTimestampWindow = 5 * time.Minute

// WebhookSignature is the "signature" object of a send webhook (domain and
// account webhooks): HMAC-SHA256 of Timestamp+Token under the account's HTTP
// webhook signing key, in hex.
type WebhookSignature struct {
	// Timestamp is the Unix time in seconds, as the exact text received
	// (a JSON string or number); the signature covers this text.
	Timestamp string `json:"timestamp"`
	Token     string `json:"token"`
	Signature string `json:"signature"`
	// ParentSignature is set on events of a subaccount's domains: the same
	// HMAC under the primary account's signing key.
	ParentSignature string `json:"parent-signature,omitempty"`
}

// UnmarshalJSON decodes the signature object, taking the timestamp as a
// JSON string or number and keeping its exact text.
func (s *WebhookSignature) UnmarshalJSON(b []byte) error {
	var raw struct {
		Timestamp       json.RawMessage `json:"timestamp"`
		Token           string          `json:"token"`
		Signature       string          `json:"signature"`
		ParentSignature string          `json:"parent-signature"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	ts, err := textOf(raw.Timestamp)
	if err != nil {
		return fmt.Errorf("webhook signature timestamp: %w", err)
	}
	*s = WebhookSignature{Timestamp: ts, Token: raw.Token, Signature: raw.Signature, ParentSignature: raw.ParentSignature}
	return nil
}

// SignWebhook returns the hex signature of timestamp and token under
// signingKey, as Mailgun computes it. Use it to build signed payloads in
// tests.
func SignWebhook(signingKey, timestamp, token string) string {
	var mac [sha256.Size]byte
	webhookMAC(&mac, signingKey, timestamp, token)
	return hex.EncodeToString(mac[:])
}

// NewWebhookSignature returns a signature for a webhook sent at t: the
// Unix seconds of t, a random 50-character token, and the signature under
// signingKey. For the signature of a subaccount event, also set
// ParentSignature to SignWebhook(parentKey, s.Timestamp, s.Token).
func NewWebhookSignature(signingKey string, t time.Time) WebhookSignature {
	var b [25]byte
	_, _ = rand.Read(b[:]) // never fails
	s := WebhookSignature{Timestamp: strconv.FormatInt(t.Unix(), 10), Token: hex.EncodeToString(b[:])}
	s.Signature = SignWebhook(signingKey, s.Timestamp, s.Token)
	return s
}

// webhookMAC writes the HMAC-SHA256 of timestamp+token under key to dst.
func webhookMAC(dst *[sha256.Size]byte, key, timestamp, token string) {
	mac, pool := acquireMAC(key)
	defer releaseMAC(mac, pool)
	mac.buf = append(append(mac.buf[:0], timestamp...), token...)
	mac.Write(mac.buf)
	if cap(mac.buf) > 1024 { // a forged, oversized token: do not keep its buffer
		mac.buf = nil
	}
	copy(dst[:], mac.Sum(mac.sum[:0]))
}

// macMatches compares a received hex signature (either case) with mac in
// constant time.
func macMatches(mac *[sha256.Size]byte, received string) bool {
	var got [sha256.Size]byte
	if len(received) != hex.EncodedLen(len(got)) {
		return false
	}
	_, err := hex.Decode(got[:], []byte(received))
	return err == nil && hmac.Equal(mac[:], got[:])
}

// VerifyOption configures VerifyWebhookSignature.
type VerifyOption func(*verifyConfig)

type verifyConfig struct {
	window time.Duration    // accepted distance between the timestamp and now, both ways
	now    func() time.Time // the clock
	store  TokenStore       // nil: no replay check
	ctx    context.Context  // passed to the store
}

// WithTimestampWindow sets how far a webhook's timestamp may lie from the
// clock, in the past or the future; a timestamp exactly d away still
// passes. d <= 0 keeps DefaultTimestampWindow.
func WithTimestampWindow(d time.Duration) VerifyOption {
	return func(c *verifyConfig) {
		if d > 0 {
			c.window = d
		}
	}
}

// WithVerifyClock makes verification read the time from now, for tests;
// nil keeps time.Now.
func WithVerifyClock(now func() time.Time) VerifyOption {
	return func(c *verifyConfig) {
		if now != nil {
			c.now = now
		}
	}
}

// WithTokenStore turns on the replay check of VerifyWebhookSignature: it
// claims each token in store (TokenStore.Claim) until its timestamp leaves
// the window, and refuses a token already claimed or done with
// ErrSignatureReplayed. Only webhooks that pass every other check are
// recorded. VerifyWebhookSignature cannot know how your handling ends: when
// it fails, call store.Forget so that Mailgun's retry is accepted.
// WebhookHandler does that, and acknowledges a redelivery of a handled
// webhook instead of refusing it (see WebhookHandler). nil turns the check
// off, which is the default.
func WithTokenStore(store TokenStore) VerifyOption {
	return func(c *verifyConfig) { c.store = store }
}

// WithVerifyContext passes ctx to the TokenStore of
// VerifyWebhookSignature; the default is context.Background. WebhookHandler
// ignores it and passes the request's context.
func WithVerifyContext(ctx context.Context) VerifyOption {
	return func(c *verifyConfig) {
		if ctx != nil {
			c.ctx = ctx
		}
	}
}

func webhookVerifyConfig(opts []VerifyOption) verifyConfig {
	c := verifyConfig{window: DefaultTimestampWindow, now: time.Now, ctx: context.Background()}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	return c
}

// VerifyWebhookSignature checks the signature of a send webhook (the
// "signature" object of its body) against signingKey, the account's HTTP
// webhook signing key (not the API key, and not the alerts signing key).
//
// It returns nil when the signature, or the parent signature of a
// subaccount's event, is the HMAC-SHA256 of the exact received timestamp
// and token under signingKey; so a primary account can verify its
// subaccounts' events with its own key. Otherwise it returns an error
// matching ErrSignatureMissing (no timestamp, token or signature),
// ErrSignatureMismatch (wrong signature, or a timestamp that is not
// integer Unix seconds), ErrSignatureExpired (the timestamp is more than
// the window away from now, in either direction) or ErrSignatureReplayed
// (with WithTokenStore, the token was claimed before). A failing
// TokenStore gives its error; an empty signingKey gives an error wrapping
// ErrInvalidArgument. Errors never contain the key.
func VerifyWebhookSignature(signingKey string, sig WebhookSignature, opts ...VerifyOption) error {
	signed, err := checkWebhookSignature(signingKey, sig)
	if err != nil {
		return err
	}
	c := webhookVerifyConfig(opts)
	if err := c.checkAge(signed); err != nil {
		return err
	}
	if c.store != nil {
		state, err := c.store.Claim(c.ctx, sig.Token, signed.Add(c.window))
		if err != nil {
			return fmt.Errorf("mailgun: webhook token store: %w", err)
		}
		if state != TokenUnseen {
			return ErrSignatureReplayed
		}
	}
	return nil
}

// checkWebhookSignature checks everything that needs no option: the key,
// the presence of the fields, the MAC and the form of the timestamp. It
// returns the signing time.
func checkWebhookSignature(signingKey string, sig WebhookSignature) (time.Time, error) {
	if signingKey == "" {
		return time.Time{}, invalidArg("webhook signing key is empty")
	}
	if sig.Timestamp == "" || sig.Token == "" || (sig.Signature == "" && sig.ParentSignature == "") {
		return time.Time{}, ErrSignatureMissing
	}
	var mac [sha256.Size]byte
	webhookMAC(&mac, signingKey, sig.Timestamp, sig.Token)
	// Both are compared, so the time taken does not tell which one failed.
	own, parent := macMatches(&mac, sig.Signature), macMatches(&mac, sig.ParentSignature)
	if !own && !parent {
		return time.Time{}, ErrSignatureMismatch
	}
	secs, ok := webhookTimestampSeconds(sig.Timestamp)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: timestamp is not integer Unix seconds", ErrSignatureMismatch)
	}
	return time.Unix(secs, 0), nil
}

// checkAge refuses a signing time more than the window away from the clock.
func (c *verifyConfig) checkAge(signed time.Time) error {
	if age := c.now().Sub(signed); age > c.window || age < -c.window {
		return fmt.Errorf("%w: signed at %s, outside the %s window", ErrSignatureExpired, signed.UTC().Format(time.RFC3339), c.window)
	}
	return nil
}

// webhookTimestampSeconds accepts 1 to 18 ASCII digits.
func webhookTimestampSeconds(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// WithVerifyOptions makes WebhookHandler verify signatures with opts (a
// window, a clock, a TokenStore). Later calls add to earlier ones.
func WithVerifyOptions(opts ...VerifyOption) HandlerOption {
	return func(c *handlerConfig) { c.verify = append(c.verify, opts...) }
}

// WebhookEvent is the body of a send webhook: the signature and the event,
// which is the same document the Events API returns. EventData.Raw holds
// the event's JSON as received, unknown fields included.
type WebhookEvent struct {
	Signature WebhookSignature `json:"signature"`
	EventData Event            `json:"event-data"`
}

// WebhookHandler returns a handler for the send webhooks Mailgun POSTs to
// a domain or account webhook URL. It reads the JSON body (at most
// DefaultMaxWebhookBody, see WithMaxBodyBytes), verifies its signature as
// VerifyWebhookSignature does with the options of WithVerifyOptions,
// decodes the event and calls fn with the request's context and the event.
// It answers:
//
//   - 405 to methods other than POST;
//   - 413 to a body over the limit;
//   - 400 to a body that is not the JSON webhook shape;
//   - 401 when the signature is missing or wrong, or the timestamp is
//     outside the window;
//   - 409 to a delivery of a webhook that is being handled (with a
//     TokenStore, below);
//   - 500 when fn returns an error or the TokenStore fails, so Mailgun
//     retries (for about 8 hours);
//   - 200 after fn returned nil, and to a redelivery of a webhook already
//     handled (with a TokenStore).
//
// fn is never called for a request that fails verification; it may be nil
// to only acknowledge verified webhooks.
//
// Without a TokenStore, every verified delivery reaches fn: Mailgun's
// retries deliver the same event again, so de-duplicate by EventData.ID if
// that matters. With one (WithVerifyOptions(WithTokenStore(store))), fn
// runs once per webhook however often it is delivered. Each verified
// delivery claims its token (TokenStore.Claim), and by the state it finds:
//
//   - TokenUnseen: the token is now TokenProcessing, and fn runs. When fn
//     returns nil the token is Done until its timestamp leaves the window;
//     when fn fails or panics it is forgotten, so Mailgun's retry runs fn
//     again.
//   - TokenProcessing: another delivery of the webhook is still running:
//     409 Conflict without calling fn, and Mailgun retries later. A claim
//     lasts 5 minutes at most (less when the timestamp leaves the window
//     sooner), so the webhook of a process that died while handling it is
//     handled again by a later retry.
//   - TokenDone: an earlier delivery was handled and its 200 was lost: 200
//     without calling fn again.
//
// 409 and not 429: the delivery conflicts with the state of that one
// webhook, and the receiver is not rate limiting (proxies and monitors
// read 429 as overload); Mailgun retries any answer but 200 and 406. Only
// a bad signature or a timestamp outside the window is answered 401. A
// store that fails to record Done does not change the 200: the webhook
// was handled.
//
// Mailgun retries 10 minutes and more after the first attempt, and a retry
// may carry the original timestamp: to accept retries, widen the window
// (WithTimestampWindow(9*time.Hour), say) and keep a TokenStore so that fn
// still runs once per webhook within it.
//
// WebhookHandler panics when signingKey is empty or blank (white space
// only), as regexp.MustCompile does for a bad pattern: such a handler could
// only answer 500. The panic message never contains the key.
func WebhookHandler(signingKey string, fn func(context.Context, *WebhookEvent) error, opts ...HandlerOption) http.Handler {
	mustSigningKey("WebhookHandler", signingKey)
	cfg := newHandlerConfig(opts)
	vc := webhookVerifyConfig(cfg.verify)
	accept := func(r *http.Request, body []byte) (*WebhookEvent, int, func(bool)) {
		var raw struct {
			Signature *WebhookSignature `json:"signature"`
			EventData json.RawMessage   `json:"event-data"`
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, http.StatusBadRequest, nil
		}
		if raw.Signature == nil {
			return nil, http.StatusUnauthorized, nil
		}
		signed, err := checkWebhookSignature(signingKey, *raw.Signature)
		if err == nil {
			err = vc.checkAge(signed)
		}
		if err != nil {
			return nil, verifyStatus(err), nil
		}
		ev, err := decodeWebhookEvent(*raw.Signature, raw.EventData)
		if err != nil {
			return nil, http.StatusBadRequest, nil
		}
		if vc.store == nil {
			return ev, 0, nil
		}
		status, settle := vc.claim(r.Context(), raw.Signature.Token, signed)
		if status != 0 {
			return nil, status, nil
		}
		return ev, 0, settle
	}
	return serveWebhook(cfg, false, accept, fn)
}

// webhookClaim is how long a delivery's claim on its token lasts at most:
// far longer than any handler should run (Mailgun gives up on a delivery
// much sooner), and shorter than Mailgun's first retry, 10 minutes later.
const webhookClaim = 5 * time.Minute

// claim claims token in the store for a delivery signed at signed. It
// returns the status to answer without calling fn (200 for a webhook
// already handled, 409 for one being handled, 500 when the store fails or
// answers an unknown state), or 0 and the function that records how fn
// ended: Done until the timestamp leaves the window, or Forget.
func (c *verifyConfig) claim(ctx context.Context, token string, signed time.Time) (int, func(handled bool)) {
	expires := signed.Add(c.window) // afterwards checkAge refuses the token anyway
	until := c.now().Add(webhookClaim)
	if expires.Before(until) {
		until = expires
	}
	state, err := c.store.Claim(ctx, token, until)
	switch {
	case err != nil:
		return http.StatusInternalServerError, nil
	case state == TokenDone:
		return http.StatusOK, nil
	case state == TokenProcessing:
		return http.StatusConflict, nil
	case state != TokenUnseen:
		return http.StatusInternalServerError, nil
	}
	store, ctx := c.store, context.WithoutCancel(ctx)
	return 0, func(handled bool) {
		if handled {
			_ = store.Done(ctx, token, expires)
		} else {
			_ = store.Forget(ctx, token)
		}
	}
}

// decodeWebhookEvent builds the event once the signature is verified; a
// missing event-data, or one that is not an event object, is an error.
func decodeWebhookEvent(sig WebhookSignature, data json.RawMessage) (*WebhookEvent, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, errors.New("event-data is not a JSON object")
	}
	ev := &WebhookEvent{Signature: sig}
	if err := json.Unmarshal(data, &ev.EventData); err != nil {
		return nil, err
	}
	return ev, nil
}
