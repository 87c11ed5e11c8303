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
	"net/http"
	"strings"
	"time"
)

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
//     after which it disables the setting);
//   - 405 to other methods;
//   - 200 after fn returned nil.
//
// fn runs with the request's context and may be nil to only acknowledge
// verified alerts. Retries deliver the same event again: de-duplicate by
// EventData.ID if that matters. Mailgun documents no freshness rule for
// alerts, so none is checked: a captured alert stays valid, and
// de-duplicating by EventData.ID also refuses its replay.
//
// AlertWebhookHandler panics when signingKey is empty or blank (white
// space only), as regexp.MustCompile does for a bad pattern: such a handler
// could only answer 500. The panic message never contains the key.
func AlertWebhookHandler(signingKey string, fn func(context.Context, *AlertWebhook) error, opts ...HandlerOption) http.Handler {
	mustSigningKey("AlertWebhookHandler", signingKey)
	// The key lives in a closure rather than a struct, so no fmt verb can print it.
	accept := func(r *http.Request, body []byte) (*AlertWebhook, int, func(bool)) {
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
