package mailgun_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// alertKey is the signing key of the documented settings example.
const alertKey = "bdee4d3e39910a92628f1df02fd0a73a"

// alertVector is the X-Sign of testdata/examples/alerts/alert-webhook-payload.ip_listed.json
// (the file's bytes, trailing newline included) under alertKey, computed
// with `openssl dgst -sha256 -hmac`. alerts.md documents no vector.
const alertVector = "34c0e22eb2c741660b1359d2f5360b8b54b339c129d79bb9fb6a4c13338e6ad9"

func TestVerifyAlertSignatureVector(t *testing.T) {
	body := fixture(t, "examples/alerts/alert-webhook-payload.ip_listed.json")
	require.NoError(t, mailgun.VerifyAlertSignature(alertKey, body, alertVector))
	require.NoError(t, mailgun.VerifyAlertSignature(alertKey, body, strings.ToUpper(alertVector)), "hex compared case-insensitively")
	require.NoError(t, mailgun.VerifyAlertSignature(alertKey, body, " "+alertVector+"\t"))
	assert.Equal(t, alertVector, mailguntest.SignAlert(alertKey, body))

	// The raw bytes count: the same JSON without its trailing newline is another body.
	assert.ErrorIs(t, mailgun.VerifyAlertSignature(alertKey, bytes.TrimSpace(body), alertVector), mailgun.ErrSignatureMismatch)
	assert.ErrorIs(t, mailgun.VerifyAlertSignature(alertKey+"x", body, alertVector), mailgun.ErrSignatureMismatch)
	assert.ErrorIs(t, mailgun.VerifyAlertSignature(alertKey, body, alertVector[:62]), mailgun.ErrSignatureMismatch)
	assert.ErrorIs(t, mailgun.VerifyAlertSignature(alertKey, body, alertVector+"00"), mailgun.ErrSignatureMismatch)
	assert.ErrorIs(t, mailgun.VerifyAlertSignature(alertKey, body, "zz"+alertVector[2:]), mailgun.ErrSignatureMismatch)
	assert.ErrorIs(t, mailgun.VerifyAlertSignature(alertKey, body, ""), mailgun.ErrSignatureMissing)
	assert.ErrorIs(t, mailgun.VerifyAlertSignature(alertKey, body, "   "), mailgun.ErrSignatureMissing)

	err := mailgun.VerifyAlertSignature("", body, alertVector)
	assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
	for _, err := range []error{err, mailgun.VerifyAlertSignature(alertKey, body, "00")} {
		assert.NotContains(t, err.Error(), alertKey)
	}
}

func TestParseAlertWebhookExamples(t *testing.T) {
	t.Run("ip_listed", func(t *testing.T) {
		body := fixture(t, "examples/alerts/alert-webhook-payload.ip_listed.json")
		wh, err := mailgun.ParseAlertWebhook(body)
		require.NoError(t, err)
		assert.Equal(t, time.Unix(1661445572, 0).UTC(), wh.Signature.Timestamp)
		assert.Equal(t, "b912851220af04be63e2feacebeafc7844f813847d309631ec", wh.Signature.Token)
		d := wh.EventData
		assert.Equal(t, "927156bd-0000-0000-0000-38100897278d", d.ID)
		assert.Equal(t, mailgun.AlertEventIPListed, d.Event)
		assert.Equal(t, time.Date(2022, 8, 25, 16, 0, 0, 43687160, time.UTC), d.Timestamp)
		assert.Equal(t, "warn", d.LogLevel)
		assert.Equal(t, "49.0.2.000", d.IP)
		assert.Equal(t, "Barracuda", d.Blocklist)
		assert.Equal(t, "IP 49.0.2.000 was blocklisted by Barracuda", d.Message)
		assert.Nil(t, d.BulkValidationJob)
		assert.Contains(t, string(d.Raw), `"blocklist": "Barracuda"`, "raw event_data kept as received")
	})
	t.Run("ip_delisted", func(t *testing.T) {
		wh, err := mailgun.ParseAlertWebhook(fixture(t, "examples/alerts/alert-webhook-payload.ip_delisted.json"))
		require.NoError(t, err)
		assert.Equal(t, mailgun.AlertEventIPDelisted, wh.EventData.Event)
		assert.Equal(t, "IP 49.0.2.000 was removed by Barracuda", wh.EventData.Message)
	})
	t.Run("validation_job", func(t *testing.T) {
		wh, err := mailgun.ParseAlertWebhook(fixture(t, "examples/alerts/alert-webhook-payload.validation_job.json"))
		require.NoError(t, err)
		assert.Equal(t, time.Unix(1667592181, 0).UTC(), wh.Signature.Timestamp)
		d := wh.EventData
		assert.Equal(t, "fa2613d9-a795-4e40-8f7c-bdb6bafbfc76", d.ID)
		assert.Empty(t, d.Event, "bulk validation payloads name no event")
		assert.True(t, d.Timestamp.IsZero())
		job := d.BulkValidationJob
		require.NotNil(t, job)
		assert.Equal(t, time.Unix(1667592117, 0).UTC(), job.CreatedAt)
		assert.Equal(t, "LIST 62", job.ListID)
		assert.Equal(t, 100, job.Quantity)
		assert.Equal(t, 100, job.Processed)
		assert.Equal(t, "uploaded", job.Status)
		assert.Equal(t, "https://files.example.com/...csv.zip", job.DownloadURLs.CSV)
		assert.Equal(t, "https://files.example.com/...json.zip", job.DownloadURLs.JSON)
		assert.Equal(t, 82, job.Summary.Result.Deliverable)
		assert.Equal(t, 1, job.Summary.Result.Undeliverable)
		assert.Equal(t, 13, job.Summary.Result.CatchAll)
		assert.Equal(t, 4, job.Summary.Result.Unknown)
		assert.Equal(t, 1, job.Summary.Risk.High)
		assert.Equal(t, 82, job.Summary.Risk.Low)
		assert.Equal(t, 13, job.Summary.Risk.Medium)
		assert.Equal(t, 4, job.Summary.Risk.Unknown)
	})
	t.Run("validation_preview", func(t *testing.T) {
		wh, err := mailgun.ParseAlertWebhook(fixture(t, "examples/alerts/alert-webhook-payload.validation_preview.json"))
		require.NoError(t, err)
		job := wh.EventData.BulkValidationJob
		require.NotNil(t, job)
		assert.Equal(t, "LIST 34", job.ListID)
		assert.Zero(t, job.Processed)
		assert.Empty(t, job.DownloadURLs.CSV)
		assert.Equal(t, 77, job.Summary.Result.Deliverable)
		assert.Equal(t, 6, job.Summary.Risk.Unknown)
		assert.Equal(t, "Preview job fa2613d9-a795-4e40-8f7c-bdb6bafbfc76 is complete", wh.EventData.Message)
	})
	t.Run("unknown event keeps its fields in Raw", func(t *testing.T) {
		wh, err := mailgun.ParseAlertWebhook([]byte(`{"signature":{"timestamp":"1700000000","token":"t"},
			"event_data":{"event":"domain_listed","domain":"example.com","extra":{"a":1}}}`))
		require.NoError(t, err)
		assert.Equal(t, mailgun.AlertEventDomainListed, wh.EventData.Event)
		assert.Equal(t, time.Unix(1700000000, 0).UTC(), wh.Signature.Timestamp, "a string timestamp is accepted too")
		assert.JSONEq(t, `{"event":"domain_listed","domain":"example.com","extra":{"a":1}}`, string(wh.EventData.Raw))
	})
	for _, bad := range []string{``, `null`, `[]`, `{}`, `{"signature":{}}`, `{"event_data":null}`, `{"event_data":[1]}`,
		`{"event_data":"x"}`, `{"event_data":{"timestamp":"noon"}}`, `{"signature":{"timestamp":"soon"},"event_data":{}}`,
		`{"event_data":{"bulk_validation_job":{"quantity":"many"}}}`, `{"event_data":{}`} {
		_, err := mailgun.ParseAlertWebhook([]byte(bad))
		assert.Error(t, err, bad)
	}
}

// signedAlert returns a request carrying body signed with key.
func signedAlert(key string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/alerts", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Sign", mailguntest.SignAlert(key, body))
	return r
}

func TestAlertWebhookHandlerStatuses(t *testing.T) {
	payload := fixture(t, "examples/alerts/alert-webhook-payload.ip_listed.json")
	errFn := errors.New("database down")
	tests := []struct {
		name     string
		fnErr    error
		nilFn    bool
		opts     []mailgun.HandlerOption
		req      func() *http.Request
		want     int
		wantCall bool
	}{
		{name: "reachability GET", req: func() *http.Request { return httptest.NewRequest(http.MethodGet, "/alerts", nil) }, want: 200},
		{name: "HEAD", req: func() *http.Request { return httptest.NewRequest(http.MethodHead, "/alerts", nil) }, want: 200},
		{name: "signed alert", req: func() *http.Request { return signedAlert(alertKey, payload) }, want: 200, wantCall: true},
		{name: "uppercase hex", req: func() *http.Request {
			r := signedAlert(alertKey, payload)
			r.Header.Set("X-Sign", strings.ToUpper(r.Header.Get("X-Sign")))
			return r
		}, want: 200, wantCall: true},
		{name: "nil fn acknowledges", nilFn: true, req: func() *http.Request { return signedAlert(alertKey, payload) }, want: 200},
		{name: "no signature", req: func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/alerts", bytes.NewReader(payload))
		}, want: 401},
		{name: "signed with another key", req: func() *http.Request { return signedAlert("other-key", payload) }, want: 401},
		{name: "body changed after signing", req: func() *http.Request {
			r := signedAlert(alertKey, payload)
			r.Body = httpBody(bytes.Replace(payload, []byte("Barracuda"), []byte("Spamhaus!"), 1))
			return r
		}, want: 401},
		{name: "signed but not JSON", req: func() *http.Request { return signedAlert(alertKey, []byte("hello")) }, want: 400},
		{name: "signed but no event_data", req: func() *http.Request {
			return signedAlert(alertKey, []byte(`{"signature":{"timestamp":1,"token":"t"}}`))
		}, want: 400},
		{name: "too large by Content-Length", opts: []mailgun.HandlerOption{mailgun.WithMaxBodyBytes(64)},
			req: func() *http.Request { return signedAlert(alertKey, payload) }, want: 413},
		{name: "too large when streamed", opts: []mailgun.HandlerOption{mailgun.WithMaxBodyBytes(64)}, req: func() *http.Request {
			r := signedAlert(alertKey, payload)
			r.ContentLength = -1
			return r
		}, want: 413},
		{name: "over the default limit", req: func() *http.Request {
			return signedAlert(alertKey, bytes.Repeat([]byte(" "), mailgun.DefaultMaxWebhookBody+1))
		}, want: 413},
		{name: "PUT", req: func() *http.Request { return httptest.NewRequest(http.MethodPut, "/alerts", nil) }, want: 405},
		{name: "fn fails", fnErr: errFn, req: func() *http.Request { return signedAlert(alertKey, payload) }, want: 500, wantCall: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got *mailgun.AlertWebhook
			fn := func(ctx context.Context, wh *mailgun.AlertWebhook) error {
				require.NotNil(t, ctx)
				got = wh
				return tc.fnErr
			}
			if tc.nilFn {
				fn = nil
			}
			w := httptest.NewRecorder()
			mailgun.AlertWebhookHandler(alertKey, fn, tc.opts...).ServeHTTP(w, tc.req())
			assert.Equal(t, tc.want, w.Code)
			assert.Equal(t, tc.wantCall, got != nil, "fn called")
			if tc.wantCall {
				assert.Equal(t, "927156bd-0000-0000-0000-38100897278d", got.EventData.ID)
			}
			if tc.want == 405 {
				assert.Equal(t, "GET, HEAD, POST", w.Header().Get("Allow"))
			}
			assert.NotContains(t, w.Body.String(), alertKey)
		})
	}
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", mailgun.AlertWebhookHandler(alertKey, nil), mailgun.AlertWebhookHandler(alertKey, nil), mailgun.AlertWebhookHandler(alertKey, nil)), alertKey)
}

func TestAlertWebhookHandlerWithMailguntestRequest(t *testing.T) {
	var got *mailgun.AlertWebhook
	h := mailgun.AlertWebhookHandler("k1", func(_ context.Context, wh *mailgun.AlertWebhook) error {
		got = wh
		return nil
	})
	req, err := mailguntest.NewAlertRequest(context.Background(), "http://example.com/alerts", "k1",
		map[string]any{"event": "ip_listed", "ip": "192.0.2.9", "blocklist": "Spamhaus"})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	require.Equal(t, 200, w.Code)
	assert.Equal(t, "192.0.2.9", got.EventData.IP)
	assert.Len(t, got.Signature.Token, 50)
	assert.WithinDuration(t, time.Now(), got.Signature.Timestamp, time.Hour)
}

func httpBody(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func FuzzVerifyAlertSignature(f *testing.F) {
	body := fixture(f, "examples/alerts/alert-webhook-payload.ip_listed.json")
	f.Add(alertKey, body, alertVector)
	f.Add(alertKey, body, strings.ToUpper(alertVector))
	f.Add("k", []byte("{}"), "")
	f.Add("", []byte("x"), "00")
	f.Add("k", []byte(nil), "zz")
	f.Fuzz(func(t *testing.T, key string, body []byte, sig string) {
		err := mailgun.VerifyAlertSignature(key, body, sig)
		if key == "" {
			require.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			return
		}
		mac := hmac.New(sha256.New, []byte(key))
		mac.Write(body)
		want := hex.EncodeToString(mac.Sum(nil))
		if err == nil {
			require.Equal(t, want, strings.ToLower(strings.TrimSpace(sig)), "accepted a wrong signature")
		} else {
			require.True(t, errors.Is(err, mailgun.ErrSignatureMismatch) || errors.Is(err, mailgun.ErrSignatureMissing), err)
		}
		require.NoError(t, mailgun.VerifyAlertSignature(key, body, want))
	})
}

func FuzzAlertWebhookHandler(f *testing.F) {
	for _, name := range []string{"ip_listed", "ip_delisted", "validation_job", "validation_preview"} {
		f.Add(fixture(f, "examples/alerts/alert-webhook-payload."+name+".json"), true, "")
	}
	f.Add([]byte(`{"event_data":{"timestamp":"0001-01-01T00:00:00Z","bulk_validation_job":{"created_at":"1e3"}}}`), true, "")
	f.Add([]byte(`{"signature":{"timestamp":1e400},"event_data":{}}`), true, "")
	f.Add([]byte(`{"event_data":{}}`), false, "00ff")
	f.Fuzz(func(t *testing.T, body []byte, sign bool, sig string) {
		if sign {
			sig = mailguntest.SignAlert(alertKey, body)
		}
		called := false
		h := mailgun.AlertWebhookHandler(alertKey, func(_ context.Context, wh *mailgun.AlertWebhook) error {
			called = true
			require.NotNil(t, wh)
			require.NotNil(t, wh.EventData.Raw)
			return nil
		})
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("X-Sign", sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		correct := mailgun.VerifyAlertSignature(alertKey, body, sig) == nil
		switch w.Code {
		case 200:
			require.True(t, correct && called, "200 needs a correct signature and a call")
		case 400:
			require.True(t, correct && !called)
			_, err := mailgun.ParseAlertWebhook(body)
			require.Error(t, err)
		case 401:
			require.False(t, correct, "a correct signature was refused")
		default:
			t.Fatalf("status %d", w.Code)
		}
	})
}
