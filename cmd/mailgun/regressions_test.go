package main

// Regression tests for defects a review of the command found; each says
// what went wrong and what is expected. Tests that replace os.Stdin are
// not parallel.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// TestUnsubscribeTagsRoundTrip: an unsubscribe's tags are exported
// joined with "," (CSV) or as a JSON array (JSON lines, which recordReader
// joins with ","), and tagsColumn (suppressions.go:399) splits them again
// on commas AND spaces. A tag with a space ("summer sale", a valid Mailgun
// tag) comes back as two tags, "summer" and "sale": after the round trip
// the recipient is no longer unsubscribed from "summer sale" mail (it is
// delivered again) and is wrongly unsubscribed from "sale". Expected: the
// copy has exactly the tags of the original, for both formats.
func TestUnsubscribeTagsRoundTrip(t *testing.T) {
	srv, env := fakeEnv(t)
	srv.AddUnsubscribes("example.com", mailgun.Unsubscribe{Address: "ann@example.org", Tags: []string{"summer sale"}, CreatedAt: seedTime})
	for _, format := range []string{"csv", "jsonl"} {
		r := cli(t, env, "unsubscribes", "export", "example.com", "--format", format)
		require.Equal(t, exitOK, r.code, r.stderr)
		file := filepath.Join(t.TempDir(), "unsubscribes."+format)
		require.NoError(t, os.WriteFile(file, []byte(r.stdout), 0o644))
		copyDomain := format + ".example.com"
		r = cli(t, env, "unsubscribes", "import", copyDomain, file, "--format", format)
		require.Equal(t, exitOK, r.code, r.stderr)
		copied := srv.Unsubscribes(copyDomain)
		require.Len(t, copied, 1)
		assert.Equal(t, []string{"summer sale"}, copied[0].Tags, format)
		assert.True(t, srv.Unsubscribed(copyDomain, "ann@example.org", "summer sale"), format)
		assert.False(t, srv.Unsubscribed(copyDomain, "ann@example.org", "sale"), format)
	}
}

// withStdin makes os.Stdin the read end of a pipe for the test and returns
// its write end; the pipe is closed when the test ends.
func withStdin(t *testing.T) *os.File {
	t.Helper()
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	old := os.Stdin
	os.Stdin = pr
	t.Cleanup(func() {
		os.Stdin = old
		pw.Close()
		pr.Close()
	})
	return pw
}

// runAsync runs the command in the background and returns its exit code
// channel.
func runAsync(ctx, stop context.Context, env map[string]string, stderr *syncBuffer, args ...string) chan int {
	done := make(chan int, 1)
	go func() {
		var stdout syncBuffer
		done <- run(ctx, stop, args, &stdout, stderr, func(k string) string { return env[k] }, false)
	}()
	return done
}

// TestImportFromStdinStopsOnCtrlC: "import DOMAIN -" reads stdin
// with a plain blocking read (recordReader, suppressions.go:244), and
// addInBatches looks at the stop signal only after a full batch of 999 is
// stored (suppressions.go:296). While the producer is slow, or when a user
// typed "-" on a terminal, neither the first Ctrl-C (stop) nor the second
// (cancel) ends the command: it hangs until stdin closes, the records read
// so far unsent. Expected: the command returns promptly with exit 130
// once the user asked to stop (after storing what it read, for the first
// Ctrl-C).
func TestImportFromStdinStopsOnCtrlC(t *testing.T) {
	_, env := fakeEnv(t)
	pw := withStdin(t)
	fmt.Fprintln(pw, "address")
	for i := range 10 {
		fmt.Fprintf(pw, "u%d@example.org\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Ctrl-C pressed twice: stop and cancel
	var stderr syncBuffer
	done := runAsync(ctx, ctx, env, &stderr, "bounces", "import", "example.com", "-")
	select {
	case code := <-done:
		assert.Equal(t, exitInterrupted, code, stderr.String())
	case <-time.After(2 * time.Second):
		t.Error("import from stdin ignores Ctrl-C while it waits for input")
		pw.Close()
		<-done
	}
}

// TestSecondCtrlCExits130: docs/cli.md: exit 130 means "stopped by
// Ctrl-C", and "a second one cancels it". The second Ctrl-C cancels the
// context of the request in flight (main.go:103), and the command then
// fails with "context canceled", which run maps to exit 1 (main.go:161)
// as if the API had failed. Expected: exit 130 for a command the user
// cancelled, for export and for logs tail alike.
func TestSecondCtrlCExits130(t *testing.T) {
	srv, env := fakeEnv(t)
	srv.AddBounces("example.com", mailgun.Bounce{Address: "a@example.org", CreatedAt: seedTime})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{
		{"bounces", "export", "example.com"},
		{"logs", "tail", "example.com"},
	} {
		var stdout, stderr syncBuffer
		code := run(ctx, ctx, args, &stdout, &stderr, func(k string) string { return env[k] }, false)
		assert.Equal(t, exitInterrupted, code, "%v: %s", args, stderr.String())
	}
}

// TestAllowlistImportFailure: the allowlist import streams the file
// to the API from a goroutine that ignores csv write errors
// (suppressions.go:440) and counts every row read as n, which importList
// reports as stored (suppressions.go:191). When the upload fails, the error
// says "after 3 allowlist stored" although none was stored, and the
// goroutine keeps reading its input to the end: from a pipe, the command
// does not return until the producer closes it, though the API answered
// at once. Expected: the error does not claim rows were stored, and the
// command returns promptly after the failed upload.
func TestAllowlistImportFailure(t *testing.T) {
	t.Run("count", func(t *testing.T) {
		srv, env := fakeEnv(t)
		srv.Fail("POST", "/v3/*/whitelists/import", mailguntest.Fault{Status: http.StatusBadRequest}, 1)
		file := filepath.Join(t.TempDir(), "allow.csv")
		require.NoError(t, os.WriteFile(file, []byte("value\na@example.org\nb@example.org\npartner.example\n"), 0o644))
		r := cli(t, env, "allowlist", "import", "example.com", file)
		assert.Equal(t, exitError, r.code)
		assert.Empty(t, srv.Allowlist("example.com"))
		assert.NotContains(t, r.stderr, "3 allowlist stored", "nothing was stored")
	})
	t.Run("stdin", func(t *testing.T) {
		// A server that refuses the upload at once, without reading it.
		// (A plain handler would not do: Go's server reads up to 256 KiB
		// of an unread body before it sends the answer.)
		refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			body := `{"message": "refused"}`
			fmt.Fprintf(buf, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
			_ = buf.Flush()
			go func() { _, _ = io.Copy(io.Discard, conn); _ = conn.Close() }()
		}))
		defer refuse.Close()
		env := map[string]string{"MAILGUN_API_KEY": "key-test", "MAILGUN_BASE_URL": refuse.URL}
		pw := withStdin(t)
		fmt.Fprintln(pw, "address")
		fmt.Fprintln(pw, "a@example.org")
		var stderr syncBuffer
		done := runAsync(context.Background(), context.Background(), env, &stderr, "allowlist", "import", "example.com", "-")
		select {
		case code := <-done:
			assert.Equal(t, exitError, code, stderr.String())
		case <-time.After(2 * time.Second):
			t.Error("a failed allowlist upload waits for stdin to end")
			pw.Close()
			<-done
		}
	})
}

// TestJSONLExportStreamsPages: export's help says entries are
// written "as they are fetched, one page at a time". The CSV writer
// flushes each row (csv.NewWriter reuses the bufio.Writer), but the JSON
// lines path encodes into the 4 KiB bufio.Writer and never flushes until
// the walk ends (suppressions.go:135-136), so while the next page is being
// fetched (or retried) the end of the previous page is not on stdout, and
// a killed export loses it. Expected: the last entry of page 1 is on
// stdout before page 2 is answered.
func TestJSONLExportStreamsPages(t *testing.T) {
	srv, env := fakeEnv(t)
	var bounces []mailgun.Bounce
	for i := range 1000 {
		bounces = append(bounces, mailgun.Bounce{Address: fmt.Sprintf("u%04d@example.org", i), Code: "550", CreatedAt: seedTime})
	}
	srv.AddBounces("example.com", bounces...)

	// A proxy that holds the second page request until the test looked.
	target, err := url.Parse(srv.URL())
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	var gets atomic.Int32
	second, release := make(chan struct{}), make(chan struct{})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && gets.Add(1) == 2 {
			close(second)
			<-release
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	env["MAILGUN_BASE_URL"] = proxy.URL

	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), context.Background(), []string{"bounces", "export", "example.com", "--format", "jsonl"},
			&stdout, &stderr, func(k string) string { return env[k] }, false)
	}()
	select {
	case <-second:
	case <-time.After(5 * time.Second):
		t.Fatal("no second page request")
	}
	// Page 1 was fully handed to the writer before the walk asked for page 2.
	got := stdout.String()
	assert.True(t, strings.Contains(got, `"u0999@example.org"`),
		"the end of page 1 is still buffered: %d of page 1's lines are on stdout", strings.Count(got, "\n"))
	close(release)
	assert.Equal(t, exitOK, <-done, stderr.String())
	assert.Equal(t, 1000, strings.Count(stdout.String(), "\n"))
}

// TestProgressGarblesTerminalOutput: progress is drawn whenever
// stderr is a terminal (main.go:105, progress.go), without regard to
// stdout. In the everyday interactive case, "mailgun logs tail DOMAIN" (or
// an export not redirected) in a terminal, stdout is the same terminal:
// the progress line "\r\x1b[K1 events, 0s" is left at the start of the
// terminal line and the next event is printed after it, so event lines
// read "1 events, 0s2026-...  delivered ...". Expected: no event line on
// the terminal carries progress text (draw progress only when stdout is
// not the terminal, or clear the progress line before writing output).
func TestProgressGarblesTerminalOutput(t *testing.T) {
	srv, env := fakeEnv(t)
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i, name := range []mailgun.EventName{mailgun.EventAccepted, mailgun.EventDelivered} {
		srv.AddEvents("example.com", mailgun.Event{Event: name, Timestamp: base.Add(time.Duration(i) * time.Second), Recipient: "ann@example.org"})
	}
	stop, cancel := context.WithCancel(context.Background())
	var terminal syncBuffer // stdout and stderr are the same terminal
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), stop, []string{"logs", "tail", "example.com", "--since", "2h", "--threshold", "1ms", "--interval", "5ms"},
			&terminal, &terminal, func(k string) string { return env[k] }, true)
	}()
	require.Eventually(t, func() bool { return strings.Count(terminal.String(), "delivered") == 1 }, 10*time.Second, 5*time.Millisecond)
	cancel()
	require.Equal(t, exitOK, <-done)
	for _, line := range strings.Split(terminal.String(), "\n") {
		if strings.Contains(line, "ann@example.org") {
			// What the terminal shows: the text after the last carriage return.
			shown := line[strings.LastIndexByte(line, '\r')+1:]
			assert.NotContains(t, shown, " events", "an event line on the terminal: %q", shown)
		}
	}
}
