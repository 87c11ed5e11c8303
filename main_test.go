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
		for _, file := range contracttest.Files {
			covered, total, missing := contractGaps(file)
			fmt.Fprintf(os.Stderr, "contract coverage %s: %d/%d operations\n", file, covered, total)
			if len(missing) == 0 {
				continue
			}
			fmt.Fprintln(os.Stderr, "  operations not exercised by the tests:")
			for _, op := range missing {
				fmt.Fprintln(os.Stderr, "    "+op)
			}
			if !pendingContracts[file] {
				code = 1
			}
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

// pendingContracts are contract files whose gaps are reported but do not
// fail the suite yet, while their operations are being implemented.
var pendingContracts = map[string]bool{"sending.yaml": true}

// contractGaps counts the operations of one contract file whose request and
// response were both validated, and lists the others as
// "operationId (request)" or "(response)".
func contractGaps(file string) (covered, total int, missing []string) {
	c, err := contracttest.Loaded()
	if err != nil {
		return 0, 0, []string{"contract did not load: " + err.Error()}
	}
	reqs, resps := c.Coverage()
	for _, op := range c.OperationsIn(file) {
		total++
		if reqs[op] > 0 && resps[op] > 0 {
			covered++
		}
		if reqs[op] == 0 {
			missing = append(missing, op+" (request)")
		}
		if resps[op] == 0 {
			missing = append(missing, op+" (response)")
		}
	}
	return covered, total, missing
}
