package mailgun

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Forgotten tokens, and claims turned done with a later expiry, leave stale
// heap entries; behind one live token that expires first, evict never
// reaches them. compact must keep the heap bounded by the live tokens, not
// by the tokens ever forgotten or settled.
func TestMemoryTokenStoreForgetKeepsHeapBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for _, settle := range []string{"forget", "done"} {
		s := NewMemoryTokenStore(10, func() time.Time { return now })
		if _, err := s.Claim(ctx, "handled", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for i := range 100_000 {
			token := fmt.Sprint("delivery-", i%5) // 5 live tokens at most
			if _, err := s.Claim(ctx, token, now.Add(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			var err error
			if settle == "forget" {
				err = s.Forget(ctx, token)
			} else {
				err = s.Done(ctx, token, now.Add(3*time.Hour+time.Duration(i)*time.Second))
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		s.mu.Lock()
		tokens, entries, capacity := len(s.tokens), len(s.byExp), cap(s.byExp)
		s.mu.Unlock()
		if tokens > 6 || entries > 2*tokens+64 || capacity > 1024 {
			t.Fatalf("%s: tokens %d, heap entries %d (cap %d): stale entries were kept", settle, tokens, entries, capacity)
		}
		if state, _ := s.Claim(ctx, "handled", now.Add(time.Hour)); state != TokenProcessing {
			t.Fatalf("%s: the live claim was lost by compaction: %v", settle, state)
		}
	}
}
