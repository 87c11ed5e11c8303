package mailgun

import (
	"container/heap"
	"context"
	"strconv"
	"sync"
	"time"
)

// TokenState is what a TokenStore knows of a send webhook's token.
type TokenState uint8

// The states of a token. A token goes from TokenUnseen to TokenProcessing
// when a delivery claims it, then to TokenDone when that delivery was
// handled, or back to TokenUnseen when its handling failed (Forget) or its
// record expired.
const (
	// TokenUnseen: no delivery with this token is recorded, or its record
	// expired.
	TokenUnseen TokenState = iota
	// TokenProcessing: a delivery claimed the token and has not finished:
	// it is still running, or its process died before the claim expired.
	TokenProcessing
	// TokenDone: a delivery with this token was handled.
	TokenDone
)

// String returns "unseen", "processing" or "done".
func (s TokenState) String() string {
	switch s {
	case TokenUnseen:
		return "unseen"
	case TokenProcessing:
		return "processing"
	case TokenDone:
		return "done"
	}
	return "TokenState(" + strconv.Itoa(int(s)) + ")"
}

// TokenStore records the tokens of verified send webhooks, so that a
// webhook is handled once however often it is delivered: a redelivery of
// a handled webhook is acknowledged without handling it again, one that
// arrives while the first is still running is told to come back later, and
// one whose handling failed is handled again. Implementations must be safe
// for concurrent use; back one with Redis or a database to share it
// between processes.
type TokenStore interface {
	// Claim returns the state of token and, when it is TokenUnseen,
	// records it as TokenProcessing until expires: TokenUnseen means the
	// caller now holds the claim. Checking and recording must be one
	// atomic step (SET NX in Redis, say), so that two concurrent
	// deliveries of one webhook cannot both claim it.
	Claim(ctx context.Context, token string, expires time.Time) (TokenState, error)
	// Done records token as TokenDone until expires, whatever its state:
	// its webhook was handled. WebhookHandler calls it when your function
	// returns nil.
	Done(ctx context.Context, token string, expires time.Time) error
	// Forget removes token, so that a webhook whose handling failed is
	// accepted when Mailgun delivers it again. WebhookHandler calls it when
	// your function fails or panics. An unknown token is not an error.
	Forget(ctx context.Context, token string) error
}

// DefaultMaxTokens is the capacity of a MemoryTokenStore made with
// maxTokens <= 0.
const DefaultMaxTokens = 100_000

// MemoryTokenStore is a TokenStore in memory, for a single process. It holds
// at most its capacity of tokens, whatever their state: expired tokens are
// dropped first, then the ones closest to expiring, so size it above the
// number of webhooks received within twice the timestamp window. Safe for
// concurrent use.
type MemoryTokenStore struct {
	max int
	now func() time.Time

	mu     sync.Mutex
	tokens map[string]tokenRecord
	byExp  tokenHeap // one live entry per token, plus stale ones (see evict)
}

type tokenRecord struct {
	expires time.Time
	done    bool
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
	return &MemoryTokenStore{max: maxTokens, now: now, tokens: map[string]tokenRecord{}}
}

// Forget removes token. It never fails.
func (s *MemoryTokenStore) Forget(_ context.Context, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token) // its heap entry is now stale
	s.compact()
	return nil
}

// Claim returns the state of token, recording it as TokenProcessing until
// expires when it is unseen or expired. It never fails.
func (s *MemoryTokenStore) Claim(_ context.Context, token string, expires time.Time) (TokenState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if rec, ok := s.tokens[token]; ok && rec.expires.After(now) {
		if rec.done {
			return TokenDone, nil
		}
		return TokenProcessing, nil
	}
	s.record(now, token, tokenRecord{expires: expires})
	return TokenUnseen, nil
}

// Done records token as TokenDone until expires. It never fails.
func (s *MemoryTokenStore) Done(_ context.Context, token string, expires time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record(s.now(), token, tokenRecord{expires: expires, done: true})
	return nil
}

// record sets the record of token, making room for it first when it is new.
// A record whose expiry is unchanged keeps its heap entry; otherwise that
// entry turns stale and a new one is pushed.
func (s *MemoryTokenStore) record(now time.Time, token string, rec tokenRecord) {
	old, ok := s.tokens[token]
	if !ok {
		s.evict(now)
	}
	s.tokens[token] = rec
	if ok && old.expires.Equal(rec.expires) {
		return
	}
	heap.Push(&s.byExp, tokenExpiry{token: token, expires: rec.expires})
	s.compact()
}

// Len returns how many tokens the store holds, expired ones included until
// they are dropped.
func (s *MemoryTokenStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// evict drops expired tokens, then the tokens closest to expiring until
// there is room for one more. Heap entries whose token was forgotten, or
// recorded again with another expiry, are stale and only removed.
func (s *MemoryTokenStore) evict(now time.Time) {
	s.compact()
	for s.byExp.Len() > 0 {
		top := s.byExp[0]
		rec, ok := s.tokens[top.token]
		switch {
		case !ok || !rec.expires.Equal(top.expires):
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
// or re-recorded tokens, and of claims turned done) outnumber live ones, so
// memory stays bounded by the capacity even when stale entries sit behind a
// live token.
func (s *MemoryTokenStore) compact() {
	if len(s.byExp) <= 2*len(s.tokens)+64 {
		return
	}
	h := make(tokenHeap, 0, len(s.tokens))
	for token, rec := range s.tokens {
		h = append(h, tokenExpiry{token: token, expires: rec.expires})
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
