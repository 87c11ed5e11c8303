package mailgun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

// The test vector of the reference (general.md, "Domain webhook signatures").
const (
	vectorKey       = "key-0123456789abcdef0123456789abcdef"
	vectorParentKey = "key-fedcba9876543210fedcba9876543210"
	vectorTimestamp = "1529006854"
	vectorToken     = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
	vectorSignature = "c8eda93e66d2c94a17d10e6589c0200a7bc417c935bee5dc17de70ba612c0a4b"
	vectorParentSig = "bf3bef9e2d3fa3beaf9e0b725b398c4d4ab3d71a928b52e389f11c2e480174a7"
)

var vectorTime = time.Unix(1529006854, 0)

func at(t time.Time) mailgun.VerifyOption {
	return mailgun.WithVerifyClock(func() time.Time { return t })
}

func vectorSig() mailgun.WebhookSignature {
	return mailgun.WebhookSignature{Timestamp: vectorTimestamp, Token: vectorToken, Signature: vectorSignature}
}

func TestWebhookSignatureVector(t *testing.T) {
	assert.Equal(t, vectorSignature, mailgun.SignWebhook(vectorKey, vectorTimestamp, vectorToken))
	assert.Equal(t, vectorParentSig, mailgun.SignWebhook(vectorParentKey, vectorTimestamp, vectorToken))
	require.NoError(t, mailgun.VerifyWebhookSignature(vectorKey, vectorSig(), at(vectorTime)))

	upper := vectorSig()
	upper.Signature = strings.ToUpper(vectorSignature)
	assert.NoError(t, mailgun.VerifyWebhookSignature(vectorKey, upper, at(vectorTime)), "hex in either case")
}

func TestWebhookSignatureParentVector(t *testing.T) {
	var sig mailgun.WebhookSignature
	require.NoError(t, json.Unmarshal(fixture(t, "examples/general/webhook-signature.subaccount.json"), &sig))
	assert.Equal(t, mailgun.WebhookSignature{
		Timestamp: vectorTimestamp, Token: vectorToken, Signature: vectorSignature, ParentSignature: vectorParentSig,
	}, sig)

	// The subaccount verifies with its key, the primary account with its own.
	assert.NoError(t, mailgun.VerifyWebhookSignature(vectorKey, sig, at(vectorTime)))
	assert.NoError(t, mailgun.VerifyWebhookSignature(vectorParentKey, sig, at(vectorTime)))
	assert.ErrorIs(t, mailgun.VerifyWebhookSignature("key-other", sig, at(vectorTime)), mailgun.ErrSignatureMismatch)

	// Without the parent signature, the primary key does not verify.
	sig.ParentSignature = ""
	assert.ErrorIs(t, mailgun.VerifyWebhookSignature(vectorParentKey, sig, at(vectorTime)), mailgun.ErrSignatureMismatch)
	// A parent signature alone is enough for the primary key.
	sig.Signature, sig.ParentSignature = "", vectorParentSig
	assert.NoError(t, mailgun.VerifyWebhookSignature(vectorParentKey, sig, at(vectorTime)))
}

func TestWebhookPayloadFixture(t *testing.T) {
	var ev mailgun.WebhookEvent
	require.NoError(t, json.Unmarshal(fixture(t, "examples/general/webhook-payload.delivered.json"), &ev))
	assert.Equal(t, vectorSig(), ev.Signature)
	assert.NoError(t, mailgun.VerifyWebhookSignature(vectorKey, ev.Signature, at(vectorTime)))

	e := ev.EventData
	assert.Equal(t, mailgun.EventDelivered, e.Event)
	assert.Equal(t, "hK7mQVt1QtqRiOfQXta4sw", e.ID)
	assert.Equal(t, time.Unix(1529006854, 329574000).UTC(), e.Timestamp)
	assert.Equal(t, mailgun.LogLevelInfo, e.LogLevel)
	assert.Equal(t, "john@example.org", e.Recipient)
	assert.Equal(t, "example.org", e.RecipientDomain)
	require.NotNil(t, e.Envelope)
	assert.Equal(t, "198.51.100.23", e.Envelope.SendingIP)
	require.NotNil(t, e.DeliveryStatus)
	assert.Equal(t, 250, e.DeliveryStatus.Code)
	assert.Equal(t, "mx1.example.org", e.DeliveryStatus.MXHost)
	require.NotNil(t, e.Message)
	assert.Equal(t, "20180614180734.1.ABCDEF0123456789@example.com", e.Message.Headers.MessageID)
	assert.Equal(t, int64(586), e.Message.Size)
	require.NotNil(t, e.Flags)
	require.NotNil(t, e.Flags.IsAuthenticated)
	assert.True(t, *e.Flags.IsAuthenticated)
	assert.Contains(t, string(e.Raw), `"sending-ip": "198.51.100.23"`, "the event as received")
}

func TestWebhookEventKeepsUnknownFields(t *testing.T) {
	body := `{"signature":{"timestamp":"1529006854","token":"` + vectorToken + `","signature":"` + vectorSignature + `"},
		"event-data":{"event":"delivered","id":"x","timestamp":1529006854.5,"x-new-field":{"a":[1,2]},"recipient":"a@example.com"}}`
	var ev mailgun.WebhookEvent
	require.NoError(t, json.Unmarshal([]byte(body), &ev))
	assert.Equal(t, "a@example.com", ev.EventData.Recipient)
	assert.Contains(t, string(ev.EventData.Raw), `"x-new-field":{"a":[1,2]}`)

	// Encoding keeps them too, so a webhook can be forwarded as received.
	out, err := json.Marshal(ev)
	require.NoError(t, err)
	var back map[string]map[string]any
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, map[string]any{"a": []any{1.0, 2.0}}, back["event-data"]["x-new-field"])
	assert.Equal(t, "1529006854", back["signature"]["timestamp"])
}

func TestWebhookSignatureTimestampJSON(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`{"timestamp":"1529006854"}`, "1529006854"},
		{`{"timestamp":1529006854}`, "1529006854"},
		{`{"timestamp": 1529006854 }`, "1529006854"},
		{`{"timestamp":1.529006854e9}`, "1.529006854e9"}, // kept as written; it will not verify
		{`{"timestamp":null}`, ""},
		{`{}`, ""},
	}
	for _, tt := range tests {
		var sig mailgun.WebhookSignature
		require.NoError(t, json.Unmarshal([]byte(tt.in), &sig), tt.in)
		assert.Equal(t, tt.want, sig.Timestamp, tt.in)
	}
	for _, in := range []string{`{"timestamp":true}`, `{"timestamp":{}}`, `{"timestamp":[1]}`, `{"token":5}`, `[]`} {
		var sig mailgun.WebhookSignature
		assert.Error(t, json.Unmarshal([]byte(in), &sig), in)
	}

	// A number timestamp verifies like the string.
	var sig mailgun.WebhookSignature
	require.NoError(t, json.Unmarshal([]byte(`{"timestamp":1529006854,"token":"`+vectorToken+`","signature":"`+vectorSignature+`"}`), &sig))
	assert.NoError(t, mailgun.VerifyWebhookSignature(vectorKey, sig, at(vectorTime)))

	// Encoding gives Mailgun's shape back: a string timestamp, no empty parent signature.
	b, err := json.Marshal(vectorSig())
	require.NoError(t, err)
	assert.JSONEq(t, `{"timestamp":"1529006854","token":"`+vectorToken+`","signature":"`+vectorSignature+`"}`, string(b))
}

func TestWebhookSignatureWindow(t *testing.T) {
	tests := []struct {
		name   string
		now    time.Time
		window time.Duration
		want   error
	}{
		{"same second", vectorTime, 0, nil},
		{"just inside, past", vectorTime.Add(5 * time.Minute), 0, nil},
		{"just outside, past", vectorTime.Add(5*time.Minute + time.Nanosecond), 0, mailgun.ErrSignatureExpired},
		{"far past", vectorTime.Add(24 * time.Hour), 0, mailgun.ErrSignatureExpired},
		{"just inside, future", vectorTime.Add(-5 * time.Minute), 0, nil},
		{"just outside, future", vectorTime.Add(-5*time.Minute - time.Nanosecond), 0, mailgun.ErrSignatureExpired},
		{"far future", vectorTime.Add(-24 * time.Hour), 0, mailgun.ErrSignatureExpired},
		{"custom window inside", vectorTime.Add(30 * time.Second), 30 * time.Second, nil},
		{"custom window outside", vectorTime.Add(31 * time.Second), 30 * time.Second, mailgun.ErrSignatureExpired},
		{"custom window outside, future", vectorTime.Add(-31 * time.Second), 30 * time.Second, mailgun.ErrSignatureExpired},
		{"wide window", vectorTime.Add(time.Hour), 2 * time.Hour, nil},
		{"negative window keeps the default", vectorTime.Add(4 * time.Minute), -time.Second, nil},
		{"negative window keeps the default, outside", vectorTime.Add(6 * time.Minute), -time.Second, mailgun.ErrSignatureExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mailgun.VerifyWebhookSignature(vectorKey, vectorSig(), at(tt.now), mailgun.WithTimestampWindow(tt.window))
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}

	// The default clock is the real one: the vector of 2018 is long expired.
	assert.ErrorIs(t, mailgun.VerifyWebhookSignature(vectorKey, vectorSig()), mailgun.ErrSignatureExpired)
	fresh := mailgun.NewWebhookSignature(vectorKey, time.Now())
	assert.NoError(t, mailgun.VerifyWebhookSignature(vectorKey, fresh))
}

func TestWebhookSignatureRejects(t *testing.T) {
	with := func(f func(*mailgun.WebhookSignature)) mailgun.WebhookSignature {
		s := vectorSig()
		f(&s)
		return s
	}
	tests := []struct {
		name string
		sig  mailgun.WebhookSignature
		want error
	}{
		{"no timestamp", with(func(s *mailgun.WebhookSignature) { s.Timestamp = "" }), mailgun.ErrSignatureMissing},
		{"no token", with(func(s *mailgun.WebhookSignature) { s.Token = "" }), mailgun.ErrSignatureMissing},
		{"no signature", with(func(s *mailgun.WebhookSignature) { s.Signature = "" }), mailgun.ErrSignatureMissing},
		{"zero value", mailgun.WebhookSignature{}, mailgun.ErrSignatureMissing},
		{"wrong signature", with(func(s *mailgun.WebhookSignature) { s.Signature = strings.Repeat("0", 64) }), mailgun.ErrSignatureMismatch},
		{"truncated signature", with(func(s *mailgun.WebhookSignature) { s.Signature = vectorSignature[:63] }), mailgun.ErrSignatureMismatch},
		{"signature with a suffix", with(func(s *mailgun.WebhookSignature) { s.Signature = vectorSignature + "00" }), mailgun.ErrSignatureMismatch},
		{"non-hex signature", with(func(s *mailgun.WebhookSignature) { s.Signature = "z" + vectorSignature[1:] }), mailgun.ErrSignatureMismatch},
		{"other token", with(func(s *mailgun.WebhookSignature) { s.Token = vectorToken[1:] }), mailgun.ErrSignatureMismatch},
		{"reformatted timestamp", with(func(s *mailgun.WebhookSignature) { s.Timestamp = "01529006854" }), mailgun.ErrSignatureMismatch},
		{"timestamp with spaces", with(func(s *mailgun.WebhookSignature) { s.Timestamp = " 1529006854" }), mailgun.ErrSignatureMismatch},
		{"wrong parent only", with(func(s *mailgun.WebhookSignature) { s.Signature = ""; s.ParentSignature = vectorParentSig }), mailgun.ErrSignatureMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mailgun.VerifyWebhookSignature(vectorKey, tt.sig, at(vectorTime))
			assert.ErrorIs(t, err, tt.want)
			assert.NotContains(t, err.Error(), vectorKey)
		})
	}

	// A validly signed but malformed timestamp is a mismatch too.
	for _, ts := range []string{"1529006854.5", "-1529006854", "+1529006854", "1e9", "99999999999999999999"} {
		sig := mailgun.WebhookSignature{Timestamp: ts, Token: vectorToken, Signature: mailgun.SignWebhook(vectorKey, ts, vectorToken)}
		err := mailgun.VerifyWebhookSignature(vectorKey, sig, at(vectorTime))
		assert.ErrorIs(t, err, mailgun.ErrSignatureMismatch, ts)
	}

	err := mailgun.VerifyWebhookSignature("", vectorSig(), at(vectorTime))
	assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, "an empty key would let anyone sign")
	assert.NotErrorIs(t, err, mailgun.ErrSignatureMismatch)
}

func TestWebhookSignatureReplay(t *testing.T) {
	store := mailgun.NewMemoryTokenStore(10, func() time.Time { return vectorTime })
	opts := []mailgun.VerifyOption{at(vectorTime), mailgun.WithTokenStore(store)}

	// A request that fails another check does not burn its token.
	bad := vectorSig()
	bad.Signature = strings.Repeat("a", 64)
	require.ErrorIs(t, mailgun.VerifyWebhookSignature(vectorKey, bad, opts...), mailgun.ErrSignatureMismatch)
	require.ErrorIs(t, mailgun.VerifyWebhookSignature(vectorKey, vectorSig(), at(vectorTime.Add(time.Hour)), mailgun.WithTokenStore(store)), mailgun.ErrSignatureExpired)
	assert.Equal(t, 0, store.Len())

	require.NoError(t, mailgun.VerifyWebhookSignature(vectorKey, vectorSig(), opts...))
	err := mailgun.VerifyWebhookSignature(vectorKey, vectorSig(), opts...)
	assert.ErrorIs(t, err, mailgun.ErrSignatureReplayed)
	// The same token under the parent key is the same webhook.
	assert.ErrorIs(t, mailgun.VerifyWebhookSignature(vectorParentKey, mailgun.WebhookSignature{
		Timestamp: vectorTimestamp, Token: vectorToken, ParentSignature: vectorParentSig,
	}, opts...), mailgun.ErrSignatureReplayed)

	// Other tokens pass.
	other := mailgun.NewWebhookSignature(vectorKey, vectorTime)
	assert.NoError(t, mailgun.VerifyWebhookSignature(vectorKey, other, opts...))
}

type failingStore struct{}

func (failingStore) Claim(context.Context, string, time.Time) (mailgun.TokenState, error) {
	return mailgun.TokenUnseen, errors.New("redis: connection refused")
}

func (failingStore) Done(context.Context, string, time.Time) error {
	return errors.New("redis: connection refused")
}

func (failingStore) Forget(context.Context, string) error {
	return errors.New("redis: connection refused")
}

type ctxStore struct{ got context.Context }

func (s *ctxStore) Claim(ctx context.Context, _ string, _ time.Time) (mailgun.TokenState, error) {
	s.got = ctx
	return mailgun.TokenUnseen, nil
}

func (s *ctxStore) Done(context.Context, string, time.Time) error { return nil }

func (s *ctxStore) Forget(context.Context, string) error { return nil }

func TestWebhookSignatureStoreErrors(t *testing.T) {
	err := mailgun.VerifyWebhookSignature(vectorKey, vectorSig(), at(vectorTime), mailgun.WithTokenStore(failingStore{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connection refused")
	for _, sentinel := range []error{mailgun.ErrSignatureMissing, mailgun.ErrSignatureMismatch, mailgun.ErrSignatureExpired, mailgun.ErrSignatureReplayed} {
		assert.NotErrorIs(t, err, sentinel)
	}

	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "request")
	s := &ctxStore{}
	require.NoError(t, mailgun.VerifyWebhookSignature(vectorKey, vectorSig(), at(vectorTime), mailgun.WithTokenStore(s), mailgun.WithVerifyContext(ctx)))
	assert.Equal(t, "request", s.got.Value(key{}))
}

func TestNewWebhookSignature(t *testing.T) {
	when := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	a := mailgun.NewWebhookSignature("key-test", when)
	b := mailgun.NewWebhookSignature("key-test", when)
	assert.Equal(t, "1775037600", a.Timestamp)
	assert.Len(t, a.Token, 50)
	assert.NotEqual(t, a.Token, b.Token)
	assert.Equal(t, mailgun.SignWebhook("key-test", a.Timestamp, a.Token), a.Signature)
	assert.Empty(t, a.ParentSignature)
	assert.NoError(t, mailgun.VerifyWebhookSignature("key-test", a, at(when)))
}

func FuzzVerifyWebhookSignature(f *testing.F) {
	f.Add(vectorKey, vectorTimestamp, vectorToken, vectorSignature, "")
	f.Add(vectorParentKey, vectorTimestamp, vectorToken, "", vectorParentSig)
	f.Add("k", "1529006854", "t", strings.ToUpper(vectorSignature), "zz")
	f.Add("", "", "", "", "")
	f.Add("key", "-1", "tok", "00", "0")
	f.Fuzz(func(t *testing.T, key, ts, token, sig, parent string) {
		s := mailgun.WebhookSignature{Timestamp: ts, Token: token, Signature: sig, ParentSignature: parent}
		err := mailgun.VerifyWebhookSignature(key, s, at(vectorTime), mailgun.WithTimestampWindow(100*365*24*time.Hour))
		if len(key) >= 16 && err != nil && strings.Contains(err.Error(), key) {
			t.Fatalf("error reveals the key: %v", err)
		}
		if err != nil {
			return
		}
		want := mailgun.SignWebhook(key, ts, token)
		if !strings.EqualFold(sig, want) && !strings.EqualFold(parent, want) {
			t.Fatalf("accepted a signature that is not the HMAC: %+v", s)
		}
	})
}

func FuzzWebhookSignatureJSON(f *testing.F) {
	f.Add(string(fixture(f, "examples/general/webhook-signature.subaccount.json")))
	f.Add(`{"timestamp":1529006854,"token":"t","signature":"s"}`)
	f.Add(`{"timestamp":null}`)
	f.Add(`{"timestamp":-1.5e300}`)
	f.Fuzz(func(t *testing.T, in string) {
		var sig mailgun.WebhookSignature
		if json.Unmarshal([]byte(in), &sig) != nil {
			return
		}
		// What decodes re-encodes and decodes to the same value.
		b, err := json.Marshal(sig)
		if err != nil {
			t.Fatal(err)
		}
		var back mailgun.WebhookSignature
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", b, err)
		}
		if back != sig {
			t.Fatalf("%+v became %+v", sig, back)
		}
		_ = mailgun.VerifyWebhookSignature("key", sig)
	})
}

// signedBody returns a webhook body signed with key at ts.
func signedBody(t *testing.T, key string, ts time.Time, eventData string) []byte {
	t.Helper()
	sig := mailgun.NewWebhookSignature(key, ts)
	b, err := json.Marshal(map[string]any{"signature": sig, "event-data": json.RawMessage(eventData)})
	require.NoError(t, err)
	return b
}

func TestWebhookHandler(t *testing.T) {
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	const key = "key-handler-test"
	const event = `{"event":"delivered","id":"abc","timestamp":1775037600.5,"recipient":"bob@example.com"}`
	clockOpt := mailgun.WithVerifyOptions(at(now))

	type result struct {
		status int
		called bool
	}
	serve := func(method string, body []byte, fnErr error, opts ...mailgun.HandlerOption) (result, *httptest.ResponseRecorder) {
		var called bool
		h := mailgun.WebhookHandler(key, func(ctx context.Context, ev *mailgun.WebhookEvent) error {
			called = true
			return fnErr
		}, opts...)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/webhooks/mailgun", bytes.NewReader(body)))
		return result{rec.Code, called}, rec
	}

	good := signedBody(t, key, now, event)
	tests := []struct {
		name   string
		method string
		body   []byte
		fnErr  error
		opts   []mailgun.HandlerOption
		want   result
	}{
		{"valid", "POST", good, nil, nil, result{200, true}},
		{"fn fails", "POST", good, errors.New("db down"), nil, result{500, true}},
		{"GET", "GET", nil, nil, nil, result{405, false}},
		{"PUT", "PUT", good, nil, nil, result{405, false}},
		{"not JSON", "POST", []byte("timestamp=1&token=2"), nil, nil, result{400, false}},
		{"truncated JSON", "POST", good[:len(good)-2], nil, nil, result{400, false}},
		{"empty body", "POST", nil, nil, nil, result{400, false}},
		{"no signature", "POST", []byte(`{"event-data":` + event + `}`), nil, nil, result{401, false}},
		{"null signature", "POST", []byte(`{"signature":null,"event-data":` + event + `}`), nil, nil, result{401, false}},
		{"empty signature", "POST", []byte(`{"signature":{},"event-data":` + event + `}`), nil, nil, result{401, false}},
		{"wrong key", "POST", signedBody(t, "key-other", now, event), nil, nil, result{401, false}},
		{"expired", "POST", signedBody(t, key, now.Add(-time.Hour), event), nil, nil, result{401, false}},
		{"future", "POST", signedBody(t, key, now.Add(time.Hour), event), nil, nil, result{401, false}},
		{"window widened", "POST", signedBody(t, key, now.Add(-time.Hour), event), nil,
			[]mailgun.HandlerOption{mailgun.WithVerifyOptions(mailgun.WithTimestampWindow(2 * time.Hour))}, result{200, true}},
		{"no event-data", "POST", signedBody(t, key, now, `null`), nil, nil, result{400, false}},
		{"event-data not an object", "POST", signedBody(t, key, now, `[1,2]`), nil, nil, result{400, false}},
		{"event-data of the wrong shape", "POST", signedBody(t, key, now, `["delivered","yesterday"]`), nil, nil, result{400, false}},
		{"event-data of the wrong shape, unsigned", "POST", signedBody(t, "key-other", now, `["yesterday"]`), nil, nil, result{401, false}},
		{"too large", "POST", good, nil, []mailgun.HandlerOption{mailgun.WithMaxBodyBytes(int64(len(good) - 1))}, result{413, false}},
		{"exactly the limit", "POST", good, nil, []mailgun.HandlerOption{mailgun.WithMaxBodyBytes(int64(len(good)))}, result{200, true}},
		{"store fails", "POST", good, nil, []mailgun.HandlerOption{mailgun.WithVerifyOptions(mailgun.WithTokenStore(failingStore{}))}, result{500, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rec := serve(tt.method, tt.body, tt.fnErr, append([]mailgun.HandlerOption{clockOpt}, tt.opts...)...)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, http.StatusText(got.status), rec.Body.String())
			if got.status == 405 {
				assert.Equal(t, "POST", rec.Header().Get("Allow"))
			}
			assert.NotContains(t, rec.Body.String(), key)
		})
	}

	t.Run("nil fn acknowledges verified webhooks", func(t *testing.T) {
		h := mailgun.WebhookHandler(key, nil, clockOpt)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/", bytes.NewReader(good)))
		assert.Equal(t, 200, rec.Code)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/", bytes.NewReader(signedBody(t, "key-other", now, event))))
		assert.Equal(t, 401, rec.Code)
	})

	t.Run("a failed delivery can be delivered again", func(t *testing.T) {
		store := mailgun.NewMemoryTokenStore(0, func() time.Time { return now })
		opts := []mailgun.HandlerOption{clockOpt, mailgun.WithVerifyOptions(mailgun.WithTokenStore(store))}
		failed, _ := serve("POST", good, errors.New("db down"), opts...)
		retried, _ := serve("POST", good, nil, opts...)
		replayed, _ := serve("POST", good, nil, opts...)
		assert.Equal(t, result{500, true}, failed)
		assert.Equal(t, result{200, true}, retried, "the token of a failed delivery was forgotten")
		assert.Equal(t, result{200, false}, replayed, "the token of a handled delivery is kept: acknowledged, fn not called")
		assert.Equal(t, 1, store.Len())

		// A panicking fn (recovered by net/http or a middleware) forgets it too.
		panicky := mailgun.WebhookHandler(key, func(context.Context, *mailgun.WebhookEvent) error { panic("bug") }, opts...)
		other := signedBody(t, key, now, `{"event":"delivered","id":"other"}`)
		func() {
			defer func() { assert.NotNil(t, recover(), "the panic reaches the caller") }()
			panicky.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", bytes.NewReader(other)))
		}()
		afterPanic, _ := serve("POST", other, nil, opts...)
		assert.Equal(t, result{200, true}, afterPanic, "the token of a delivery whose fn panicked was forgotten")

		bad := signedBody(t, key, now, `["delivered","yesterday"]`)
		first, _ := serve("POST", bad, nil, opts...)
		second, _ := serve("POST", bad, nil, opts...)
		assert.Equal(t, result{400, false}, first)
		assert.Equal(t, result{400, false}, second, "an undecodable event is not recorded either")
	})

	t.Run("event passed to fn", func(t *testing.T) {
		var got *mailgun.WebhookEvent
		var gotCtx context.Context
		h := mailgun.WebhookHandler(vectorKey, func(ctx context.Context, ev *mailgun.WebhookEvent) error {
			got, gotCtx = ev, ctx
			return nil
		}, mailgun.WithVerifyOptions(at(vectorTime)))
		type key struct{}
		req := httptest.NewRequest("POST", "/", bytes.NewReader(fixture(t, "examples/general/webhook-payload.delivered.json")))
		req = req.WithContext(context.WithValue(req.Context(), key{}, "v"))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, 200, rec.Code)
		require.NotNil(t, got)
		assert.Equal(t, vectorSig(), got.Signature)
		assert.Equal(t, "v", gotCtx.Value(key{}))
		assert.Equal(t, mailgun.EventDelivered, got.EventData.Event)
		assert.Equal(t, "john@example.org", got.EventData.Recipient)
	})
}

func FuzzWebhookHandler(f *testing.F) {
	f.Add(fixture(f, "examples/general/webhook-payload.delivered.json"))
	f.Add([]byte(`{"signature":{"timestamp":1529006854,"token":"t","signature":"s"},"event-data":{}}`))
	f.Add([]byte(`{"signature":null,"event-data":null}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, body []byte) {
		called := false
		h := mailgun.WebhookHandler(vectorKey, func(_ context.Context, ev *mailgun.WebhookEvent) error {
			called = true
			if mailgun.VerifyWebhookSignature(vectorKey, ev.Signature, at(vectorTime)) != nil {
				t.Fatalf("fn called with an unverified signature %+v", ev.Signature)
			}
			return nil
		}, mailgun.WithVerifyOptions(at(vectorTime)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/", bytes.NewReader(body)))
		switch rec.Code {
		case 200:
			if !called {
				t.Fatal("200 without calling fn")
			}
		case 400, 401, 413:
			if called {
				t.Fatalf("%d after calling fn", rec.Code)
			}
		default:
			t.Fatalf("unexpected status %d", rec.Code)
		}
	})
}
