package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestLogsTail(t *testing.T) {
	srv, env := fakeEnv(t)
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	msg := func(id string) *mailgun.EventMessage {
		return &mailgun.EventMessage{Headers: mailgun.MessageHeaders{MessageID: id}}
	}
	srv.AddEvents("example.com",
		mailgun.Event{Event: mailgun.EventAccepted, Timestamp: base, Recipient: "ann@example.org", Message: msg("m1@example.com")},
		mailgun.Event{Event: mailgun.EventDelivered, Timestamp: base.Add(time.Second), Recipient: "ann@example.org", Message: msg("m1@example.com"),
			DeliveryStatus: &mailgun.DeliveryStatus{Code: 250, Message: "OK"}},
		mailgun.Event{Event: mailgun.EventFailed, Timestamp: base.Add(2 * time.Second), Recipient: "bob@example.org", Message: msg("m2@example.com"),
			Severity: mailgun.SeverityPermanent, Reason: "bounce", DeliveryStatus: &mailgun.DeliveryStatus{Code: 550, Message: "No such mailbox"}},
	)

	tail := func(t *testing.T, want int, args ...string) result {
		t.Helper()
		stop, cancel := context.WithCancel(context.Background())
		var stdout, stderr syncBuffer
		done := make(chan int, 1)
		args = append([]string{"logs", "tail", "example.com", "--since", "2h", "--threshold", "1ms", "--interval", "5ms"}, args...)
		go func() {
			done <- run(context.Background(), stop, args, &stdout, &stderr, func(k string) string { return env[k] }, false)
		}()
		require.Eventually(t, func() bool { return strings.Count(stdout.String(), "\n") >= want }, 10*time.Second, 5*time.Millisecond)
		// Later events show up too: the command follows the log.
		cancel()
		code := <-done
		return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	}

	r := tail(t, 3)
	assert.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3)
	ts := func(d time.Duration) string { return base.Add(d).UTC().Format("2006-01-02T15:04:05.000Z") }
	assert.Equal(t, ts(0)+"  accepted      ann@example.org  <m1@example.com>", lines[0])
	assert.Equal(t, ts(time.Second)+"  delivered     ann@example.org  <m1@example.com>  250 OK", lines[1])
	assert.Equal(t, ts(2*time.Second)+"  failed        bob@example.org  <m2@example.com>  permanent; bounce; 550 No such mailbox", lines[2])

	r = tail(t, 1, "--event", "failed", "--json")
	assert.Equal(t, exitOK, r.code, r.stderr)
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &ev))
	assert.Equal(t, "failed", ev["event"])
	assert.Equal(t, "bob@example.org", ev["recipient"])

	r = tail(t, 1, "--recipient", "ann@example.org", "--event", "delivered")
	assert.Equal(t, 1, strings.Count(r.stdout, "\n"))
	assert.Contains(t, r.stdout, "delivered")

	// A failed request is reported on stderr and the tail goes on.
	srv.Fail("GET", "/v3/example.com/events", mailguntest.Fault{Status: 400}, 1)
	r = tail(t, 3)
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stderr, "400 Bad Request")
	assert.Contains(t, r.stderr, "(retrying)")
	assert.Equal(t, 3, strings.Count(r.stdout, "\n"))
}

func TestWebhooksVerify(t *testing.T) {
	const key = "whsec-signing-key-1234"
	ts := fmt.Sprint(time.Now().Add(-48 * time.Hour).Unix())
	body := fmt.Sprintf(`{"signature":{"timestamp":%q,"token":"tok-1","signature":%q},"event-data":{"event":"delivered"}}`,
		ts, mailgun.SignWebhook(key, ts, "tok-1"))
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	good := write("good.json", body)
	bad := write("bad.json", strings.Replace(body, "tok-1", "tok-2", 1))
	request := write("request.http", "POST /hooks HTTP/1.1\r\nHost: me.example\r\nContent-Type: application/json\r\n"+
		fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
	env := map[string]string{"MAILGUN_WEBHOOK_SIGNING_KEY": key}

	for _, file := range []string{good, request} {
		r := cli(t, env, "webhooks", "verify", "--body", file)
		assert.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, "valid\n", r.stdout)
	}
	r := cli(t, env, "webhooks", "verify", "--body", bad)
	assert.Equal(t, exitError, r.code)
	assert.Equal(t, "mailgun webhooks verify: invalid: mailgun: webhook signature mismatch\n", r.stderr)
	assert.NotContains(t, r.stderr, key)

	r = cli(t, env, "webhooks", "verify", "--body", good, "--max-age", "1h")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "invalid: mailgun: webhook signature expired")

	r = cli(t, map[string]string{}, "webhooks", "verify", "--body", good)
	assert.Equal(t, exitError, r.code)
	assert.Equal(t, "mailgun webhooks verify: MAILGUN_WEBHOOK_SIGNING_KEY is not set\n", r.stderr)

	// Alert webhooks are signed in X-Sign, with the alert key.
	const alertKey = "alert-key-5678"
	alertBody := `{"signature":{"timestamp":"1700000000","token":"t"},"event_data":{"id":"x"}}`
	sign := mailguntest.SignAlert(alertKey, []byte(alertBody))
	alertFile := write("alert.json", alertBody)
	alertEnv := map[string]string{"MAILGUN_ALERT_SIGNING_KEY": alertKey}
	r = cli(t, alertEnv, "webhooks", "verify", "--alert", "--body", alertFile, "--x-sign", sign)
	assert.Equal(t, exitOK, r.code, r.stderr)
	alertRequest := write("alert.http", "POST /alerts HTTP/1.1\r\nHost: me.example\r\nX-Sign: "+sign+"\r\n"+
		fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(alertBody), alertBody))
	r = cli(t, alertEnv, "webhooks", "verify", "--alert", "--body", alertRequest)
	assert.Equal(t, exitOK, r.code, r.stderr)
	r = cli(t, alertEnv, "webhooks", "verify", "--alert", "--body", alertFile, "--x-sign", strings.Repeat("0", 64))
	assert.Equal(t, exitError, r.code)
	assert.Equal(t, "mailgun webhooks verify: invalid: mailgun: webhook signature mismatch\n", r.stderr)
	r = cli(t, env, "webhooks", "verify", "--body", alertFile)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "invalid")
}

func TestAlertsList(t *testing.T) {
	srv, env := fakeEnv(t)
	c := srv.Client()
	ctx := context.Background()
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer hooks.Close()
	_, err := c.Alerts.CreateSetting(ctx, "ip_listed", mailgun.WebhookChannel(hooks.URL+"/alerts"))
	require.NoError(t, err)
	_, err = c.Alerts.CreateSetting(ctx, "domain_listed", mailgun.EmailChannel("ops@example.com", "oncall@example.com"))
	require.NoError(t, err)
	_, err = c.Alerts.CreateSendAlert(ctx, mailgun.SendAlertRequest{
		Name: "bounce-rate", Metric: "hard_bounce_rate", Comparator: ">", Limit: "0.05", Dimension: "domain",
		AlertChannels: []mailgun.Channel{mailgun.ChannelEmail}, Period: "1h",
	})
	require.NoError(t, err)

	r := cli(t, env, "alerts", "list")
	require.Equal(t, exitOK, r.code, r.stderr)
	ids := []string{}
	settings, err := c.Alerts.GetSettings(ctx)
	require.NoError(t, err)
	for _, s := range settings.Events {
		ids = append(ids, s.ID)
	}
	out := r.stdout
	for i, id := range ids {
		out = strings.ReplaceAll(out, id, fmt.Sprintf("<id%d>", i))
	}
	out = strings.ReplaceAll(out, hooks.URL, "http://hooks")
	golden(t, "alerts-list.golden", out)
	assert.NotContains(t, r.stdout, srv.AlertSigningKey())
}

func TestMetrics(t *testing.T) {
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	srv, vars := fakeEnv(t, mailguntest.WithClock(func() time.Time { return now }))
	at := func(h int) time.Time { return now.Add(time.Duration(-h) * time.Hour) }
	var events []mailgun.Event
	for i := range 5 {
		events = append(events, mailgun.Event{Event: mailgun.EventAccepted, Timestamp: at(3), Recipient: fmt.Sprintf("u%d@example.org", i)})
	}
	for i := range 4 {
		events = append(events, mailgun.Event{Event: mailgun.EventDelivered, Timestamp: at(2), Recipient: fmt.Sprintf("u%d@example.org", i)})
	}
	events = append(events,
		mailgun.Event{Event: mailgun.EventFailed, Severity: mailgun.SeverityPermanent, Timestamp: at(2), Recipient: "u4@example.org"},
		mailgun.Event{Event: mailgun.EventOpened, Timestamp: at(1), Recipient: "u0@example.org"},
		mailgun.Event{Event: mailgun.EventClicked, Timestamp: at(1), Recipient: "u0@example.org"},
	)
	srv.AddEvents("example.com", events...)
	srv.AddEvents("other.example.com", mailgun.Event{Event: mailgun.EventAccepted, Timestamp: at(1), Recipient: "x@example.org"})

	var stdout, stderr syncBuffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }, stop: context.Background(),
		progress: newProgress(&stderr, false), now: func() time.Time { return now }, baseURL: vars["MAILGUN_BASE_URL"]}
	metricsOpts.since, metricsOpts.resolution = 5*time.Hour, ""
	require.NoError(t, printMetrics(context.Background(), e, "example.com", now))
	golden(t, "metrics.golden", stdout.String())

	r := cli(t, vars, "metrics", "example.com", "--resolution", "week")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `--resolution "week" is not hour, day or month`)
}
