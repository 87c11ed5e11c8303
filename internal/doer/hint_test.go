package doer

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var hintNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type hintCase struct {
	value string
	want  time.Duration
	ok    bool
}

func TestParseResetRejectsWhatIsNotAWait(t *testing.T) {
	cases := []hintCase{
		{"1e19", 0, false},                    // milliseconds 317 million years ahead
		{"99999999999999999999999", 0, false}, // past int64
		{"1e400", 0, false},                   // past float64
		{"Inf", 0, false}, {"+Inf", 0, false}, {"-Inf", 0, false}, {"infinity", 0, false},
		{"NaN", 0, false}, {"nan", 0, false},
		{"-1", 0, false}, {"-1774529969637", 0, false}, {"-0.5", 0, false},
		{"", 0, false}, {"soon", 0, false}, {"0x10", 0, false}, {"1_000", 0, false}, {"+5", 0, false}, {"1.2.3", 0, false}, {".", 0, false},
		{"3", 3 * time.Second, true},
		{"1.5", 1500 * time.Millisecond, true}, {" 2 ", 2 * time.Second, true},
		{"0", 0, true},
		{"999999999", 999999999 * time.Second, true}, // 31 years: a huge finite wait, capped later
		{strconv.FormatInt(hintNow.Add(2500*time.Millisecond).UnixMilli(), 10), 2500 * time.Millisecond, true},
		{strconv.FormatInt(hintNow.Add(-time.Hour).UnixMilli(), 10), 0, true}, // passed: go now
		{strconv.FormatInt(hintNow.Add(24*time.Hour).Unix(), 10), 24 * time.Hour, true},
		{strconv.FormatInt(hintNow.AddDate(200, 0, 0).Unix(), 10), hintNow.AddDate(200, 0, 0).Sub(hintNow), true},
		{strconv.FormatInt(hintNow.AddDate(300, 0, 0).Unix(), 10), 0, false},      // past a Duration
		{strconv.FormatInt(hintNow.AddDate(300, 0, 0).UnixMilli(), 10), 0, false}, // past a Duration
		{"4611686018427387904", 0, false},                                         // 1<<62 ms
	}
	checkHints(t, parseReset, cases)
}

func checkHints(t *testing.T, parse func(string, time.Time) (time.Duration, bool), cases []hintCase) {
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			got, ok := parse(tc.value, hintNow)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseRetryAfterRejectsWhatIsNotAWait(t *testing.T) {
	cases := []hintCase{
		{"1e19", 0, false}, {"99999999999999999999999", 0, false}, {"9223372037", 0, false}, // past a Duration
		{"Inf", 0, false}, {"NaN", 0, false}, {"-1", 0, false}, {"1.5", 0, false}, {"soon", 0, false}, {"", 0, false},
		{"9223372036", 9223372036 * time.Second, true}, // the longest Duration in seconds: capped later
		{"7", 7 * time.Second, true},
		{hintNow.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{hintNow.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Fri, 31 Dec 9999 23:59:59 GMT", 0, false}, // past a Duration
	}
	checkHints(t, parseRetryAfter, cases)
}

// TestRateLimitLoopWaits runs a GET through three 429s carrying each hint
// and records the waits the doer chose, with a fake clock and sleep and a
// jitter that always draws the top of its range: a hint that is not a
// wait gives the exponential ceilings, a huge one gives MaxDelay.
func TestRateLimitLoopWaits(t *testing.T) {
	jittered := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}
	capped := []time.Duration{8 * time.Second, 8 * time.Second, 8 * time.Second}
	cases := []struct {
		header, value string
		want          []time.Duration
	}{
		{"X-Ratelimit-Reset", "1e19", jittered},
		{"X-Ratelimit-Reset", "99999999999999999999999", jittered},
		{"X-Ratelimit-Reset", "Inf", jittered},
		{"X-Ratelimit-Reset", "NaN", jittered},
		{"X-Ratelimit-Reset", "-1", jittered},
		{"X-Request-Reset", "soon", jittered},
		{"Retry-After", "99999999999999999999999", jittered},
		{"Retry-After", "1e19", jittered},
		{"Retry-After", "-5", jittered},
		{"X-Ratelimit-Reset", strconv.FormatInt(hintNow.Add(time.Hour).UnixMilli(), 10), capped},
		{"X-Ratelimit-Reset", "999999999", capped},
		{"Retry-After", "9223372036", capped},
		{"X-Request-Reset", strconv.FormatInt(hintNow.Add(1500*time.Millisecond).UnixMilli(), 10), nil}, // set below
	}
	for _, tc := range cases {
		t.Run(tc.header+"="+tc.value, func(t *testing.T) {
			srv, seen := retryServer(t, 3, http.StatusTooManyRequests, http.Header{tc.header: {tc.value}})
			cfg := testConfig(srv.URL, srv.Client())
			cfg.Retry = RetryPolicy{MaxRetries: 3, BaseDelay: 500 * time.Millisecond, MaxDelay: 8 * time.Second}
			d := New(cfg)
			clock := hintNow
			var waits []time.Duration
			d.now = func() time.Time { return clock }
			d.jitter = func(n int64) int64 { return n - 1 }
			d.sleep = func(_ context.Context, w time.Duration) bool {
				waits = append(waits, w)
				clock = clock.Add(w)
				return true
			}
			require.NoError(t, d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, nil))
			assert.Equal(t, int32(4), seen.Load())
			want := tc.want
			if want == nil {
				// The reset stays put while the clock moves on: 1.5 s, then it has passed.
				want = []time.Duration{1500 * time.Millisecond, 0, 0}
			}
			assert.Equal(t, want, waits)
		})
	}
}
