package mailgun

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Forgotten tokens leave stale heap entries; behind one live token that
// expires first, evict never reaches them. compact must keep the heap
// bounded by the live tokens, not by the tokens ever forgotten.
func TestMemoryTokenStoreForgetKeepsHeapBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewMemoryTokenStore(10, func() time.Time { return now })
	ctx := context.Background()
	if _, err := s.SeenBefore(ctx, "handled", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for i := range 100_000 {
		token := fmt.Sprint("failed-", i)
		if _, err := s.SeenBefore(ctx, token, now.Add(9*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.Forget(ctx, token); err != nil {
			t.Fatal(err)
		}
	}
	s.mu.Lock()
	tokens, entries, capacity := len(s.tokens), len(s.byExp), cap(s.byExp)
	s.mu.Unlock()
	if tokens != 1 || entries > 2*tokens+64 || capacity > 1024 {
		t.Fatalf("tokens %d, heap entries %d (cap %d): stale entries were kept", tokens, entries, capacity)
	}
	if seen, _ := s.SeenBefore(ctx, "handled", now.Add(time.Hour)); !seen {
		t.Fatal("the live token was lost by compaction")
	}
}
