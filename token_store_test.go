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

	state, err := s.Claim(ctx, "a", now.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, mailgun.TokenUnseen, state)
	state, _ = s.Claim(ctx, "a", now.Add(time.Minute))
	assert.Equal(t, mailgun.TokenProcessing, state)

	// Full: the token closest to expiring goes first.
	_, _ = s.Claim(ctx, "b", now.Add(3*time.Minute))
	_, _ = s.Claim(ctx, "c", now.Add(2*time.Minute))
	assert.Equal(t, 3, s.Len())
	_, _ = s.Claim(ctx, "d", now.Add(4*time.Minute))
	assert.Equal(t, 3, s.Len())
	for _, token := range []string{"b", "c", "d"} {
		state, _ := s.Claim(ctx, token, now.Add(5*time.Minute))
		assert.Equal(t, mailgun.TokenProcessing, state, token)
	}
	state, _ = s.Claim(ctx, "a", now.Add(5*time.Minute))
	assert.Equal(t, mailgun.TokenUnseen, state, "a was evicted, being the first to expire")

	// Forget removes a token at once; unknown tokens are fine.
	require.NoError(t, s.Forget(ctx, "a"))
	require.NoError(t, s.Forget(ctx, "never-seen"))
	state, _ = s.Claim(ctx, "a", now.Add(5*time.Minute))
	assert.Equal(t, mailgun.TokenUnseen, state, "a was forgotten")

	// Expired tokens are forgotten.
	clk.Add(10 * time.Minute)
	state, _ = s.Claim(ctx, "b", clk.Now().Add(time.Minute))
	assert.Equal(t, mailgun.TokenUnseen, state)
	assert.LessOrEqual(t, s.Len(), 3)

	// Defaults.
	d := mailgun.NewMemoryTokenStore(0, nil)
	for i := range 50 {
		_, _ = d.Claim(ctx, fmt.Sprint(i), time.Now().Add(time.Minute))
	}
	assert.Equal(t, 50, d.Len())
}

// A token goes unseen -> processing -> done (or back to unseen when
// forgotten); a claim and a done record each expire on their own time.
func TestMemoryTokenStoreStates(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := &clock{t: now}
	s := mailgun.NewMemoryTokenStore(10, clk.Now)
	claim := func(token string, d time.Duration) mailgun.TokenState {
		t.Helper()
		state, err := s.Claim(ctx, token, clk.Now().Add(d))
		require.NoError(t, err)
		return state
	}

	// A claim holds until its own expiry, then the token is unseen again.
	assert.Equal(t, mailgun.TokenUnseen, claim("lease", time.Minute))
	assert.Equal(t, mailgun.TokenProcessing, claim("lease", time.Hour), "a second claim changes nothing")
	clk.Add(time.Minute)
	assert.Equal(t, mailgun.TokenUnseen, claim("lease", time.Minute), "the first claim expired, not extended by the second")

	// Done replaces a claim, with its own (longer) expiry.
	assert.Equal(t, mailgun.TokenUnseen, claim("handled", time.Minute))
	require.NoError(t, s.Done(ctx, "handled", clk.Now().Add(time.Hour)))
	assert.Equal(t, mailgun.TokenDone, claim("handled", time.Minute))
	clk.Add(30 * time.Minute)
	assert.Equal(t, mailgun.TokenDone, claim("handled", time.Minute), "done outlives the claim's expiry")
	clk.Add(30 * time.Minute)
	assert.Equal(t, mailgun.TokenUnseen, claim("handled", time.Minute), "done expires too")

	// Done of a token not claimed (or evicted meanwhile) records it.
	require.NoError(t, s.Done(ctx, "unclaimed", clk.Now().Add(time.Hour)))
	assert.Equal(t, mailgun.TokenDone, claim("unclaimed", time.Minute))

	// Forget undoes done as well.
	require.NoError(t, s.Forget(ctx, "unclaimed"))
	assert.Equal(t, mailgun.TokenUnseen, claim("unclaimed", time.Minute))

	assert.Equal(t, "unseen", mailgun.TokenUnseen.String())
	assert.Equal(t, "processing", mailgun.TokenProcessing.String())
	assert.Equal(t, "done", mailgun.TokenDone.String())
	assert.Equal(t, "TokenState(9)", mailgun.TokenState(9).String())
}

func TestMemoryTokenStoreBounded(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := mailgun.NewMemoryTokenStore(100, clk.Now)
	for i := range 10_000 {
		// Re-record some expired tokens too, leaving stale heap entries;
		// settle most claims as a handler does.
		token := fmt.Sprint(i % 700)
		_, _ = s.Claim(ctx, token, clk.Now().Add(time.Duration(i%37)*time.Second))
		switch i % 3 {
		case 0:
			_ = s.Done(ctx, token, clk.Now().Add(time.Duration(i%53)*time.Second))
		case 1:
			_ = s.Forget(ctx, token)
		}
		clk.Add(time.Second)
		require.LessOrEqual(t, s.Len(), 100)
	}
}

func TestMemoryTokenStoreConcurrent(t *testing.T) {
	s := mailgun.NewMemoryTokenStore(1000, nil)
	ctx := context.Background()
	var firsts, dones atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := range 200 {
				token := fmt.Sprint(i)
				state, err := s.Claim(ctx, token, time.Now().Add(time.Minute))
				if err != nil {
					t.Error(err)
					return
				}
				switch state {
				case mailgun.TokenUnseen:
					firsts.Add(1)
					_ = s.Done(ctx, token, time.Now().Add(time.Hour))
				case mailgun.TokenDone:
					dones.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(200), firsts.Load(), "each token is claimed exactly once")
	assert.Positive(t, dones.Load(), "later claims saw some tokens done")
	for i := range 200 {
		state, _ := s.Claim(ctx, fmt.Sprint(i), time.Now().Add(time.Minute))
		assert.Equal(t, mailgun.TokenDone, state)
	}
}
