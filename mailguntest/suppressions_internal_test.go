package mailguntest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mgkit/mailgun"
)

// TestSuppressionLookupsLocked checks the lookups the message lifecycle
// uses while it holds s.mu.
func TestSuppressionLookupsLocked(t *testing.T) {
	s := NewServer(t)
	s.AddUnsubscribes("example.com",
		mailgun.Unsubscribe{Address: "all@example.org"},
		mailgun.Unsubscribe{Address: "news@example.org", Tags: []string{"news"}})
	s.AddComplaints("example.com", mailgun.Complaint{Address: "spam@example.org"})

	s.mu.Lock()
	defer s.mu.Unlock()
	assert.True(t, s.isUnsubscribedLocked("example.com", "all@example.org", nil))
	assert.True(t, s.isUnsubscribedLocked("example.com", "all@example.org", []string{"x"}))
	assert.True(t, s.isUnsubscribedLocked("example.com", "news@example.org", []string{"a", "news"}))
	assert.False(t, s.isUnsubscribedLocked("example.com", "news@example.org", []string{"a"}))
	assert.False(t, s.isUnsubscribedLocked("example.com", "news@example.org", nil))
	assert.False(t, s.isUnsubscribedLocked("example.com", "spam@example.org", nil))
	assert.False(t, s.isUnsubscribedLocked("other.example", "all@example.org", nil))

	assert.True(t, s.isComplainedLocked("example.com", "spam@example.org"))
	assert.True(t, s.isComplainedLocked("example.com", "Spam@Example.org"))
	assert.True(t, s.isUnsubscribedLocked("example.com", "ALL@example.org", nil))
	assert.False(t, s.isComplainedLocked("example.com", "all@example.org"))
	assert.False(t, s.isComplainedLocked("other.example", "spam@example.org"))
}
