package mailguntest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// AlertDeliveryError is returned by DeliverAlert when the receiver answered
// with a status other than 2xx.
type AlertDeliveryError struct {
	URL        string
	StatusCode int
}

// Error names the URL and the status it answered.
func (e *AlertDeliveryError) Error() string {
	return fmt.Sprintf("mailguntest: alert webhook %s answered %d", e.URL, e.StatusCode)
}

// SignAlert returns the X-Sign header value for an alert webhook body: the
// lowercase-hex HMAC-SHA256 of body under signingKey.
func SignAlert(signingKey string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(signingKey))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// AlertBody wraps eventData in the body Mailgun POSTs to alert webhooks,
// {"signature": {"timestamp": <Unix seconds of at>, "token": <50 random
// characters>}, "event_data": ...}. eventData may be a json.RawMessage or
// []byte holding a JSON object, used as is, or any value that encodes to a
// JSON object, such as a map.
func AlertBody(eventData any, at time.Time) ([]byte, error) {
	var data []byte
	switch v := eventData.(type) {
	case json.RawMessage:
		data = v
	case []byte:
		data = v
	default:
		var err error
		if data, err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("mailguntest: encoding event data: %w", err)
		}
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' || !json.Valid(data) {
		return nil, errors.New("mailguntest: event data must be a JSON object")
	}
	var b bytes.Buffer
	b.WriteString(`{"signature":{"timestamp":`)
	b.WriteString(strconv.FormatInt(at.Unix(), 10))
	b.WriteString(`,"token":"`)
	b.WriteString(alertRandomHex(25))
	b.WriteString(`"},"event_data":`)
	b.Write(data)
	b.WriteString("}")
	return b.Bytes(), nil
}

// NewAlertRequest returns a signed alert webhook POST to url carrying
// eventData (see AlertBody), as Mailgun would send it with signingKey, for
// testing a handler directly with httptest.NewRecorder.
func NewAlertRequest(ctx context.Context, url, signingKey string, eventData any) (*http.Request, error) {
	body, err := AlertBody(eventData, time.Now())
	if err != nil {
		return nil, err
	}
	return newSignedAlertRequest(ctx, url, signingKey, body)
}

func newSignedAlertRequest(ctx context.Context, url, signingKey string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("mailguntest: alert webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sign", SignAlert(signingKey, body))
	return req, nil
}

// DeliverAlert POSTs an alert webhook carrying eventData (see AlertBody) to
// url, signed with the server's current alert signing key, as Mailgun does
// when an alert fires. A receiver that answers other than 2xx gives an
// *AlertDeliveryError; the fake does not retry.
func (s *Server) DeliverAlert(ctx context.Context, url string, eventData any) error {
	body, err := AlertBody(eventData, s.now())
	if err != nil {
		return err
	}
	req, err := newSignedAlertRequest(ctx, url, s.AlertSigningKey(), body)
	if err != nil {
		return err
	}
	resp, err := s.alertClient().Do(req)
	if err != nil {
		return fmt.Errorf("mailguntest: delivering alert webhook: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &AlertDeliveryError{URL: url, StatusCode: resp.StatusCode}
	}
	return nil
}
