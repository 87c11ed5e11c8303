package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestSend(t *testing.T) {
	srv, env := fakeEnv(t)
	dir := t.TempDir()
	report := filepath.Join(dir, "report.pdf")
	require.NoError(t, os.WriteFile(report, []byte("%PDF-1.7 fake report"), 0o644))
	body := filepath.Join(dir, "body.html")
	require.NoError(t, os.WriteFile(body, []byte("<p>Hello</p>"), 0o644))

	r := cli(t, env, "send", "mg.example.com", "--from", "App <app@mg.example.com>",
		"--to", "ann@example.org", "--to", "bob@example.org", "--subject", "Report",
		"--text", "See attached.", "--html-file", body, "--attach", report,
		"--tag", "reports", "--header", "Reply-To: help@mg.example.com")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Regexp(t, `^queued <[^>]+@mg\.example\.com>\n$`, r.stdout)

	sent := srv.Messages("mg.example.com")
	require.Len(t, sent, 1)
	m := sent[0]
	assert.Equal(t, "<"+m.ID+">\n", strings.TrimPrefix(r.stdout, "queued "))
	assert.Equal(t, []string{"ann@example.org", "bob@example.org"}, m.To)
	assert.Equal(t, "Report", m.Subject)
	assert.Equal(t, "See attached.", m.Text)
	assert.Equal(t, "<p>Hello</p>", m.HTML)
	assert.Equal(t, []string{"reports"}, m.Tags)
	assert.Equal(t, "help@mg.example.com", m.Headers.Get("Reply-To"))
	require.Len(t, m.Attachments, 1)
	assert.Equal(t, "report.pdf", m.Attachments[0].Filename)
	assert.Equal(t, "%PDF-1.7 fake report", string(m.Attachments[0].Data))
}

func TestSendTemplate(t *testing.T) {
	srv, env := fakeEnv(t)
	c := srv.Client()
	_, err := c.Templates.Create(context.Background(), "mg.example.com", templateInput("welcome", "<p>Hi {{name}}</p>"))
	require.NoError(t, err)
	r := cli(t, env, "send", "mg.example.com", "--from", "app@mg.example.com", "--to", "ann@example.org",
		"--subject", "Welcome", "--template", "welcome", "--var", "name=Ann", "--test-mode")
	require.Equal(t, exitOK, r.code, r.stderr)
	m := srv.Messages("mg.example.com")[0]
	assert.Equal(t, map[string]any{"name": "Ann"}, m.TemplateVariables)
	assert.True(t, m.TestMode)
	assert.Contains(t, string(m.MIME), "<p>Hi Ann</p>")
}

func TestSendRefusesBadInput(t *testing.T) {
	srv, env := fakeEnv(t)
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--from", "a@mg.example.com", "--subject", "s", "--text", "t"}, exitError, "no To recipient"},
		{[]string{"--from", "a@mg.example.com", "--to", "b@example.org", "--subject", "s", "--text", "t", "--var", "novalue"}, exitUsage, `--var "novalue" is not NAME=VALUE`},
		{[]string{"--from", "a@mg.example.com", "--to", "b@example.org", "--subject", "s", "--text", "t", "--attach", "/nonexistent/file"}, exitError, "/nonexistent/file"},
		{[]string{"--from", "a@mg.example.com", "--to", "b@example.org", "--subject", "s", "--text", "t", "--tag", "1", "--tag", "2", "--tag", "3", "--tag", "4"}, exitError, "tags"},
	} {
		r := cli(t, env, append([]string{"send", "mg.example.com"}, tc.args...)...)
		assert.Equal(t, tc.code, r.code, tc.args)
		assert.Contains(t, r.stderr, tc.stderr, tc.args)
		first, _, _ := strings.Cut(r.stderr, "\nusage:")
		assert.NotContains(t, strings.TrimSuffix(first, "\n"), "\n", "one line: %q", r.stderr)
	}
	assert.Empty(t, srv.Messages("mg.example.com"), "nothing is sent when the input is wrong")
}

func TestSendOutcomeUnknown(t *testing.T) {
	srv, env := fakeEnv(t)
	srv.Fail("POST", "/v3/mg.example.com/messages", mailguntest.Fault{DropConnection: true}, 1)
	r := cli(t, env, "send", "mg.example.com", "--from", "a@mg.example.com", "--to", "b@example.org", "--subject", "s", "--text", "t")
	assert.Equal(t, exitError, r.code)
	assert.Regexp(t, `outcome unknown.*it may have been sent: look for Message-Id <[^>]+@mg\.example\.com> \(mailgun logs tail mg\.example\.com\) before sending again\n$`, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"))
}

func templateInput(name, content string) mailgun.TemplateInput {
	return mailgun.TemplateInput{Name: name, Version: &mailgun.TemplateVersionInput{Template: content}}
}
