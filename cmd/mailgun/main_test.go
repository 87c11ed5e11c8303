package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mgkit/mailgun/mailguntest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// result is what one run of the command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// syncBuffer is a bytes.Buffer that a running command and the test can
// share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// invocation describes one run: the arguments, the environment, and
// optionally a stop context (for Ctrl-C) and standard input.
type invocation struct {
	args []string
	env  map[string]string
	stop context.Context
	tty  bool
}

func (in invocation) run(t *testing.T) result {
	t.Helper()
	var stdout, stderr syncBuffer
	stop := in.stop
	if stop == nil {
		stop = context.Background()
	}
	getenv := func(k string) string { return in.env[k] }
	code := run(context.Background(), stop, in.args, &stdout, &stderr, getenv, in.tty)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// fakeEnv starts mailguntest and returns the environment pointing at it.
func fakeEnv(t *testing.T, opts ...mailguntest.Option) (*mailguntest.Server, map[string]string) {
	t.Helper()
	srv := mailguntest.NewServer(t, opts...)
	return srv, map[string]string{"MAILGUN_API_KEY": srv.APIKey(), "MAILGUN_BASE_URL": srv.URL()}
}

// cli runs the command against env.
func cli(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return invocation{args: args, env: env}.run(t)
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got)
}

func TestHelp(t *testing.T) {
	r := cli(t, nil, "help")
	assert.Equal(t, exitOK, r.code)
	golden(t, "help.golden", r.stdout)

	r = cli(t, nil)
	assert.Equal(t, exitOK, r.code, "no arguments prints the overview")
	golden(t, "help.golden", r.stdout)

	r = cli(t, nil, "help", "bounces", "export")
	assert.Equal(t, exitOK, r.code)
	golden(t, "help-bounces-export.golden", r.stdout)

	r = cli(t, nil, "bounces", "export", "-h")
	assert.Equal(t, exitOK, r.code)
	golden(t, "help-bounces-export.golden", r.stdout)

	r = cli(t, nil, "help", "nonsense")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "mailgun help nonsense: unknown command\n", r.stderr)
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"frobnicate"}, "mailgun frobnicate: unknown command\nRun 'mailgun help' for usage.\n"},
		{[]string{"bounces"}, "usage: mailgun bounces export|import|delete ...\n"},
		{[]string{"bounces", "export"}, "mailgun bounces export: want DOMAIN\nusage: mailgun bounces export DOMAIN [--format csv|jsonl]\n"},
		{[]string{"bounces", "export", "example.com", "--format", "xml"}, "mailgun bounces export: --format \"xml\" is not csv or jsonl\nusage: mailgun bounces export DOMAIN [--format csv|jsonl]\n"},
		{[]string{"bounces", "export", "--nope", "example.com"}, "mailgun bounces export: flag provided but not defined: -nope\nusage: mailgun bounces export DOMAIN [--format csv|jsonl]\n"},
		{[]string{"--nope"}, "mailgun: flag provided but not defined: -nope\nRun 'mailgun help' for usage.\n"},
	} {
		r := cli(t, nil, tc.args...)
		assert.Equal(t, exitUsage, r.code, tc.args)
		assert.Equal(t, tc.stderr, r.stderr, tc.args)
		assert.Empty(t, r.stdout, tc.args)
	}
}

func TestCredentialsComeFromTheEnvironment(t *testing.T) {
	r := cli(t, map[string]string{}, "bounces", "export", "example.com")
	assert.Equal(t, exitError, r.code)
	assert.Equal(t, "mailgun bounces export: MAILGUN_API_KEY is not set\n", r.stderr)

	r = cli(t, map[string]string{"MAILGUN_API_KEY": "key-x", "MAILGUN_REGION": "mars"}, "bounces", "export", "example.com")
	assert.Equal(t, exitError, r.code)
	assert.Equal(t, "mailgun bounces export: MAILGUN_REGION \"mars\" is not us or eu\n", r.stderr)

	// A wrong key: one line with the API's answer, and the key is not in it.
	srv, env := fakeEnv(t)
	env["MAILGUN_API_KEY"] = "key-secret-and-wrong"
	r = cli(t, env, "bounces", "export", "example.com")
	assert.Equal(t, exitError, r.code)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
	assert.Contains(t, r.stderr, "401 Unauthorized: Forbidden")
	assert.NotContains(t, r.stderr+r.stdout, "key-secret-and-wrong")
	assert.NotEmpty(t, srv.Requests())

	// --base-url works as well as the environment variable.
	delete(env, "MAILGUN_BASE_URL")
	env["MAILGUN_API_KEY"] = srv.APIKey()
	r = cli(t, env, "--base-url", srv.URL(), "bounces", "export", "example.com")
	assert.Equal(t, exitOK, r.code, r.stderr)
	r = cli(t, env, "bounces", "export", "example.com", "--base-url", srv.URL())
	assert.Equal(t, exitOK, r.code, r.stderr)
}

func TestVersion(t *testing.T) {
	r := cli(t, nil, "version")
	assert.Equal(t, exitOK, r.code)
	assert.Regexp(t, `^mailgun \d+\.\d+\.\d+`, r.stdout)
}

func TestFake(t *testing.T) {
	stop, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), stop, []string{"fake", "--addr", "127.0.0.1:0"}, &stdout, &stderr, func(string) string { return "" }, false)
	}()
	require.Eventually(t, func() bool { return strings.Contains(stdout.String(), "export MAILGUN_BASE_URL=") }, 10*time.Second, 5*time.Millisecond)
	var base, key string
	for _, f := range strings.Fields(stdout.String()) {
		if v, ok := strings.CutPrefix(f, "MAILGUN_BASE_URL="); ok {
			base = v
		}
		if v, ok := strings.CutPrefix(f, "MAILGUN_API_KEY="); ok {
			key = v
		}
	}
	require.NotEmpty(t, base)

	// The printed environment works for another run of the command.
	env := map[string]string{"MAILGUN_BASE_URL": base, "MAILGUN_API_KEY": key}
	r := cli(t, env, "bounces", "export", "example.com")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "address,code,error,created_at\n", r.stdout)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("fake did not stop")
	}
}
