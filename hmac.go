package mailgun

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
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

// serveWebhook is what both webhook handlers share: the methods, the body
// limit, and the answer to fn. accept verifies and decodes a body; it
// returns the payload, or the status to answer with. probe makes GET and
// HEAD answer 200, for Mailgun's reachability check of alert URLs.
// accept verifies and decodes a body. It returns the payload, or the status
// to answer; undo, when not nil, reverses what verifying recorded (the
// replay token) and is called when fn fails or panics.
func serveWebhook[T any](cfg handlerConfig, probe bool, accept func(*http.Request, []byte) (payload *T, status int, undo func()), fn func(context.Context, *T) error) http.Handler {
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
		payload, status, undo := accept(r, body)
		if status != 0 {
			writeStatus(w, status)
			return
		}
		if fn != nil {
			handled := false
			if undo != nil {
				defer func() { // also when fn panics
					if !handled {
						undo()
					}
				}()
			}
			if err := fn(r.Context(), payload); err != nil {
				writeStatus(w, http.StatusInternalServerError)
				return
			}
			handled = true
		}
		writeStatus(w, http.StatusOK)
	})
}

// verifyStatus maps a verification error to the handler's answer: 401 for
// a signature that is missing, wrong, expired or replayed; 500 for the
// rest (an empty key, a failing TokenStore), which Mailgun retries.
func verifyStatus(err error) int {
	for _, target := range []error{ErrSignatureMissing, ErrSignatureMismatch, ErrSignatureExpired, ErrSignatureReplayed} {
		if errors.Is(err, target) {
			return http.StatusUnauthorized
		}
	}
	return http.StatusInternalServerError
}

// TokenStore remembers the tokens of verified send webhooks so that a
// replayed request is rejected. Implementations must be safe for concurrent
// use; back one with Redis or a database to share it between processes.
type TokenStore interface {
	// SeenBefore records token as seen until expires, and reports whether
	// it had been recorded already (and not yet expired). Checking and
	// recording must be one atomic step (SET NX in Redis, say), so that
	// two concurrent deliveries of one webhook cannot both pass.
	SeenBefore(ctx context.Context, token string, expires time.Time) (bool, error)
	// Forget removes token, so that a webhook whose processing failed is
	// accepted when Mailgun delivers it again. WebhookHandler calls it when
	// your function fails. An unknown token is not an error.
	Forget(ctx context.Context, token string) error
}

// VerifyOption configures VerifyWebhookSignature.
type VerifyOption func(*verifyConfig)

type verifyConfig struct {
	window time.Duration    // accepted distance between the timestamp and now, both ways
	now    func() time.Time // the clock
	store  TokenStore       // nil: no replay check
	ctx    context.Context  // passed to the store
}

// AlertSignatureHeader is the header that carries the signature of an
// alert webhook.
const AlertSignatureHeader = "X-Sign"

// VerifyAlertSignature checks the X-Sign header of an alert webhook: the
// lowercase-hex HMAC-SHA256 of the raw body under the account's alert
// signing key (AlertSettings.WebhookSigningKey), compared in constant time
// and case-insensitively. Pass the body bytes exactly as received. It
// returns nil, ErrSignatureMissing (empty header), ErrSignatureMismatch, or
// an error wrapping ErrInvalidArgument when signingKey is empty. It is
// safe for concurrent use; MAC states are reused per key, so verifying
// with a key used before allocates nothing.
func VerifyAlertSignature(signingKey string, body []byte, xSign string) error {
	if signingKey == "" {
		return invalidArg("alert signing key is empty")
	}
	xSign = strings.TrimSpace(xSign)
	if xSign == "" {
		return ErrSignatureMissing
	}
	var got [sha256.Size]byte
	if len(xSign) != 2*sha256.Size {
		return ErrSignatureMismatch
	}
	if _, err := hex.Decode(got[:], []byte(xSign)); err != nil {
		return ErrSignatureMismatch
	}
	mac, pool := acquireMAC(signingKey)
	defer releaseMAC(mac, pool)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(mac.sum[:0]), got[:]) {
		return ErrSignatureMismatch
	}
	return nil
}

// AlertWebhookHandler returns a handler for the alert webhooks Mailgun
// POSTs to a webhook alert channel. It answers:
//
//   - 200 to GET and HEAD: Mailgun checks the URL with a GET when a webhook
//     alert setting is created or updated;
//   - 413 to a body over the limit (DefaultMaxWebhookBody unless
//     WithMaxBodyBytes says otherwise);
//   - 401 when X-Sign is missing or does not match signingKey;
//   - 400 when the body is not an alert webhook (see ParseAlertWebhook);
//   - 500 when fn returns an error, so Mailgun retries (for about 8 hours,
//     after which it disables the setting), and when signingKey is empty;
//   - 405 to other methods;
//   - 200 after fn returned nil.
//
// fn runs with the request's context and may be nil to only acknowledge
// verified alerts. Retries deliver the same event again: de-duplicate by
// EventData.ID if that matters. Mailgun documents no freshness rule for
// alerts, so none is checked: a captured alert stays valid, and
// de-duplicating by EventData.ID also refuses its replay.
func AlertWebhookHandler(signingKey string, fn func(context.Context, *AlertWebhook) error, opts ...HandlerOption) http.Handler {
	// The key lives in a closure rather than a struct, so no fmt verb can print it.
	accept := func(r *http.Request, body []byte) (*AlertWebhook, int, func()) {
		if err := VerifyAlertSignature(signingKey, body, r.Header.Get(AlertSignatureHeader)); err != nil {
			return nil, verifyStatus(err), nil
		}
		wh, err := ParseAlertWebhook(body)
		if err != nil {
			return nil, http.StatusBadRequest, nil
		}
		return wh, 0, nil
	}
	return serveWebhook(newHandlerConfig(opts), true, accept, fn)
}

// AlertWebhook is the body of an alert webhook:
// {"signature": {"timestamp", "token"}, "event_data": {...}}.
type AlertWebhook struct {
	Signature AlertWebhookSignature `json:"signature"`
	EventData AlertEventData        `json:"event_data"`
}

// AlertWebhookSignature is the signature object of an alert webhook body.
// The body is authenticated by the X-Sign header, not by these fields.
type AlertWebhookSignature struct {
	Timestamp time.Time `json:"timestamp"` // sent as Unix seconds
	Token     string    `json:"token"`
}

// UnmarshalJSON reads timestamp as Unix seconds, a JSON number (as
// documented) or a string of digits.
func (s *AlertWebhookSignature) UnmarshalJSON(b []byte) error {
	var aux struct {
		Timestamp unixSeconds `json:"timestamp"`
		Token     string      `json:"token"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*s = AlertWebhookSignature{Timestamp: time.Time(aux.Timestamp), Token: aux.Token}
	return nil
}

// AlertEventData is the event_data of an alert webhook. The fields of the
// documented payloads are typed; Raw keeps the whole object as received,
// for fields and event types this type does not know.
type AlertEventData struct {
	// ID identifies the event (for de-duplication across retries), or the
	// job of a bulk validation alert.
	ID string `json:"id"`
	// Event is the event type. Bulk validation payloads carry none.
	Event     AlertEventType `json:"event"`
	Timestamp time.Time      `json:"timestamp"` // zero when absent
	LogLevel  string         `json:"log_level"`
	Message   string         `json:"message"`

	// IP and Blocklist are set by IP blocklist alerts (ip_listed, ip_delisted).
	IP        string `json:"ip"`
	Blocklist string `json:"blocklist"`

	// BulkValidationJob is set by bulk validation alerts
	// (validation_job, validation_preview); nil otherwise.
	BulkValidationJob *BulkValidationJob `json:"bulk_validation_job"`

	// Raw is the event_data object exactly as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes an event_data object and keeps it in Raw.
func (d *AlertEventData) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("event_data is not an object")
	}
	type plain AlertEventData
	aux := struct {
		*plain
		Timestamp apiTime `json:"timestamp"`
	}{plain: (*plain)(d)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	d.Timestamp = time.Time(aux.Timestamp)
	d.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// BulkValidationJob is the job in a bulk validation alert. Processed and
// DownloadURLs are set once the job finished (validation_job), not in a
// preview.
type BulkValidationJob struct {
	CreatedAt    time.Time               `json:"created_at"` // sent as Unix seconds
	ListID       string                  `json:"list_id"`
	Quantity     int                     `json:"quantity"`
	Processed    int                     `json:"processed"`
	Status       string                  `json:"status"`
	DownloadURLs BulkValidationDownloads `json:"download_urls"`
	Summary      BulkValidationSummary   `json:"summary"`
}

// UnmarshalJSON reads created_at as Unix seconds.
func (j *BulkValidationJob) UnmarshalJSON(b []byte) error {
	type plain BulkValidationJob
	aux := struct {
		*plain
		CreatedAt unixSeconds `json:"created_at"`
	}{plain: (*plain)(j)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	j.CreatedAt = time.Time(aux.CreatedAt)
	return nil
}

// BulkValidationDownloads are the links to a finished job's results.
type BulkValidationDownloads struct {
	CSV  string `json:"csv"`
	JSON string `json:"json"`
}

// BulkValidationSummary counts a bulk validation's addresses by result and
// by risk.
type BulkValidationSummary struct {
	Result struct {
		Deliverable   int `json:"deliverable"`
		Undeliverable int `json:"undeliverable"`
		CatchAll      int `json:"catch_all"`
		Unknown       int `json:"unknown"`
	} `json:"result"`
	Risk struct {
		High    int `json:"high"`
		Low     int `json:"low"`
		Medium  int `json:"medium"`
		Unknown int `json:"unknown"`
	} `json:"risk"`
}

// ParseAlertWebhook decodes an alert webhook body. It does not verify the
// signature: call VerifyAlertSignature on the same bytes first (or use
// AlertWebhookHandler). It fails when the body is not a JSON object with an
// event_data object, or when a documented field has the wrong type.
func ParseAlertWebhook(body []byte) (*AlertWebhook, error) {
	var wh AlertWebhook
	if err := json.Unmarshal(body, &wh); err != nil {
		return nil, fmt.Errorf("mailgun: alert webhook body: %w", err)
	}
	if wh.EventData.Raw == nil {
		return nil, errors.New("mailgun: alert webhook body has no event_data object")
	}
	return &wh, nil
}

// macSlots is the size of the cache of MAC states: a key's slot is picked
// by its hash. A process verifying with a few keys keeps them all; one
// verifying with thousands (a platform with a key per customer) gets a
// fresh MAC, as hmac.New would, when its slot belongs to another key.
const macSlots = 64

// pooledMAC is an HMAC-SHA256 state for one key, a buffer for its sum and
// one for input that must be written as bytes.
type pooledMAC struct {
	hash.Hash
	sum [sha256.Size]byte
	buf []byte
}

// keyMACs is the pool of MAC states for one signing key. misses counts
// the calls with other keys that found it in their slot since it was last
// used; past maxSlotMisses the slot goes to the key that missed.
type keyMACs struct {
	key    string
	pool   sync.Pool
	misses atomic.Int32
}

// maxSlotMisses is how many misses a key in use keeps its slot against, so
// that keys sharing a slot do not keep replacing each other's pools (each
// new pool costs more than the MAC it saves).
const maxSlotMisses = 64

var (
	macSeed  = maphash.MakeSeed()
	macCache [macSlots]atomic.Pointer[keyMACs]
)

// acquireMAC returns a reset HMAC-SHA256 state for key and the pool to give
// it back to with releaseMAC (nil for a one-off state). Reusing states
// saves the two hash allocations and the key schedule of hmac.New; the
// cache takes no lock.
func acquireMAC(key string) (*pooledMAC, *keyMACs) {
	slot := &macCache[maphash.String(macSeed, key)%macSlots]
	km := slot.Load()
	switch {
	case km != nil && km.key == key:
		if km.misses.Load() != 0 {
			km.misses.Store(0)
		}
	case km == nil || km.misses.Add(1) > maxSlotMisses:
		km = &keyMACs{key: key}
		km.pool.New = func() any { return &pooledMAC{Hash: hmac.New(sha256.New, []byte(key))} }
		slot.Store(km)
	default:
		return &pooledMAC{Hash: hmac.New(sha256.New, []byte(key))}, nil
	}
	m := km.pool.Get().(*pooledMAC)
	m.Reset()
	return m, km
}

func releaseMAC(m *pooledMAC, km *keyMACs) {
	if km != nil {
		km.pool.Put(m)
	}
}
