package mailgun_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
)

// eventsPage is the body of GET /v3/{domain}/events.
type eventsPage struct {
	Items  []mailgun.Event `json:"items"`
	Paging struct {
		First, Last, Next, Previous string
	} `json:"paging"`
}

func decodeEventsPage(t *testing.T, name string) eventsPage {
	t.Helper()
	body := fixture(t, name)
	require.NoError(t, contracttest.Load(t).CheckExample("GET", "/v3/example.com/events", 200, "application/json", body))
	var p eventsPage
	require.NoError(t, json.Unmarshal(body, &p))
	return p
}

func decodeEvent(t *testing.T, body string) mailgun.Event {
	t.Helper()
	var e mailgun.Event
	require.NoError(t, json.Unmarshal([]byte(body), &e))
	return e
}

func ptr[T any](v T) *T { return &v }

// unix is time.Unix in UTC, as the SDK decodes Unix timestamps.
func unix(sec, nsec int64) time.Time { return time.Unix(sec, nsec).UTC() }

func TestEventDecodeExamplePage(t *testing.T) {
	p := decodeEventsPage(t, "examples/events/get-v3-domain-events.200.json")
	require.Len(t, p.Items, 10)
	assert.True(t, strings.HasPrefix(p.Paging.Next, "https://api.mailgun.net/v3/example.com/events/W3siYiI6"))
	assert.NotEmpty(t, p.Paging.Previous)
	assert.NotEmpty(t, p.Paging.First)
	assert.NotEmpty(t, p.Paging.Last)

	byID := map[string]mailgun.Event{}
	var names []mailgun.EventName
	for _, e := range p.Items {
		byID[e.ID] = e
		names = append(names, e.Event)
		assert.NotEmpty(t, e.Raw, "Raw of %s", e.ID)
		assert.True(t, json.Valid(e.Raw))
	}
	assert.Equal(t, []mailgun.EventName{
		mailgun.EventAccepted, mailgun.EventDelivered, mailgun.EventFailed, mailgun.EventFailed,
		mailgun.EventOpened, mailgun.EventClicked, mailgun.EventUnsubscribed, mailgun.EventComplained,
		mailgun.EventRejected, mailgun.EventStored,
	}, names)

	acc := byID["jxVuhYlhReaK3QsggHfFRA"]
	assert.Equal(t, unix(1529692198, 641821000), acc.Timestamp)
	assert.Equal(t, mailgun.LogLevelInfo, acc.LogLevel)
	assert.Equal(t, "http", acc.Method)
	assert.Equal(t, &mailgun.EventEnvelope{Sender: "sender@example.com", Transport: "smtp", Targets: "john@example.org"}, acc.Envelope)
	assert.Equal(t, &mailgun.EventFlags{IsAuthenticated: ptr(true), IsTestMode: ptr(false)}, acc.Flags)
	require.NotNil(t, acc.Message)
	assert.Equal(t, mailgun.MessageHeaders{
		To: "john@example.org", From: "Sender <sender@example.com>",
		MessageID: "20180622182958.1.48906CB188F1A454@example.com", Subject: "Welcome aboard",
	}, acc.Message.Headers)
	assert.Equal(t, []string{"john@example.org"}, acc.Message.Recipients)
	assert.Equal(t, int64(586), acc.Message.Size)
	assert.Empty(t, acc.Message.Attachments)
	assert.Equal(t, &mailgun.EventStorage{URL: "https://api.mailgun.net/v3/domains/example.com/messages/AwABB1234", Key: "AwABB1234"}, acc.Storage)
	assert.Equal(t, "john@example.org", acc.Recipient)
	assert.Equal(t, "example.org", acc.RecipientDomain)
	assert.Equal(t, []string{"welcome"}, acc.Tags)
	assert.JSONEq(t, `{"customer-id": "42"}`, string(acc.UserVariables))
	var vars map[string]string
	require.NoError(t, acc.DecodeUserVariables(&vars))
	assert.Equal(t, map[string]string{"customer-id": "42"}, vars)

	del := byID["hK7mQVt1QtqRiOfQXta4sw"]
	assert.Equal(t, &mailgun.DeliveryStatus{
		TLS: ptr(true), MXHost: "mx1.example.org", Code: 250, SessionSeconds: 0.4367079734802246,
		UTF8: ptr(true), AttemptNo: 1, Message: "OK", CertificateVerified: ptr(true),
	}, del.DeliveryStatus)
	assert.Equal(t, "198.51.100.23", del.Envelope.SendingIP)
	assert.Equal(t, &mailgun.EventStorage{
		URL: "https://api.mailgun.net/v3/domains/example.com/messages/AwABB1234", Region: "us-east4", Key: "AwABB1234", Env: "production",
	}, del.Storage)
	assert.Equal(t, "Other", del.RecipientProvider)
	assert.Equal(t, &mailgun.EventFlags{IsRouted: ptr(false), IsAuthenticated: ptr(true), IsSystemTest: ptr(false), IsTestMode: ptr(false)}, del.Flags)

	perm := byID["pl271FzxTTmGRW8Uj3dUWw"]
	assert.Equal(t, mailgun.SeverityPermanent, perm.Severity)
	assert.Equal(t, mailgun.ReasonSuppressBounce, perm.Reason)
	assert.Equal(t, mailgun.LogLevelError, perm.LogLevel)
	assert.Equal(t, 605, perm.DeliveryStatus.Code)
	assert.Equal(t, "Not delivering to previously bounced address", perm.DeliveryStatus.Description)
	assert.Equal(t, []mailgun.EventAttachment{{Filename: "invoice.pdf", ContentType: "application/pdf", Size: 139214}}, perm.Message.Attachments)
	assert.Equal(t, int64(142698), perm.Message.Size)
	assert.JSONEq(t, `{}`, string(perm.UserVariables))
	assert.NotNil(t, perm.Tags, "an empty tags array is kept as empty, not absent")

	temp := byID["xYrATi63Rke8EC_s7EoJeA"]
	assert.Equal(t, mailgun.SeverityTemporary, temp.Severity)
	assert.Equal(t, mailgun.ReasonGeneric, temp.Reason)
	assert.Equal(t, 451, temp.DeliveryStatus.Code)
	assert.Equal(t, 600, temp.DeliveryStatus.RetrySeconds)
	assert.Equal(t, "4.7.652", temp.DeliveryStatus.EnhancedCode)
	assert.Equal(t, "mx2.example.org", temp.DeliveryStatus.MXHost)
	assert.Equal(t, &mailgun.EventBatch{ID: "633ee6154618b2fed628ccb0"}, temp.Batch)
	assert.Equal(t, &mailgun.EventTemplate{Name: "newsletter"}, temp.Template)

	open := byID["-laxIqj9QWubsjY_3pTq_g"]
	assert.Equal(t, &mailgun.Geolocation{Country: "US", Region: "Texas", City: "Austin"}, open.Geolocation)
	assert.Equal(t, "203.0.113.111", open.IP)
	assert.Equal(t, &mailgun.ClientInfo{
		ClientType: "mobile browser", ClientOS: "iOS", DeviceType: "mobile", ClientName: "Mobile Safari",
		UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 6_1 like Mac OS X) AppleWebKit/536.26 (KHTML, like Gecko) Mobile/10B143",
	}, open.ClientInfo)
	assert.Equal(t, &mailgun.EventMessage{Headers: mailgun.MessageHeaders{MessageID: "20180622182958.1.48906CB188F1A454@example.com"}}, open.Message)
	assert.Nil(t, open.Envelope)
	assert.Nil(t, open.DeliveryStatus)

	click := byID["G5zMz2ysS6OxZ2C8xb2Tqg"]
	assert.Equal(t, "https://example.com/signup", click.URL)
	assert.Equal(t, "desktop", click.ClientInfo.DeviceType)
	assert.Equal(t, "TX", click.Geolocation.Region)

	unsub := byID["W3X4JOhFT-OZidZGKKr9iA"]
	assert.Equal(t, "San Antonio", unsub.Geolocation.City)
	assert.Equal(t, "Chrome", unsub.ClientInfo.ClientName)

	compl := byID["ncV2XwymRUKbPek_MIM-Gw"]
	assert.Equal(t, mailgun.LogLevelWarn, compl.LogLevel)
	assert.Equal(t, "foo@example.org", compl.Recipient)
	assert.Equal(t, int64(18937), compl.Message.Size)

	rej := byID["OMTXD3-sSmKIQa1gSKkYVA"]
	require.NotNil(t, rej.Reject)
	assert.True(t, strings.HasPrefix(rej.Reject.Reason, "Sandbox subdomains are for test purposes only."))
	assert.Empty(t, rej.Reject.Description)
	assert.Empty(t, rej.Recipient)

	stored := byID["WRVmVc47QYi4DHth_xpRUA"]
	assert.Equal(t, []string{"team@example.com"}, stored.Message.Recipients)
	assert.Equal(t, "eyJwIabcd", stored.Storage.Key)
}

func TestEventDecodeListEvents(t *testing.T) {
	p := decodeEventsPage(t, "examples/events/get-v3-domain-events.200-list-events.json")
	require.Len(t, p.Items, 3)

	up := p.Items[0]
	assert.Equal(t, mailgun.EventListMemberUploaded, up.Event)
	assert.Equal(t, "235fsc00607511e9a4sa0a6d3b5f5rt6", up.TaskID)
	assert.Equal(t, &mailgun.EventMailingList{Address: "list@example.com"}, up.MailingList)
	assert.Equal(t, &mailgun.ListMember{Address: "user@example.com", Subscribed: ptr(true)}, up.Member)
	assert.Equal(t, unix(1555439198, 849090000), up.Timestamp)

	bad := p.Items[1]
	assert.Equal(t, mailgun.EventListMemberUploadError, bad.Event)
	assert.Equal(t, "text", bad.Format)
	assert.Equal(t, &mailgun.EventError{Message: "Invalid format"}, bad.Error)
	assert.Equal(t, "mailto:user@example.com,", bad.MemberDescription)
	assert.Equal(t, mailgun.LogLevelError, bad.LogLevel)

	list := p.Items[2]
	assert.Equal(t, mailgun.EventListUploaded, list.Event)
	assert.Equal(t, ptr(true), list.Subscribed)
	assert.Equal(t, ptr(false), list.IsUpsert)
	assert.Equal(t, ptr(int64(75258)), list.UpsertedCount)
	assert.Equal(t, ptr(int64(12)), list.FailedCount)
}

func TestEventDecodeEmptyPage(t *testing.T) {
	p := decodeEventsPage(t, "examples/events/get-v3-domain-events.200-empty-page.json")
	assert.NotNil(t, p.Items)
	assert.Empty(t, p.Items)
	assert.NotEmpty(t, p.Paging.Next, "paging links are present on the empty page too")
}

// checkSingleEvent validates one event document as the item of a page.
func checkSingleEvent(t *testing.T, body []byte) {
	t.Helper()
	page := fmt.Appendf(nil, `{"items": [%s], "paging": {}}`, body)
	require.NoError(t, contracttest.Load(t).CheckExample("GET", "/v3/example.com/events", 200, "application/json", page))
}

func TestEventDecodeDelayedBounce(t *testing.T) {
	body := fixture(t, "examples/events/event-failed-delayed-bounce.json")
	checkSingleEvent(t, body)
	var e mailgun.Event
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Equal(t, mailgun.EventFailed, e.Event)
	assert.Equal(t, mailgun.ReasonGeneric, e.Reason)
	assert.Equal(t, &mailgun.EventFlags{IsDelayedBounce: ptr(true)}, e.Flags)
	require.NotNil(t, e.Envelope, "an empty envelope object is present, not nil")
	assert.Equal(t, mailgun.EventEnvelope{}, *e.Envelope)
	assert.Equal(t, "5.1.1", e.DeliveryStatus.BounceCode)
	assert.Equal(t, 550, e.DeliveryStatus.Code)
	assert.Equal(t, "5.1.1", e.DeliveryStatus.EnhancedCode)
	// 7 decimals: every digit is kept.
	assert.Equal(t, unix(1666214138, 404667600), e.Timestamp)
	assert.Equal(t, "us-east4", e.Storage.Region)
	assert.Equal(t, "Testing delayed bounce", e.Message.Headers.Subject)
}

func TestEventDecodeStringUserVariables(t *testing.T) {
	body := fixture(t, "examples/events/event-failed-permanent-old.json")
	checkSingleEvent(t, body)
	var e mailgun.Event
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Equal(t, mailgun.ReasonOld, e.Reason)
	assert.Equal(t, "pdk1._domainkey.email.example.com", e.PrimaryDKIM)
	assert.Equal(t, 602, e.DeliveryStatus.Code)
	assert.Equal(t, 616, e.DeliveryStatus.LastCode)
	assert.Equal(t, "soft", e.DeliveryStatus.BounceType)
	assert.Equal(t, "unable to connect to MX servers: ...", e.DeliveryStatus.LastMessage)
	assert.Equal(t, 25, e.DeliveryStatus.AttemptNo)
	assert.Equal(t, "https://api.eu.mailgun.net/v3/domains/example.com/messages/AwABB7777", e.Storage.URL)
	assert.Equal(t, `"Could not load user-variables. They were either truncated or invalid JSON"`, string(e.UserVariables))

	var vars map[string]any
	err := e.DecodeUserVariables(&vars)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Could not load user-variables")
	assert.Nil(t, vars)
}

func TestEventDecodeWebhookEventData(t *testing.T) {
	var payload struct {
		EventData mailgun.Event `json:"event-data"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "examples/general/webhook-payload.delivered.json"), &payload))
	e := payload.EventData
	assert.Equal(t, mailgun.EventDelivered, e.Event)
	assert.Equal(t, unix(1529006854, 329574000), e.Timestamp)
	assert.Equal(t, 250, e.DeliveryStatus.Code)
	assert.Equal(t, "john@example.org", e.Recipient)
}

func TestEventDecodeNullsAndUnknowns(t *testing.T) {
	e := decodeEvent(t, `{
		"event": "delivered", "id": "n1", "timestamp": 1700000000.5,
		"flags": {"is-authenticated": null, "is-routed": true, "is-amp": null},
		"envelope": {"mail-from": null, "sender": "a@example.com"},
		"delivery-status": {"tls": null, "code": 250, "description": null},
		"user-variables": null,
		"geolocation": null,
		"brand-new-field": {"nested": [1, 2]}
	}`)
	assert.Equal(t, &mailgun.EventFlags{IsRouted: ptr(true)}, e.Flags)
	assert.Equal(t, &mailgun.EventEnvelope{Sender: "a@example.com"}, e.Envelope)
	assert.Nil(t, e.DeliveryStatus.TLS)
	assert.Nil(t, e.UserVariables, "null user variables read as absent")
	assert.Nil(t, e.Geolocation)
	assert.Contains(t, string(e.Raw), `"brand-new-field"`)
	var m map[string]any
	assert.NoError(t, e.DecodeUserVariables(&m))
	assert.Nil(t, m)
}

func TestEventDecodeUnknownEventName(t *testing.T) {
	body := []byte(`{"items": [
		{"event": "accepted", "id": "a1", "timestamp": 1529692198.641821, "recipient": "x@example.org"},
		{"event": "quantum_entangled", "id": "q1", "timestamp": 1529692199.000001, "log-level": "info",
		 "recipient": "y@example.org", "entanglement": {"partner": "z@example.org"}, "routes": {"id": "r1", "expression": "match_recipient(\".*\")"}},
		{"event": "delivered", "id": "d1", "timestamp": 1529692200}
	], "paging": {"next": "https://api.mailgun.net/v3/example.com/events/abc"}}`)
	var p eventsPage
	require.NoError(t, json.Unmarshal(body, &p))
	require.Len(t, p.Items, 3)
	q := p.Items[1]
	assert.Equal(t, mailgun.EventName("quantum_entangled"), q.Event)
	assert.Equal(t, "q1", q.ID)
	assert.Equal(t, "y@example.org", q.Recipient)
	assert.Equal(t, unix(1529692199, 1000), q.Timestamp)
	assert.Equal(t, []mailgun.EventRoute{{ID: "r1", Expression: `match_recipient(".*")`}}, q.Routes, "a single route object reads as a list of one")
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(q.Raw, &raw))
	assert.JSONEq(t, `{"partner": "z@example.org"}`, string(raw["entanglement"]))
	assert.Equal(t, unix(1529692200, 0), p.Items[2].Timestamp)

	// Encoding keeps what no field models.
	out, err := json.Marshal(q)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"event": "quantum_entangled", "id": "q1", "timestamp": 1529692199.000001, "log-level": "info",
		"recipient": "y@example.org", "entanglement": {"partner": "z@example.org"},
		"routes": [{"id": "r1", "expression": "match_recipient(\".*\")"}]
	}`, string(out))
}

func TestEventTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{`1529692199.626182`, unix(1529692199, 626182000)},
		{`1666214138.4046676`, unix(1666214138, 404667600)},
		{`1529692199`, unix(1529692199, 0)},
		{`1529692199.123456789123`, unix(1529692199, 123456789)},
		{`1.5296921996261821e9`, unix(1529692199, 626182000)},
		{`"1529692199.5"`, unix(1529692199, 500000000)},
		{`-1.25`, unix(-1, -250000000)},
		{`0`, unix(0, 0)},
		{`null`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e := decodeEvent(t, `{"event": "accepted", "id": "x", "timestamp": `+tt.in+`}`)
			assert.Equal(t, tt.want, e.Timestamp)
		})
	}
	for _, bad := range []string{`"abc"`, `1.`, `.5`, `1e999`, `--1`, `""`, `true`, `{}`, `1529692199x`, `99999999999999999999`, `"1.5e400"`} {
		t.Run("bad "+bad, func(t *testing.T) {
			var e mailgun.Event
			assert.Error(t, json.Unmarshal([]byte(`{"event": "accepted", "id": "x", "timestamp": `+bad+`}`), &e))
		})
	}
}

func TestEventTemplateTolerantFields(t *testing.T) {
	e := decodeEvent(t, `{"event": "delivered", "id": "t", "timestamp": 1, "template": {"name": "welcome", "version": 3, "is-text": "true"}}`)
	assert.Equal(t, &mailgun.EventTemplate{Name: "welcome", Version: "3", IsText: ptr(true)}, e.Template)
	e = decodeEvent(t, `{"event": "delivered", "id": "t", "timestamp": 1, "template": {"name": "w", "version": "v2", "is-text": false}}`)
	assert.Equal(t, &mailgun.EventTemplate{Name: "w", Version: "v2", IsText: ptr(false)}, e.Template)
	var bad mailgun.Event
	assert.Error(t, json.Unmarshal([]byte(`{"event": "delivered", "id": "t", "timestamp": 1, "template": {"is-text": "maybe"}}`), &bad))
}

func TestEventMarshalRoundTrip(t *testing.T) {
	for _, name := range []string{
		"examples/events/get-v3-domain-events.200.json",
		"examples/events/get-v3-domain-events.200-list-events.json",
	} {
		p := decodeEventsPage(t, name)
		for _, e := range p.Items {
			out, err := json.Marshal(e)
			require.NoError(t, err)
			var back mailgun.Event
			require.NoError(t, json.Unmarshal(out, &back))
			back.Raw, e.Raw = nil, nil
			if len(e.UserVariables) > 0 {
				assert.JSONEq(t, string(e.UserVariables), string(back.UserVariables))
				e.UserVariables, back.UserVariables = nil, nil
			}
			if len(e.Tags) == 0 {
				e.Tags, back.Tags = nil, nil
			}
			if len(e.Campaigns) == 0 {
				e.Campaigns, back.Campaigns = nil, nil
			}
			if e.Message != nil && len(e.Message.Attachments) == 0 {
				e.Message.Attachments, back.Message.Attachments = nil, nil
			}
			assert.Equal(t, e, back, "event %s", e.ID)
		}
	}
}

func TestEventMarshalBuiltInCode(t *testing.T) {
	e := mailgun.Event{
		ID: "e1", Event: mailgun.EventFailed, Timestamp: time.Date(2024, 7, 8, 16, 30, 18, 530000000, time.UTC),
		Severity: mailgun.SeverityPermanent, Reason: mailgun.ReasonBounce, Recipient: "bob@example.org",
		Flags:          &mailgun.EventFlags{IsAuthenticated: ptr(false)},
		DeliveryStatus: &mailgun.DeliveryStatus{Code: 550, Message: "no such user"},
	}
	out, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "e1", "event": "failed", "timestamp": 1720456218.530000, "severity": "permanent",
		"reason": "bounce", "recipient": "bob@example.org", "flags": {"is-authenticated": false},
		"delivery-status": {"code": 550, "message": "no such user"}
	}`, string(out))
	assert.Contains(t, string(out), `"timestamp":1720456218.530000`, "six decimals, as Mailgun writes them")
}

// eventPageOf300 builds a realistic 300-event page from the example events.
func eventPageOf300(tb testing.TB) []byte {
	tb.Helper()
	var src struct {
		Items []json.RawMessage `json:"items"`
	}
	require.NoError(tb, json.Unmarshal(fixture(tb, "examples/events/get-v3-domain-events.200.json"), &src))
	var buf bytes.Buffer
	buf.WriteString(`{"items": [`)
	for i := range 300 {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(src.Items[i%len(src.Items)])
	}
	buf.WriteString(`], "paging": {"next": "https://api.mailgun.net/v3/example.com/events/W3siYiI6"}}`)
	return buf.Bytes()
}

func BenchmarkDecodeEventsPage(b *testing.B) {
	body := eventPageOf300(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var p eventsPage
		if err := json.Unmarshal(body, &p); err != nil {
			b.Fatal(err)
		}
		if len(p.Items) != 300 {
			b.Fatalf("decoded %d events", len(p.Items))
		}
	}
}

// FuzzDecodeEvent checks that decoding never panics, and that whatever
// decodes encodes to a document that decodes and encodes to the same bytes.
func FuzzDecodeEvent(f *testing.F) {
	for _, name := range []string{
		"examples/events/get-v3-domain-events.200.json",
		"examples/events/get-v3-domain-events.200-list-events.json",
	} {
		var p struct {
			Items []json.RawMessage `json:"items"`
		}
		require.NoError(f, json.Unmarshal(fixture(f, name), &p))
		for _, item := range p.Items {
			f.Add([]byte(item))
		}
	}
	for _, name := range []string{"event-failed-delayed-bounce.json", "event-failed-permanent-old.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "examples", "events", name))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"event":"x","timestamp":"-0.000000001","routes":{"id":"r"},"template":{"version":1e3,"is-text":"1"}}`))
	f.Add([]byte(`{"timestamp":1e-7,"Tags":["a"],"tags":["b"],"user-variables":"oops"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e mailgun.Event
		if json.Unmarshal(data, &e) != nil {
			return
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("encoding a decoded event: %v", err)
		}
		var back mailgun.Event
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("decoding %s: %v", out, err)
		}
		if !e.Timestamp.Equal(back.Timestamp) {
			t.Fatalf("timestamp %v became %v", e.Timestamp, back.Timestamp)
		}
		again, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("encoding is not stable:\n%s\n%s", out, again)
		}
	})
}
