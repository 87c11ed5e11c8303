package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

var seedTime = time.Date(2026, 11, 2, 10, 30, 0, 0, time.UTC)

func TestBouncesExport(t *testing.T) {
	srv, env := fakeEnv(t)
	srv.AddBounces("example.com",
		mailgun.Bounce{Address: "bob+tag@example.org", Code: "550", Error: "No such mailbox", CreatedAt: seedTime},
		mailgun.Bounce{Address: "ann@example.org", Code: "554", Error: `quoted "text", with comma`, CreatedAt: seedTime.Add(time.Hour)},
	)
	r := cli(t, env, "bounces", "export", "example.com")
	require.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "bounces-export.csv", r.stdout)
	assert.Empty(t, r.stderr, "no progress when stderr is not a terminal")

	r = cli(t, env, "bounces", "export", "example.com", "--format", "jsonl")
	require.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "bounces-export.jsonl", r.stdout)

	r = cli(t, env, "bounces", "export", "empty.example.com")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "address,code,error,created_at\n", r.stdout)
}

func TestExportStreamsPages(t *testing.T) {
	srv, env := fakeEnv(t)
	var bounces []mailgun.Bounce
	for i := range 2500 {
		bounces = append(bounces, mailgun.Bounce{Address: fmt.Sprintf("u%04d@example.org", i), Code: "550", CreatedAt: seedTime})
	}
	srv.AddBounces("example.com", bounces...)
	r := invocation{args: []string{"bounces", "export", "example.com"}, env: env, tty: true}.run(t)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	assert.Len(t, lines, 2501)
	assert.Equal(t, "u2499@example.org,550,,2026-11-02T10:30:00Z", lines[2500])
	pages := 0
	for _, req := range srv.Requests() {
		if req.Method == "GET" {
			pages++
		}
	}
	assert.Equal(t, 4, pages, "3 pages of 1000 and the empty page that ends the walk")
	// On a terminal, progress is drawn on stderr and ends with a newline.
	assert.Contains(t, r.stderr, "2500 bounces exported")
	assert.True(t, strings.HasSuffix(r.stderr, "\n"))
}

func TestExportInterrupted(t *testing.T) {
	srv, env := fakeEnv(t)
	var bounces []mailgun.Bounce
	for i := range 1500 {
		bounces = append(bounces, mailgun.Bounce{Address: fmt.Sprintf("u%04d@example.org", i), CreatedAt: seedTime})
	}
	srv.AddBounces("example.com", bounces...)
	stop, cancel := context.WithCancel(context.Background())
	cancel() // Ctrl-C already pressed: the first page's request still finishes
	r := invocation{args: []string{"bounces", "export", "example.com"}, env: env, stop: stop}.run(t)
	assert.Equal(t, exitInterrupted, r.code)
	assert.Equal(t, "mailgun bounces export: interrupted after 1 bounces\n", r.stderr)
	assert.Equal(t, "address,code,error,created_at\nu0000@example.org,550,,2026-11-02T10:30:00Z\n", r.stdout)
	assert.Len(t, srv.Requests(), 1, "no page after the one in flight")
}

func TestBouncesImport(t *testing.T) {
	srv, env := fakeEnv(t)
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "bounces.csv")
	var b strings.Builder
	b.WriteString("address,code,error,created_at\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "u%04d@example.org,550,gone,2026-11-02T10:30:00Z\n", i)
	}
	require.NoError(t, os.WriteFile(csvFile, []byte(b.String()), 0o644))

	r := cli(t, env, "bounces", "import", "example.com", csvFile)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "imported 2000 bounces into example.com\n", r.stdout)
	stored := srv.Bounces("example.com")
	require.Len(t, stored, 2000)
	assert.Equal(t, "gone", stored[0].Error)
	assert.True(t, seedTime.Equal(stored[0].CreatedAt))
	posts := 0
	for _, req := range srv.Requests() {
		if req.Method == "POST" {
			posts++
		}
	}
	assert.Equal(t, 3, posts, "batches of 999")

	// An export imports back as it is, as CSV or JSON lines.
	exported := cli(t, env, "bounces", "export", "example.com", "--format", "jsonl")
	require.Equal(t, exitOK, exported.code)
	jsonl := filepath.Join(dir, "bounces.jsonl")
	require.NoError(t, os.WriteFile(jsonl, []byte(exported.stdout), 0o644))
	r = cli(t, env, "bounces", "import", "copy.example.com", jsonl)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, stored, srv.Bounces("copy.example.com"))
}

func TestImportRejectsBadFiles(t *testing.T) {
	_, env := fakeEnv(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	for _, tc := range []struct{ file, stderr string }{
		{write("noheader.csv", "bob@example.org,550\n"), `mailgun bounces import: the CSV header "bob@example.org,550" has no address column` + "\n"},
		{write("badtime.csv", "address,created_at\nbob@example.org,yesterday\n"), `mailgun bounces import: record 1: created_at "yesterday" is not an RFC 3339 or RFC 2822 time` + "\n"},
		{write("bad.jsonl", "{\"address\": \"a@example.org\"}\nnot json\n"), "mailgun bounces import: record 2: invalid character 'o' in literal null (expecting 'u')\n"},
		{write("noat.csv", "address\nnot-an-address\n"), "mailgun bounces import: mailgun: invalid argument: records[0].Address \"not-an-address\" is not an email address (no @)\n"},
		{filepath.Join(dir, "missing.csv"), "mailgun bounces import: open " + filepath.Join(dir, "missing.csv") + ": no such file or directory\n"},
	} {
		r := cli(t, env, "bounces", "import", "example.com", tc.file)
		assert.Equal(t, exitError, r.code, tc.file)
		assert.Equal(t, tc.stderr, r.stderr, tc.file)
	}
}

func TestImportStopsAfterTheBatchInFlight(t *testing.T) {
	srv, env := fakeEnv(t)
	var b strings.Builder
	b.WriteString("address\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "u%04d@example.org\n", i)
	}
	file := filepath.Join(t.TempDir(), "b.csv")
	require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o644))
	stop, cancel := context.WithCancel(context.Background())
	cancel()
	r := invocation{args: []string{"bounces", "import", "example.com", file}, env: env, stop: stop}.run(t)
	assert.Equal(t, exitInterrupted, r.code)
	assert.Equal(t, "mailgun bounces import: after 999 bounces stored: interrupted\n", r.stderr)
	assert.Len(t, srv.Bounces("example.com"), 999)
}

func TestDelete(t *testing.T) {
	srv, env := fakeEnv(t)
	srv.AddBounces("example.com", mailgun.Bounce{Address: "a+b/c@example.org", CreatedAt: seedTime})
	r := cli(t, env, "bounces", "delete", "example.com", "a+b/c@example.org")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "deleted a+b/c@example.org from the bounces of example.com\n", r.stdout)
	assert.Empty(t, srv.Bounces("example.com"))

	r = cli(t, env, "bounces", "delete", "example.com", "a+b/c@example.org")
	assert.Equal(t, exitError, r.code)
	assert.Equal(t, "mailgun bounces delete: mailgun: DELETE /v3/example.com/bounces/a%2Bb%2Fc%40example.org: 404 Not Found: Address not found in bounces table\n", r.stderr)
}

func TestAllowlist(t *testing.T) {
	srv, env := fakeEnv(t)
	srv.AddAllowlist("example.com",
		mailgun.AllowlistEntry{Value: "vip@example.org", Type: mailgun.AllowlistAddress, Reason: "boss", CreatedAt: seedTime},
		mailgun.AllowlistEntry{Value: "partner.example", Type: mailgun.AllowlistDomain, CreatedAt: seedTime},
	)
	r := cli(t, env, "allowlist", "export", "example.com")
	require.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "allowlist-export.csv", r.stdout)

	file := filepath.Join(t.TempDir(), "allow.csv")
	require.NoError(t, os.WriteFile(file, []byte(r.stdout), 0o644))
	r = cli(t, env, "allowlist", "import", "copy.example.com", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "uploaded 2 allowlist entries to copy.example.com; Mailgun adds them shortly\n", r.stdout)
	assert.True(t, srv.Allowlisted("copy.example.com", "vip@example.org"))
	assert.True(t, srv.Allowlisted("copy.example.com", "anyone@partner.example"))

	r = cli(t, env, "allowlist", "delete", "copy.example.com", "partner.example")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.False(t, srv.Allowlisted("copy.example.com", "anyone@partner.example"))
}

func TestUnsubscribesAndComplaints(t *testing.T) {
	srv, env := fakeEnv(t)
	srv.AddUnsubscribes("example.com",
		mailgun.Unsubscribe{Address: "all@example.org", CreatedAt: seedTime},
		mailgun.Unsubscribe{Address: "news@example.org", Tags: []string{"newsletter", "promo"}, CreatedAt: seedTime},
	)
	srv.AddComplaints("example.com", mailgun.Complaint{Address: "angry@example.org", CreatedAt: seedTime})

	r := cli(t, env, "unsubscribes", "export", "example.com")
	require.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "unsubscribes-export.csv", r.stdout)
	file := filepath.Join(t.TempDir(), "unsubscribes.csv")
	require.NoError(t, os.WriteFile(file, []byte(r.stdout), 0o644))
	r = cli(t, env, "unsubscribes", "import", "copy.example.com", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	orig, copied := srv.Unsubscribes("example.com"), srv.Unsubscribes("copy.example.com")
	require.Len(t, copied, len(orig))
	for i := range orig {
		assert.Equal(t, orig[i].Address, copied[i].Address)
		assert.Equal(t, orig[i].Tags, copied[i].Tags)
		assert.True(t, orig[i].CreatedAt.Equal(copied[i].CreatedAt))
	}
	assert.True(t, srv.Unsubscribed("copy.example.com", "news@example.org", "promo"))
	assert.False(t, srv.Unsubscribed("copy.example.com", "news@example.org", "other"))

	r = cli(t, env, "complaints", "export", "example.com", "--format", "jsonl")
	require.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "complaints-export.jsonl", r.stdout)
	jsonl := filepath.Join(t.TempDir(), "complaints.jsonl")
	require.NoError(t, os.WriteFile(jsonl, []byte(r.stdout), 0o644))
	r = cli(t, env, "complaints", "import", "copy.example.com", jsonl)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, srv.Complained("copy.example.com", "angry@example.org"))

	r = cli(t, env, "complaints", "delete", "copy.example.com", "angry@example.org")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.False(t, srv.Complained("copy.example.com", "angry@example.org"))
}
