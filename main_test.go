package mailgun_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/mgkit/mailgun/internal/contracttest"
)

// TestMain runs the tests, then two gates over the whole suite:
//   - contract coverage: every operation of testdata/openapi/mailgun.yaml
//     must have had a request validated (the SDK sends it correctly) and a
//     response validated (mailguntest answers it correctly), so an operation
//     added to the contract cannot stay unwrapped;
//   - goroutine leaks: no test may leave a request in flight, a server
//     running or a poller going.
//
// The coverage gate is skipped when -run, -skip or -fuzz selects a subset.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && wholeSuite() {
		if missing := contractGaps(); len(missing) > 0 {
			fmt.Fprintln(os.Stderr, "contract coverage: operations not exercised by the tests:")
			for _, op := range missing {
				fmt.Fprintln(os.Stderr, "  "+op)
			}
			code = 1
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func wholeSuite() bool {
	for _, name := range []string{"test.run", "test.skip", "test.fuzz"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}

// contractGaps lists the operations without a validated request or a
// validated response, as "operationId (request)" or "(response)".
func contractGaps() []string {
	c, err := contracttest.Loaded()
	if err != nil {
		return []string{"contract did not load: " + err.Error()}
	}
	reqs, resps := c.Coverage()
	var missing []string
	for _, op := range c.Operations() {
		if reqs[op] == 0 {
			missing = append(missing, op+" (request)")
		}
		if resps[op] == 0 {
			missing = append(missing, op+" (response)")
		}
	}
	return missing
}
