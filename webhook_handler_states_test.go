package mailgun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

const statesKey = "key-states-test"

// deliver POSTs body to h and returns the status.
func deliver(h http.Handler, body []byte) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(body)))
	return rec.Code
}

// With a TokenStore, a webhook is handled once however often it is
// delivered: a redelivery of a handled webhook (its 200 was lost) is
// acknowledged without calling fn, one that arrives while the first is
// running is told to retry (409), and only a bad signature or a timestamp
// outside the window is refused (401).
func TestWebhookHandlerRedelivery(t *testing.T) {
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	newHandler := func(fn func(context.Context, *mailgun.WebhookEvent) error, clk *clock, window time.Duration) (http.Handler, *mailgun.MemoryTokenStore) {
		store := mailgun.NewMemoryTokenStore(0, clk.Now)
		return mailgun.WebhookHandler(statesKey, fn, mailgun.WithVerifyOptions(
			mailgun.WithVerifyClock(clk.Now), mailgun.WithTimestampWindow(window), mailgun.WithTokenStore(store))), store
	}
	event := `{"event":"delivered","id":"ev-1","recipient":"bob@example.com"}`

	t.Run("done: a redelivery is acknowledged without calling fn", func(t *testing.T) {
		var calls atomic.Int32
		h, _ := newHandler(func(context.Context, *mailgun.WebhookEvent) error { calls.Add(1); return nil }, &clock{t: now}, 0)
		body := signedBody(t, statesKey, now, event)
		assert.Equal(t, 200, deliver(h, body))
		assert.Equal(t, 200, deliver(h, body), "the first 200 was lost; Mailgun delivers again")
		assert.Equal(t, 200, deliver(h, body))
		assert.Equal(t, int32(1), calls.Load())
	})

	t.Run("processing: a redelivery while fn runs is answered 409, then 200 once handled", func(t *testing.T) {
		entered, release := make(chan struct{}), make(chan struct{})
		var calls atomic.Int32
		h, _ := newHandler(func(context.Context, *mailgun.WebhookEvent) error {
			calls.Add(1)
			close(entered)
			<-release
			return nil
		}, &clock{t: now}, 0)
		body := signedBody(t, statesKey, now, event)
		first := make(chan int)
		go func() { first <- deliver(h, body) }()
		<-entered
		assert.Equal(t, http.StatusConflict, deliver(h, body))
		close(release)
		assert.Equal(t, 200, <-first)
		assert.Equal(t, 200, deliver(h, body))
		assert.Equal(t, int32(1), calls.Load())
	})

	t.Run("only a bad signature or an expired timestamp is 401", func(t *testing.T) {
		clk := &clock{t: now}
		h, _ := newHandler(func(context.Context, *mailgun.WebhookEvent) error { return nil }, clk, 0)
		sig := mailgun.NewWebhookSignature(statesKey, now)
		body := func(sig mailgun.WebhookSignature) []byte {
			b, err := json.Marshal(map[string]any{"signature": sig, "event-data": json.RawMessage(event)})
			require.NoError(t, err)
			return b
		}
		require.Equal(t, 200, deliver(h, body(sig)))
		forged := sig
		forged.Signature = mailgun.SignWebhook("key-other", sig.Timestamp, sig.Token)
		assert.Equal(t, 401, deliver(h, body(forged)), "a done token does not excuse a bad signature")
		clk.Add(5*time.Minute + time.Second)
		assert.Equal(t, 401, deliver(h, body(sig)), "nor an expired timestamp")
	})

	t.Run("fn fails: the token is forgotten and the retry is handled", func(t *testing.T) {
		var calls atomic.Int32
		h, store := newHandler(func(context.Context, *mailgun.WebhookEvent) error {
			if calls.Add(1) == 1 {
				return errors.New("db down")
			}
			return nil
		}, &clock{t: now}, 0)
		body := signedBody(t, statesKey, now, event)
		assert.Equal(t, 500, deliver(h, body))
		assert.Equal(t, 0, store.Len(), "forgotten")
		assert.Equal(t, 200, deliver(h, body), "the retry runs fn again")
		assert.Equal(t, 200, deliver(h, body), "and is then done")
		assert.Equal(t, int32(2), calls.Load())
	})

	t.Run("fn panics: the token is forgotten", func(t *testing.T) {
		var calls atomic.Int32
		h, store := newHandler(func(context.Context, *mailgun.WebhookEvent) error {
			if calls.Add(1) == 1 {
				panic("bug")
			}
			return nil
		}, &clock{t: now}, 0)
		body := signedBody(t, statesKey, now, event)
		assert.Panics(t, func() { deliver(h, body) }, "the panic reaches net/http's recovery")
		assert.Equal(t, 0, store.Len(), "forgotten")
		assert.Equal(t, 200, deliver(h, body))
		assert.Equal(t, int32(2), calls.Load())
	})

	t.Run("the claim of a process that died lapses after 5 minutes", func(t *testing.T) {
		clk := &clock{t: now}
		var calls atomic.Int32
		h, store := newHandler(func(context.Context, *mailgun.WebhookEvent) error { calls.Add(1); return nil }, clk, 9*time.Hour)
		sig := mailgun.NewWebhookSignature(statesKey, now)
		b, err := json.Marshal(map[string]any{"signature": sig, "event-data": json.RawMessage(event)})
		require.NoError(t, err)
		// Another process sharing the store claimed the token and died.
		state, err := store.Claim(context.Background(), sig.Token, now.Add(5*time.Minute))
		require.NoError(t, err)
		require.Equal(t, mailgun.TokenUnseen, state)

		clk.Add(4 * time.Minute)
		assert.Equal(t, http.StatusConflict, deliver(h, b))
		clk.Add(time.Minute)
		assert.Equal(t, 200, deliver(h, b), "Mailgun's retry 10 minutes later is handled")
		clk.Add(8 * time.Hour)
		assert.Equal(t, 200, deliver(h, b), "done until the timestamp leaves the window")
		assert.Equal(t, int32(1), calls.Load())
	})
}

// recordingStore answers Claim with a fixed state and records what the
// handler asked of it.
type recordingStore struct {
	mu      sync.Mutex
	state   mailgun.TokenState
	doneErr error
	calls   []string
}

func (s *recordingStore) log(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, fmt.Sprintf(format, args...))
}

func (s *recordingStore) Claim(_ context.Context, token string, expires time.Time) (mailgun.TokenState, error) {
	s.log("claim %s until %s", token, expires.UTC().Format(time.TimeOnly))
	return s.state, nil
}

func (s *recordingStore) Done(_ context.Context, token string, expires time.Time) error {
	s.log("done %s until %s", token, expires.UTC().Format(time.TimeOnly))
	return s.doneErr
}

func (s *recordingStore) Forget(_ context.Context, token string) error {
	s.log("forget %s", token)
	return nil
}

// What WebhookHandler asks of a TokenStore, and how it answers each state.
func TestWebhookHandlerTokenStoreCalls(t *testing.T) {
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	sig := mailgun.WebhookSignature{Timestamp: fmt.Sprint(now.Add(-2 * time.Minute).Unix()), Token: "tok"}
	sig.Signature = mailgun.SignWebhook(statesKey, sig.Timestamp, sig.Token)
	body, err := json.Marshal(map[string]any{"signature": sig, "event-data": json.RawMessage(`{"event":"delivered"}`)})
	require.NoError(t, err)

	tests := []struct {
		name    string
		window  time.Duration
		state   mailgun.TokenState
		fnErr   error
		doneErr error
		status  int
		called  bool
		calls   []string
	}{
		{"unseen, handled", 9 * time.Hour, mailgun.TokenUnseen, nil, nil, 200, true,
			[]string{"claim tok until 10:05:00", "done tok until 18:58:00"}},
		{"the claim ends with the window when sooner", 5 * time.Minute, mailgun.TokenUnseen, nil, nil, 200, true,
			[]string{"claim tok until 10:03:00", "done tok until 10:03:00"}},
		{"unseen, fn fails", 9 * time.Hour, mailgun.TokenUnseen, errors.New("db down"), nil, 500, true,
			[]string{"claim tok until 10:05:00", "forget tok"}},
		{"unseen, Done fails: still handled", 9 * time.Hour, mailgun.TokenUnseen, nil, errors.New("redis down"), 200, true,
			[]string{"claim tok until 10:05:00", "done tok until 18:58:00"}},
		{"processing", 9 * time.Hour, mailgun.TokenProcessing, nil, nil, 409, false, []string{"claim tok until 10:05:00"}},
		{"done", 9 * time.Hour, mailgun.TokenDone, nil, nil, 200, false, []string{"claim tok until 10:05:00"}},
		{"a state the handler does not know", 9 * time.Hour, mailgun.TokenState(7), nil, nil, 500, false, []string{"claim tok until 10:05:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &recordingStore{state: tt.state, doneErr: tt.doneErr}
			called := false
			h := mailgun.WebhookHandler(statesKey, func(context.Context, *mailgun.WebhookEvent) error {
				called = true
				return tt.fnErr
			}, mailgun.WithVerifyOptions(at(now), mailgun.WithTimestampWindow(tt.window), mailgun.WithTokenStore(store)))
			assert.Equal(t, tt.status, deliver(h, body))
			assert.Equal(t, tt.called, called)
			assert.Equal(t, tt.calls, store.calls)
		})
	}

	t.Run("nothing is recorded for a request that fails verification or decoding", func(t *testing.T) {
		store := &recordingStore{}
		h := mailgun.WebhookHandler(statesKey, nil, mailgun.WithVerifyOptions(at(now), mailgun.WithTokenStore(store)))
		assert.Equal(t, 401, deliver(h, signedBody(t, "key-other", now, `{"event":"delivered"}`)))
		assert.Equal(t, 401, deliver(h, signedBody(t, statesKey, now.Add(-time.Hour), `{"event":"delivered"}`)))
		assert.Equal(t, 400, deliver(h, signedBody(t, statesKey, now, `["not an event"]`)))
		assert.Empty(t, store.calls)
	})
}

// Concurrent deliveries of many webhooks, each delivered several times at
// once and retried on 409 and 500 as Mailgun does, some failing their
// first handling: every webhook is handled exactly once, and every
// delivery ends in 200.
func TestWebhookHandlerConcurrentDeliveries(t *testing.T) {
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	store := mailgun.NewMemoryTokenStore(0, func() time.Time { return now })
	var mu sync.Mutex
	handled := map[string]int{}
	attempts := map[string]int{}
	h := mailgun.WebhookHandler(statesKey, func(_ context.Context, ev *mailgun.WebhookEvent) error {
		id := ev.EventData.ID
		mu.Lock()
		attempts[id]++
		first := attempts[id] == 1
		mu.Unlock()
		runtime.Gosched() // let the copies arrive while this one runs
		if first && len(id)%2 == 0 {
			return errors.New("transient failure")
		}
		mu.Lock()
		handled[id]++
		mu.Unlock()
		return nil
	}, mailgun.WithVerifyOptions(at(now), mailgun.WithTokenStore(store)))

	const webhooks, copies = 40, 4
	var wg sync.WaitGroup
	for i := range webhooks {
		body := signedBody(t, statesKey, now, fmt.Sprintf(`{"event":"delivered","id":"ev-%d"}`, i))
		for range copies {
			wg.Go(func() {
				for range 100_000 {
					switch code := deliver(h, body); code {
					case 200:
						return
					case http.StatusConflict, http.StatusInternalServerError:
						runtime.Gosched()
					default:
						t.Errorf("status %d", code)
						return
					}
				}
				t.Error("a delivery never got its 200")
			})
		}
	}
	wg.Wait()
	require.Len(t, handled, webhooks)
	for id, n := range handled {
		assert.Equal(t, 1, n, "%s handled %d times", id, n)
	}
}
