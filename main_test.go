package mailgun_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves a request in flight, a
// server running or a poller going. Contract coverage (every operation of
// both OpenAPI files exercised) is checked by the module in contract/,
// from what these tests record (see internal/contracttest).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
