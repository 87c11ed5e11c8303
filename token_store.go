package mailgun

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// TokenStore remembers the tokens of verified send webhooks so that a
// replayed request is rejected. Implementations must be safe for concurrent
// use; back one with Redis or a database to share it between processes.
type TokenStore interface {
	// SeenBefore records token as seen until expires, and reports whether
	// it had been recorded already (and not yet expired). Checking and
	// recording must be one atomic step (SET NX in Redis, say), so that
	// two concurrent deliveries of one webhook cannot both pass.
	SeenBefore(ctx context.Context, token string, expires time.Time) (bool, error)
	// Forget removes token, so that a webhook whose processing failed is
	// accepted when Mailgun delivers it again. WebhookHandler calls it when
	// your function fails. An unknown token is not an error.
	Forget(ctx context.Context, token string) error
}

// DefaultMaxTokens is the capacity of a MemoryTokenStore made with
// maxTokens <= 0.
const DefaultMaxTokens = 100_000

// MemoryTokenStore is a TokenStore in memory, for a single process. It holds
// at most its capacity of tokens: expired tokens are dropped first, then
// the ones closest to expiring, so size it above the number of webhooks
// received within twice the timestamp window. Safe for concurrent use.
type MemoryTokenStore struct {
	max int
	now func() time.Time

	mu     sync.Mutex
	tokens map[string]time.Time // token -> expiry
	byExp  tokenHeap
}

// NewMemoryTokenStore returns an empty store holding at most maxTokens
// tokens (DefaultMaxTokens when maxTokens <= 0) that reads the time from now
// (time.Now when nil). Pass the clock given to WithVerifyClock, if any.
func NewMemoryTokenStore(maxTokens int, now func() time.Time) *MemoryTokenStore {
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryTokenStore{max: maxTokens, now: now, tokens: map[string]time.Time{}}
}

// Forget removes token. It never fails.
func (s *MemoryTokenStore) Forget(_ context.Context, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token) // its heap entry is now stale
	s.compact()
	return nil
}

// SeenBefore records token until expires and reports whether it was
// already recorded and not expired. It never fails.
func (s *MemoryTokenStore) SeenBefore(_ context.Context, token string, expires time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if exp, ok := s.tokens[token]; ok && exp.After(now) {
		return true, nil
	}
	s.evict(now)
	s.tokens[token] = expires
	heap.Push(&s.byExp, tokenExpiry{token: token, expires: expires})
	return false, nil
}

// Len returns how many tokens the store holds, expired ones included until
// they are dropped.
func (s *MemoryTokenStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// evict drops expired tokens, then the tokens closest to expiring until
// there is room for one more. Heap entries whose token was recorded again
// since are stale and only removed.
func (s *MemoryTokenStore) evict(now time.Time) {
	s.compact()
	for s.byExp.Len() > 0 {
		top := s.byExp[0]
		exp, ok := s.tokens[top.token]
		switch {
		case !ok || !exp.Equal(top.expires):
			heap.Pop(&s.byExp) // stale
		case !top.expires.After(now) || len(s.tokens) >= s.max:
			heap.Pop(&s.byExp)
			delete(s.tokens, top.token)
		default:
			return
		}
	}
}

// compact rebuilds the heap from the map once stale entries (of forgotten
// or re-recorded tokens) outnumber live ones, so memory stays bounded by
// the capacity even when stale entries sit behind a live token.
func (s *MemoryTokenStore) compact() {
	if len(s.byExp) <= 2*len(s.tokens)+64 {
		return
	}
	h := make(tokenHeap, 0, len(s.tokens))
	for token, exp := range s.tokens {
		h = append(h, tokenExpiry{token: token, expires: exp})
	}
	heap.Init(&h)
	s.byExp = h
}

type tokenExpiry struct {
	token   string
	expires time.Time
}

type tokenHeap []tokenExpiry

func (h tokenHeap) Len() int           { return len(h) }
func (h tokenHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h tokenHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *tokenHeap) Push(x any)        { *h = append(*h, x.(tokenExpiry)) }
func (h *tokenHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
