package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mgkit/mailgun/mailguntest"
)

// TestMain fails the package if a test leaves goroutines behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// lines returns the lines of out that match each pattern, in order, and
// fails the test when one is missing or out of order.
func lines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	rest := out
	for _, p := range patterns {
		loc := regexp.MustCompile(`(?m)^` + p + `$`).FindStringIndex(rest)
		if loc == nil {
			t.Fatalf("no line matching %q after the lines before it; output:\n%s", p, out)
		}
		rest = rest[loc[1]:]
	}
}

func TestQuickstartWithoutAccount(t *testing.T) {
	t.Setenv("MAILGUN_API_KEY", "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	lines(t, out.String(),
		`MAILGUN_API_KEY is not set: using the mailguntest fake at http://127\.0\.0\.1:\d+`,
		`== send a message and watch it be delivered`,
		`webhook: a mailgun\.WebhookHandler at http://127\.0\.0\.1:\d+/mailgun/webhooks receives example\.com's delivered events`,
		`sent <[^>@]+@example\.com> with receipt\.txt attached: Queued\. Thank you\.`,
		`logs: accepted  alice@example\.org`,
		`logs: delivered alice@example\.org \(250 OK\)`,
		`webhook: signature verified: delivered alice@example\.org, same Message-Id: true`,
		`webhook: a forged one is answered 401 and never reaches the handler's function`,
		`== errors you can branch on`,
		`unknown endpoint: status 404, errors\.Is\(err, mailgun\.ErrNotFound\) = true`,
		`.*no To recipient \(errors\.Is\(err, mailgun\.ErrInvalidArgument\) = true\)`,
		`== suppressions`,
		`bounced: bob@example\.net \(550 No such mailbox\)`,
		`logs: failed    bob@example\.net \(605 Not delivering to previously bounced address\), reason suppress-bounce`,
		`removed bob@example\.net from the bounces: Get says not found = true`,
		`== alerts`,
		`verified alert: ip_listed ip=192\.0\.2\.10 blocklist=Spamhaus`,
		`== webhooks and tracking`,
		`tracking of example\.com: open false, click true, .*`,
		`== reporting`,
		`stats:   accepted 2, delivered 1, .*`,
		`metrics: accepted 2, delivered 1, .*`,
		`done`,
	)
	assert.Less(t, strings.Count(out.String(), "\n"), 60, "the output should read at a glance")
}

// TestQuickstartWithKeyOnlyReads runs the steps as against the real API
// (a fake behind MAILGUN_BASE_URL) and checks that nothing was written.
func TestQuickstartWithKeyOnlyReads(t *testing.T) {
	srv := asRealAPI(t, "MAILGUN_QUICKSTART_SEND", "", "MAILGUN_DOMAIN", "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	lines(t, out.String(),
		`talking to http://127\.0\.0\.1:\d+ \(read-only\) as .*, domain example\.com`,
		`read-only: set MAILGUN_QUICKSTART_SEND=1, MAILGUN_DOMAIN and MAILGUN_QUICKSTART_TO to send a message`,
		`done`,
	)
	assert.NotContains(t, out.String(), srv.APIKey())
	for _, r := range srv.Requests() {
		assert.True(t, isRead(r), "%s %s is not a read", r.Method, r.Path)
	}
}

// TestQuickstartSendsWhenAskedTo sends the one message against "the real
// API" (a fake behind MAILGUN_BASE_URL) when all three variables are set.
func TestQuickstartSendsWhenAskedTo(t *testing.T) {
	srv := asRealAPI(t, "MAILGUN_QUICKSTART_SEND", "1", "MAILGUN_DOMAIN", "mg.example.com", "MAILGUN_QUICKSTART_TO", "me@example.org")
	var out bytes.Buffer
	e, err := setup(&out)
	require.NoError(t, err)
	e.poll = 10 * time.Millisecond // the real API's 5 seconds would slow the test down
	require.NoError(t, e.run(context.Background()))
	lines(t, out.String(),
		`talking to .* \(read-only but for one message to me@example\.org\) .*`,
		`sent <[^>]+@mg\.example\.com> with receipt\.txt attached: Queued\. Thank you\.`,
		`logs: delivered me@example\.org \(250 OK\)`,
		`done`,
	)
	sent := srv.Messages("mg.example.com")
	require.Len(t, sent, 1)
	assert.Equal(t, []string{"me@example.org"}, sent[0].To)
	require.Len(t, sent[0].Attachments, 1)
	assert.Equal(t, receipt, string(sent[0].Attachments[0].Data))
	writes := 0
	for _, r := range srv.Requests() {
		if !isRead(r) {
			writes++
			assert.Equal(t, "/v3/mg.example.com/messages", r.Path)
		}
	}
	assert.Equal(t, 1, writes)
}

// asRealAPI starts a fake that the quickstart takes for the real API
// (MAILGUN_API_KEY and MAILGUN_BASE_URL), and sets the variables given as
// name, value pairs.
func asRealAPI(t *testing.T, vars ...string) *mailguntest.Server {
	srv := mailguntest.NewServer(t)
	t.Setenv("MAILGUN_API_KEY", srv.APIKey())
	t.Setenv("MAILGUN_BASE_URL", srv.URL())
	for i := 0; i+1 < len(vars); i += 2 {
		t.Setenv(vars[i], vars[i+1])
	}
	return srv
}

// isRead reports whether r only reads: a GET, or a query of the Logs or
// Metrics API (POSTs that read).
func isRead(r mailguntest.Request) bool {
	return r.Method == http.MethodGet ||
		r.Method == http.MethodPost && (r.Path == "/v1/analytics/logs" || r.Path == "/v1/analytics/metrics")
}

func TestQuickstartSendNeedsDomainAndRecipient(t *testing.T) {
	t.Setenv("MAILGUN_API_KEY", "key-example")
	t.Setenv("MAILGUN_BASE_URL", "")
	t.Setenv("MAILGUN_REGION", "")
	t.Setenv("MAILGUN_QUICKSTART_SEND", "1")
	t.Setenv("MAILGUN_DOMAIN", "mg.example.com")
	t.Setenv("MAILGUN_QUICKSTART_TO", "")
	_, err := setup(&bytes.Buffer{})
	require.ErrorContains(t, err, "MAILGUN_QUICKSTART_TO")
}
