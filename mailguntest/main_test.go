package mailguntest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines behind (a server
// not closed, a delivery still running).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
