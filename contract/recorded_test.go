package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mgkit/mailgun/internal/contracttest"
)

// maxReported bounds how many invalid records are reported one by one.
const maxReported = 40

// TestRecordedTraffic validates everything the SDK's tests sent and
// received, and every documented example they checked, against the
// contracts; then it requires every operation of both files to have had a
// validated request and a validated answer, so an operation added to a
// contract cannot stay unwrapped, and prints the count per file.
//
// The records come from the directory in MAILGUN_CONTRACT_LOG when it is
// set (CI records them during its race-detector run); otherwise this test
// runs the SDK module's tests itself, recording into a temporary directory.
func TestRecordedTraffic(t *testing.T) {
	dir := recordsDir(t)
	c := Load(t)
	n, invalid := 0, 0
	err := eachRecord(dir, func(r contracttest.Record) {
		n++
		if err := c.Validate(r); err != nil {
			invalid++
			if invalid <= maxReported {
				t.Errorf("%s: %v", r.Test, err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if invalid > maxReported {
		t.Errorf("... and %d more invalid records", invalid-maxReported)
	}
	if n == 0 {
		t.Fatalf("no records in %s", dir)
	}
	t.Logf("%d records validated", n)

	reqs, resps := c.Coverage()
	for _, file := range Files {
		covered, total := 0, 0
		for _, op := range c.OperationsIn(file) {
			total++
			if reqs[op] > 0 && resps[op] > 0 {
				covered++
				continue
			}
			if reqs[op] == 0 {
				t.Errorf("%s: operation %s: no request validated", file, op)
			}
			if resps[op] == 0 {
				t.Errorf("%s: operation %s: no response validated", file, op)
			}
		}
		fmt.Printf("contract coverage %s: %d/%d operations\n", file, covered, total)
	}
}

func recordsDir(t *testing.T) string {
	if dir := os.Getenv(contracttest.EnvLog); dir != "" {
		return dir
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "test", "-count=1", "./...")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), contracttest.EnvLog+"="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		t.Fatalf("recording: the SDK's tests failed (%v):\n%s", err, strings.Join(lines[max(0, len(lines)-40):], "\n"))
	}
	return dir
}

func eachRecord(dir string, fn func(contracttest.Record)) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return err
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(f)
		for {
			var r contracttest.Record
			if err := dec.Decode(&r); err != nil {
				_ = f.Close()
				if errors.Is(err, io.EOF) {
					break
				}
				return fmt.Errorf("%s: %w", name, err)
			}
			fn(r)
		}
	}
	return nil
}
