package mailgun_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

func TestMemoryTokenStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := &clock{t: now}
	s := mailgun.NewMemoryTokenStore(3, clk.Now)

	seen, err := s.SeenBefore(ctx, "a", now.Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, seen)
	seen, _ = s.SeenBefore(ctx, "a", now.Add(time.Minute))
	assert.True(t, seen)

	// Full: the token closest to expiring goes first.
	_, _ = s.SeenBefore(ctx, "b", now.Add(3*time.Minute))
	_, _ = s.SeenBefore(ctx, "c", now.Add(2*time.Minute))
	assert.Equal(t, 3, s.Len())
	_, _ = s.SeenBefore(ctx, "d", now.Add(4*time.Minute))
	assert.Equal(t, 3, s.Len())
	for token, want := range map[string]bool{"b": true, "c": true, "d": true} {
		seen, _ := s.SeenBefore(ctx, token, now.Add(5*time.Minute))
		assert.Equal(t, want, seen, token)
	}
	seen, _ = s.SeenBefore(ctx, "a", now.Add(5*time.Minute))
	assert.False(t, seen, "a was evicted, being the first to expire")

	// Forget removes a token at once; unknown tokens are fine.
	require.NoError(t, s.Forget(ctx, "a"))
	require.NoError(t, s.Forget(ctx, "never-seen"))
	seen, _ = s.SeenBefore(ctx, "a", now.Add(5*time.Minute))
	assert.False(t, seen, "a was forgotten")

	// Expired tokens are forgotten.
	clk.Add(10 * time.Minute)
	seen, _ = s.SeenBefore(ctx, "b", clk.Now().Add(time.Minute))
	assert.False(t, seen)
	assert.LessOrEqual(t, s.Len(), 3)

	// Defaults.
	d := mailgun.NewMemoryTokenStore(0, nil)
	for i := range 50 {
		_, _ = d.SeenBefore(ctx, fmt.Sprint(i), time.Now().Add(time.Minute))
	}
	assert.Equal(t, 50, d.Len())
}

func TestMemoryTokenStoreBounded(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := mailgun.NewMemoryTokenStore(100, clk.Now)
	for i := range 10_000 {
		// Re-record some expired tokens too, leaving stale heap entries.
		token := fmt.Sprint(i % 700)
		_, _ = s.SeenBefore(ctx, token, clk.Now().Add(time.Duration(i%37)*time.Second))
		clk.Add(time.Second)
		require.LessOrEqual(t, s.Len(), 100)
	}
}

func TestMemoryTokenStoreConcurrent(t *testing.T) {
	s := mailgun.NewMemoryTokenStore(1000, nil)
	var firsts atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := range 200 {
				seen, err := s.SeenBefore(context.Background(), fmt.Sprint(i), time.Now().Add(time.Minute))
				if err == nil && !seen {
					firsts.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(200), firsts.Load(), "each token is new exactly once")
}
