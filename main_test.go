package mailgun_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines behind: a
// request still in flight, a server not closed, a poller not stopped.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
