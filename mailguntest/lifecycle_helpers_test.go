package mailguntest_test

//lint:file-ignore SA1019 the counts are read from the deprecated Events and Stats APIs too, which the fake still serves.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/mailguntest"
)

// t0 is when the manual clocks of the lifecycle tests start.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

const domain = "mg.example.com"

// lifecycle is a fake on a manual clock with clients whose traffic is
// validated against the contracts.
type lifecycle struct {
	srv   *mailguntest.Server
	clock *mailguntest.Clock
	c     *mailgun.Client
	hc    *http.Client
}

func newLifecycle(t *testing.T, opts ...mailguntest.Option) *lifecycle {
	t.Helper()
	clock := mailguntest.NewClock(t0)
	srv := mailguntest.NewServer(t, append([]mailguntest.Option{mailguntest.WithManualClock(clock)}, opts...)...)
	hc := &http.Client{Transport: contracttest.Load(t).Transport(t, srv.HTTPClient().Transport)}
	return &lifecycle{srv: srv, clock: clock, c: srv.Client(mailgun.WithHTTPClient(hc)), hc: hc}
}

// sendResult is the answer to a send.
type sendResult struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

// send posts a urlencoded send with Client.Do and returns its answer.
func (l *lifecycle) send(t *testing.T, fields url.Values) sendResult {
	t.Helper()
	var out sendResult
	require.NoError(t, l.c.Do(context.Background(), "POST", "/v3/"+domain+"/messages", fields, &out))
	require.Equal(t, "Queued. Thank you.", out.Message)
	require.Regexp(t, `^<.+@.+>$`, out.ID)
	return out
}

// sendAndDeliver sends fields, moves the clock a second (the deliveries
// run) and returns the send's answer and the message's events.
func (l *lifecycle) sendAndDeliver(t *testing.T, fields url.Values) (sendResult, []mailgun.Event) {
	t.Helper()
	res := l.send(t, fields)
	l.clock.Advance(time.Second)
	return res, l.events(t, res.ID)
}

// basic is a minimal valid send to addresses.
func basic(to ...string) url.Values {
	return url.Values{"from": {"Sender <sender@" + domain + ">"}, "to": to, "subject": {"Hello"}, "text": {"Hi there"}}
}

// createTemplate stores template name on domain with one version, v1,
// of content.
func (l *lifecycle) createTemplate(t *testing.T, name, content string) {
	t.Helper()
	_, err := l.c.Templates.Create(context.Background(), domain, mailgun.TemplateInput{
		Name: name, Version: &mailgun.TemplateVersionInput{Tag: "v1", Template: content},
	})
	require.NoError(t, err)
}

// templated is a send of template name to a@example.org, with more
// fields as name, value pairs.
func templated(name string, fields ...string) url.Values {
	f := url.Values{"from": {"me@" + domain}, "subject": {"Hi"}, "to": {"a@example.org"}, "template": {name}}
	for i := 0; i+1 < len(fields); i += 2 {
		f.Set(fields[i], fields[i+1])
	}
	return f
}

// raw sends a request through the contract-checking client.
func (l *lifecycle) raw(t *testing.T, method, path, contentType string, body []byte, header ...string) response {
	t.Helper()
	return sendWith(t, l.hc, l.srv, method, path, contentType, body, header...)
}

// filePart is a file of a multipart body.
type filePart struct {
	field, name, contentType string
	data                     []byte
}

// multipartWithFiles builds a multipart body of fields and files.
func multipartWithFiles(t *testing.T, fields url.Values, files ...filePart) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			require.NoError(t, w.WriteField(k, v))
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+f.field+`"; filename="`+f.name+`"`)
		h.Set("Content-Type", f.contentType)
		pw, err := w.CreatePart(h)
		require.NoError(t, err)
		_, err = pw.Write(f.data)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return w.FormDataContentType(), buf.Bytes()
}

// period covers every event of the lifecycle tests.
var period = struct{ start, end time.Time }{t0.Add(-time.Hour), t0.Add(30 * 24 * time.Hour)}

// counts are the numbers the four reporting APIs must agree on.
type counts struct {
	Accepted, Delivered, PermanentFailed, TemporaryFailed, Opened, Clicked int64
}

// assertCounts reads domain's counters from Events, Logs, Metrics and
// Stats and checks that each says want.
func (l *lifecycle) assertCounts(t *testing.T, want counts) {
	t.Helper()
	ctx := context.Background()
	tally := func(name mailgun.EventName, sev mailgun.Severity, got *counts) {
		switch {
		case name == mailgun.EventAccepted:
			got.Accepted++
		case name == mailgun.EventDelivered:
			got.Delivered++
		case name == mailgun.EventFailed && sev == mailgun.SeverityPermanent:
			got.PermanentFailed++
		case name == mailgun.EventFailed && sev == mailgun.SeverityTemporary:
			got.TemporaryFailed++
		case name == mailgun.EventOpened:
			got.Opened++
		case name == mailgun.EventClicked:
			got.Clicked++
		}
	}

	var events counts
	for e, err := range l.c.Events.List(ctx, domain, &mailgun.EventsQuery{Begin: period.start, End: period.end, Ascending: true}) {
		require.NoError(t, err)
		tally(e.Event, e.Severity, &events)
	}
	assert.Equal(t, want, events, "Events")

	var logs counts
	for it, err := range l.c.Logs.List(ctx, mailgun.LogsQuery{Start: period.start, End: period.end, Filter: []mailgun.FilterPredicate{mailgun.FilterDomain.Is(domain)}}) {
		require.NoError(t, err)
		tally(it.Event, mailgun.Severity(it.Severity), &logs)
	}
	assert.Equal(t, want, logs, "Logs")

	m, err := l.c.Metrics.Query(ctx, mailgun.MetricsQuery{
		Start: period.start, End: period.end, Resolution: mailgun.ResolutionDay, IncludeAggregates: true,
		Filter: []mailgun.FilterPredicate{mailgun.FilterDomain.Is(domain)},
		Metrics: []mailgun.Metric{mailgun.MetricAcceptedCount, mailgun.MetricDeliveredCount, mailgun.MetricPermanentFailedCount,
			mailgun.MetricTemporaryFailedCount, mailgun.MetricOpenedCount, mailgun.MetricClickedCount},
	})
	require.NoError(t, err)
	require.NotNil(t, m.Aggregates)
	a := m.Aggregates
	assert.Equal(t, want, counts{*a.AcceptedCount, *a.DeliveredCount, *a.PermanentFailedCount, *a.TemporaryFailedCount, *a.OpenedCount, *a.ClickedCount}, "Metrics")

	st, err := l.c.Stats.DomainTotals(ctx, domain, mailgun.StatsQuery{
		Start: period.start, End: period.end, Resolution: mailgun.ResolutionDay,
		Events: []mailgun.EventName{mailgun.EventAccepted, mailgun.EventDelivered, mailgun.EventFailed, mailgun.EventOpened, mailgun.EventClicked},
	})
	require.NoError(t, err)
	var stats counts
	for _, it := range st.Stats {
		stats.Accepted += it.Accepted.Total
		stats.Delivered += it.Delivered.Total
		stats.PermanentFailed += it.Failed.Permanent.Total
		stats.TemporaryFailed += it.Failed.Temporary.Total
		stats.Opened += it.Opened.Total
		stats.Clicked += it.Clicked.Total
	}
	assert.Equal(t, want, stats, "Stats")
}

// events returns domain's events of one message, oldest first.
func (l *lifecycle) events(t *testing.T, id string) []mailgun.Event {
	t.Helper()
	var out []mailgun.Event
	for e, err := range l.c.Events.List(context.Background(), domain, &mailgun.EventsQuery{
		Begin: period.start, End: period.end, Ascending: true, EventFilter: mailgun.EventFilter{MessageID: id},
	}) {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

// names lists the event names (and severities of failures) of events.
func names(events []mailgun.Event) []string {
	var out []string
	for _, e := range events {
		n := string(e.Event)
		if e.Severity != "" {
			n += "/" + string(e.Severity)
		}
		out = append(out, n)
	}
	return out
}

// receiver is a webhook endpoint that verifies what it gets with
// mailgun.WebhookHandler and answers scripted statuses first.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	script []int // statuses to answer before accepting
	got    []*mailgun.WebhookEvent
	bodies [][]byte
}

func newReceiver(t *testing.T, l *lifecycle, script ...int) *receiver {
	t.Helper()
	rc := &receiver{script: script}
	h := mailgun.WebhookHandler(l.srv.WebhookSigningKey(), func(_ context.Context, ev *mailgun.WebhookEvent) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.got = append(rc.got, ev)
		return nil
	}, mailgun.WithVerifyOptions(mailgun.WithVerifyClock(l.clock.Now)))
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, body)
		status := 0
		if len(rc.script) > 0 {
			status, rc.script = rc.script[0], rc.script[1:]
		}
		rc.mu.Unlock()
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// register makes rc an account webhook for types.
func (rc *receiver) register(t *testing.T, l *lifecycle, types ...mailgun.WebhookEventType) {
	t.Helper()
	_, err := l.c.AccountWebhooks.Create(context.Background(), mailgun.AccountWebhookInput{URL: rc.URL, EventTypes: types})
	require.NoError(t, err)
}

// received returns the verified events, in arrival order.
func (rc *receiver) received() []*mailgun.WebhookEvent {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*mailgun.WebhookEvent(nil), rc.got...)
}

// signatures returns the signature objects of every POST received.
func (rc *receiver) signatures(t *testing.T) []mailgun.WebhookSignature {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []mailgun.WebhookSignature
	for _, b := range rc.bodies {
		var p mailgun.WebhookEvent
		require.NoError(t, json.Unmarshal(b, &p))
		out = append(out, p.Signature)
	}
	return out
}
