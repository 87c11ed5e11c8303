package mailgun

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
	"github.com/mgkit/mailgun/internal/timefmt"
)

// MessagesService sends messages (/v3/{domain}/messages and
// /v3/{domain}/messages.mime) and reads or resends the copies Mailgun
// stores for a few days (/v3/domains/{domain}/messages/{key}).
type MessagesService service

// Limits of one send request, checked before anything is sent.
const (
	// MaxRecipients is the most addresses one request may name in To,
	// Cc and Bcc together. SendBatch splits larger batches.
	MaxRecipients = 1000
	// MaxTags is the most tags (o:tag) one message may carry.
	MaxTags = 3
	// MaxOptionBytes bounds the o:, h: and v: values of a message, together.
	MaxOptionBytes = 16 << 10
	// MaxMessageBytes bounds a whole message. Attachments whose sizes are
	// known before sending are checked against it.
	MaxMessageBytes = 25 << 20
)

// Toggle overrides a domain setting for one message. The zero value,
// ToggleDefault, sends nothing and keeps the domain's setting.
type Toggle string

// The values of a Toggle. ToggleHTMLOnly is valid for Tracking,
// TrackingClicks and TrackingPixelLocationTop only.
const (
	ToggleDefault  Toggle = ""
	ToggleYes      Toggle = "yes"
	ToggleNo       Toggle = "no"
	ToggleHTMLOnly Toggle = "htmlonly"
)

// Message is one message to send. To is required, and either Template, or
// From, Subject and at least one of Text, HTML and AMPHTML. Zero fields
// are not sent. Send checks everything before sending and returns an error
// wrapping ErrInvalidArgument for a message Mailgun would refuse.
type Message struct {
	// From is the sender, "Name <addr@domain>" or "addr@domain". It may be
	// empty when the template has a From header.
	From string
	// To, Cc and Bcc are the recipients; an entry may be a comma-separated
	// list, and names are allowed ("Ann <ann@example.com>"). Together they
	// may name at most MaxRecipients addresses. Recipients in To see each
	// other unless RecipientVariables is set (see SendBatch).
	To, Cc, Bcc []string
	// Subject may be empty when the template has a Subject header.
	Subject string
	// Text, HTML and AMPHTML are the bodies. HTML cannot be combined with
	// Template.
	Text, HTML, AMPHTML string

	// Attachments and Inline are files, streamed while the request is sent
	// (the request is then multipart; without files it is a form). An
	// inline file is referred to from the HTML as "cid:<Filename>".
	Attachments, Inline []Attachment

	// Template is the name of a stored template to render; TemplateVersion
	// picks a version other than the active one; TemplateVariables are
	// sent as t:variables (JSON); TemplateText asks for a plain-text part
	// rendered from the template too (t:text=yes).
	Template          string
	TemplateVersion   string
	TemplateVariables map[string]any
	TemplateText      bool

	// MessageID is the Message-Id header, such as
	// "<order-1234@mg.example.com>" (angle brackets are added when
	// missing). When it is empty Send generates one, so that a send whose
	// outcome is unknown can be found later (see SendError).
	MessageID string
	// Headers are extra MIME headers (h:<name>), such as "Reply-To".
	Headers map[string]string
	// Variables are custom variables (v:<name>), which come back in
	// events and webhooks as user-variables. A value may be JSON text.
	Variables map[string]string
	// RecipientVariables are per-recipient values, keyed by address, sent
	// as recipient-variables (JSON). With them every recipient gets a
	// copy of their own and %recipient.<name>% is replaced in the subject
	// and bodies.
	RecipientVariables map[string]map[string]any
	// Tags label the message (o:tag), at most MaxTags.
	Tags []string

	// DeliveryTime schedules the message (o:deliverytime); how far ahead
	// depends on the plan (3 or 7 days). The zero time sends at once.
	DeliveryTime time.Time
	// DeliveryTimeOptimizePeriod lets Mailgun pick the best send time
	// within this window (o:deliverytime-optimize-period): whole hours,
	// 24h to 72h.
	DeliveryTimeOptimizePeriod time.Duration
	// TimeZoneLocalize sends at this local time of each recipient
	// (o:time-zone-localize), "HH:mm" or "hh:mmaa" ("09:00", "9:00am").
	TimeZoneLocalize string
	// DeliverWithin bounds how long Mailgun retries delivery
	// (o:deliver-within): whole minutes, 5m to 24h.
	DeliverWithin time.Duration

	// TestMode makes Mailgun accept and process the message, with events,
	// without delivering it (o:testmode).
	TestMode bool
	// Tracking, TrackingClicks and TrackingOpens override the domain's
	// tracking settings (o:tracking, o:tracking-clicks, o:tracking-opens);
	// TrackingPixelLocationTop puts the open pixel at the top of the HTML.
	Tracking, TrackingClicks, TrackingOpens, TrackingPixelLocationTop Toggle
	// RequireTLS refuses delivery over an unencrypted connection
	// (o:require-tls); SkipVerification accepts any TLS certificate of the
	// receiving server (o:skip-verification); DKIM turns DKIM signing on
	// or off (o:dkim).
	RequireTLS, SkipVerification, DKIM Toggle
	// SecondaryDKIM and SecondaryDKIMPublic sign again with another key,
	// "signing_domain/selector" (o:secondary-dkim, o:secondary-dkim-public).
	SecondaryDKIM, SecondaryDKIMPublic string
	// SendingIP and SendingIPPool pick a dedicated IP address or the id of
	// an IP pool (o:sending-ip, o:sending-ip-pool).
	SendingIP, SendingIPPool string
	// ArchiveTo is an http(s) URL that receives a copy of each delivered
	// message (o:archive-to).
	ArchiveTo string
	// SuppressHeaders lists X-Mailgun headers to remove from the delivered
	// message, or "all" (o:suppress-headers, sent comma-separated).
	SuppressHeaders []string

	// Extra holds form fields the SDK has no typed field for (such as a
	// new "o:" option), sent as they are, one key per value. Keys that a
	// typed field sends, and h:, v: and file keys, are refused.
	Extra url.Values
}

// Attachment is a file of a message (or of a Multipart body). Content is
// copied into the request while it is sent and never held whole.
type Attachment struct {
	// Filename is the file's name in the message; required.
	Filename string
	// ContentType is the file's media type; "" sends
	// application/octet-stream, and Mailgun goes by the file name.
	ContentType string
	// Content is read while the request is sent. A retry can send it again
	// only when it is an io.Seeker (it is rewound to the offset it had
	// when the call began) or no byte of it was read. A read of it still
	// blocked when an attempt ends is waited for only when a retry
	// follows, at most RetryPolicy.IdleTimeout; past that the retry is
	// given up and the error says why. Without a retry Send returns at
	// once and that one read may finish afterwards: do not reuse Content
	// until it returns.
	Content io.Reader
	// Size, when > 0, is the exact number of bytes Content holds; it lets
	// a plain reader's request carry a Content-Length. A Content that ends
	// sooner or goes on fails the send. 0 means unknown: it is measured
	// when Content seeks or has a Len method, and the body is otherwise
	// sent chunked.
	Size int64

	path string // FileAttachment
}

// FileAttachment returns an attachment read from the file at path while
// the request is sent. The file is opened for each attempt and closed
// after it, so a retry always sends it whole. Its Filename is the base
// name of path; a missing file is reported by Send before sending.
func FileAttachment(path string) Attachment {
	return Attachment{Filename: filepath.Base(path), path: path}
}

// SendResult is Mailgun's answer to an accepted send.
type SendResult struct {
	// ID is the message's Message-Id in angle brackets, as Mailgun returns
	// it; filters on message ids take it with or without the brackets.
	ID string
	// Message is Mailgun's text, usually "Queued. Thank you.".
	Message string
}

// sendWire is the answer to a send. A 2xx without an id is not the API's
// answer, so it fails decoding (an invalid response).
type sendWire struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

func (w *sendWire) DecodeBody(b []byte) error {
	var v struct {
		ID      *string `json:"id"`
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.ID == nil || strings.TrimSpace(*v.ID) == "" {
		return errors.New("send response has no id")
	}
	w.ID = *v.ID
	if v.Message != nil {
		w.Message = *v.Message
	}
	return nil
}

// SendError is a send that failed after it was handed to the transport.
// When errors.Is(err, ErrOutcomeUnknown), Mailgun may have accepted the
// message: look for MessageID (EventFilter.MessageID, or the
// Message.Headers.MessageID of Logs items) before sending it again.
type SendError struct {
	// MessageID is the Message-Id header the message was sent with, in
	// angle brackets: Message.MessageID or the one Send generated. It is
	// "" for SendMIME (use the Message-Id of your MIME) and Resend.
	MessageID string
	// Err is the failure; APIError and the sentinel errors are reachable
	// through it with errors.As and errors.Is.
	Err error
}

// Error returns Err's text and the Message-Id.
func (e *SendError) Error() string {
	if e.MessageID == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + " (Message-Id " + e.MessageID + ")"
}

// Unwrap returns Err.
func (e *SendError) Unwrap() error { return e.Err }

// Send sends msg from domain (POST /v3/{domain}/messages): as a form, or,
// when it has files, as a multipart body streamed from them. msg is
// checked first: input Mailgun would refuse is an error wrapping
// ErrInvalidArgument and nothing is sent. msg is not modified.
//
// When msg.MessageID is empty, Send generates a Message-Id on domain; a
// failure after sending began is a *SendError that carries it. Like every
// POST, a send is retried only on 420/429 or when no connection was made
// (a failed dial, DNS lookup, proxy connect or TLS handshake, or a timeout
// before the connection; never on a certificate error), and only when
// every attachment an attempt read can start over (FileAttachment, or a
// Content that is an io.Seeker); otherwise the error says why it was not
// retried. A send that may have reached Mailgun without an answer (a
// connection dropped or a timeout fired once the connection was made, a
// 5xx) matches ErrOutcomeUnknown and is never repeated.
func (s *MessagesService) Send(ctx context.Context, domain string, msg *Message) (*SendResult, error) {
	if err := checkDomain(domain); err != nil {
		return nil, err
	}
	if msg == nil {
		return nil, invalidArg("message is nil")
	}
	p, err := msg.prepare(domain, true)
	if err != nil {
		return nil, err
	}
	return s.send(ctx, domain, p)
}

func (s *MessagesService) send(ctx context.Context, domain string, p *prepared) (*SendResult, error) {
	body, err := p.body()
	if err != nil {
		return nil, err
	}
	r := &doer.Request{Method: http.MethodPost, Path: []string{"v3", domain, "messages"}, Body: body}
	return s.post(ctx, r, p.messageID)
}

// post sends a request answered by {id, message}. A failure is a
// *SendError; so is a 2xx without a body, which is not the API's answer.
func (s *MessagesService) post(ctx context.Context, r *doer.Request, messageID string) (*SendResult, error) {
	var w sendWire
	if err := s.client.do(ctx, r, &w); err != nil {
		if errors.Is(err, ErrInvalidArgument) {
			return nil, err // refused before sending (a domain of "." or "..")
		}
		return nil, &SendError{MessageID: messageID, Err: err}
	}
	if w.ID == "" {
		err := fmt.Errorf("mailgun: the send was answered with a 2xx without a body: %w: %w", ErrOutcomeUnknown, ErrInvalidResponse)
		return nil, &SendError{MessageID: messageID, Err: err}
	}
	return &SendResult{ID: w.ID, Message: w.Message}, nil
}

// checkDomain refuses a sending domain that cannot be a path segment.
func checkDomain(domain string) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	if _, err := doer.BuildPath([]string{domain}); err != nil {
		return invalidArg("domain: %s", err)
	}
	return nil
}

// prepared is a checked message, encoded as form fields and files.
type prepared struct {
	fields    []doer.Field
	files     []doer.File
	messageID string
}

func (p *prepared) body() (doer.Body, error) {
	if len(p.files) == 0 {
		return doer.FormFields(p.fields), nil
	}
	b, err := doer.NewMultipart(p.fields, p.files)
	if err != nil {
		return nil, invalidArg("%s", err)
	}
	return b, nil
}

// typedFields are the form keys Message's typed fields send.
var typedFields = map[string]string{
	"from": "From", "to": "To", "cc": "Cc", "bcc": "Bcc", "subject": "Subject",
	"text": "Text", "html": "HTML", "amp-html": "AMPHTML",
	"attachment": "Attachments", "inline": "Inline",
	"template": "Template", "t:version": "TemplateVersion", "t:variables": "TemplateVariables", "t:text": "TemplateText",
	"recipient-variables": "RecipientVariables", "o:tag": "Tags",
	"o:deliverytime": "DeliveryTime", "o:deliverytime-optimize-period": "DeliveryTimeOptimizePeriod",
	"o:time-zone-localize": "TimeZoneLocalize", "o:deliver-within": "DeliverWithin",
	"o:testmode": "TestMode", "o:tracking": "Tracking", "o:tracking-clicks": "TrackingClicks",
	"o:tracking-opens": "TrackingOpens", "o:tracking-pixel-location-top": "TrackingPixelLocationTop",
	"o:require-tls": "RequireTLS", "o:skip-verification": "SkipVerification", "o:dkim": "DKIM",
	"o:secondary-dkim": "SecondaryDKIM", "o:secondary-dkim-public": "SecondaryDKIMPublic",
	"o:sending-ip": "SendingIP", "o:sending-ip-pool": "SendingIPPool", "o:archive-to": "ArchiveTo",
	"o:suppress-headers": "SuppressHeaders",
}

// formBuilder collects fields and counts the o:, h: and v: bytes.
type formBuilder struct {
	fields      []doer.Field
	optionBytes int
	err         error
}

func (b *formBuilder) add(name, value string) {
	b.fields = append(b.fields, doer.Field{Name: name, Value: value})
	if len(name) > 2 && name[1] == ':' && (name[0] == 'o' || name[0] == 'h' || name[0] == 'v') {
		b.optionBytes += len(value)
	}
}

// addText adds a one-line value, refusing line breaks.
func (b *formBuilder) addText(name, field, value string) {
	if value == "" {
		return
	}
	if b.err == nil && hasLineBreak(value) {
		b.err = invalidArg("%s contains a line break", field)
	}
	b.add(name, value)
}

func (b *formBuilder) addToggle(name, field string, v Toggle, htmlOnly bool) {
	switch {
	case v == ToggleDefault:
		return
	case v == ToggleYes || v == ToggleNo || (htmlOnly && v == ToggleHTMLOnly):
		b.add(name, string(v))
	case b.err == nil && htmlOnly:
		b.err = invalidArg("%s is %q; want yes, no, htmlonly or empty", field, string(v))
	case b.err == nil:
		b.err = invalidArg("%s is %q; want yes, no or empty", field, string(v))
	}
}

func (b *formBuilder) addJSON(name, field string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		if b.err == nil {
			b.err = invalidArg("%s cannot be encoded as JSON: %s", field, err)
		}
		return
	}
	b.add(name, string(data))
}

// prepare checks m and encodes it for domain. ownMessageID says whether
// m.MessageID (or its Message-Id header) may be used as it is; batches
// need one id per request.
func (m *Message) prepare(domain string, ownMessageID bool) (*prepared, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	b := &formBuilder{fields: make([]doer.Field, 0, 8+len(m.To)+len(m.Headers)+len(m.Variables))}
	b.addText("from", "From", m.From)
	for _, list := range []struct {
		key, name string
		v         []string
	}{{"to", "To", m.To}, {"cc", "Cc", m.Cc}, {"bcc", "Bcc", m.Bcc}} {
		for _, a := range list.v {
			b.addText(list.key, list.name, a)
		}
	}
	b.addText("subject", "Subject", m.Subject)
	for _, f := range []struct{ key, v string }{{"text", m.Text}, {"html", m.HTML}, {"amp-html", m.AMPHTML}} {
		if f.v != "" {
			b.add(f.key, f.v)
		}
	}
	b.addText("template", "Template", m.Template)
	b.addText("t:version", "TemplateVersion", m.TemplateVersion)
	if m.TemplateVariables != nil {
		b.addJSON("t:variables", "TemplateVariables", m.TemplateVariables)
	}
	if m.TemplateText {
		b.add("t:text", "yes")
	}
	for _, t := range m.Tags {
		b.addText("o:tag", "a tag", t)
	}
	if !m.DeliveryTime.IsZero() {
		b.add("o:deliverytime", timefmt.FormatRFC2822(m.DeliveryTime))
	}
	if d := m.DeliveryTimeOptimizePeriod; d != 0 {
		b.add("o:deliverytime-optimize-period", fmt.Sprintf("%dh", d/time.Hour))
	}
	b.addText("o:time-zone-localize", "TimeZoneLocalize", m.TimeZoneLocalize)
	if d := m.DeliverWithin; d != 0 {
		b.add("o:deliver-within", fmt.Sprintf("%dh%dm", d/time.Hour, d%time.Hour/time.Minute))
	}
	if m.TestMode {
		b.add("o:testmode", "yes")
	}
	b.addToggle("o:tracking", "Tracking", m.Tracking, true)
	b.addToggle("o:tracking-clicks", "TrackingClicks", m.TrackingClicks, true)
	b.addToggle("o:tracking-opens", "TrackingOpens", m.TrackingOpens, false)
	b.addToggle("o:tracking-pixel-location-top", "TrackingPixelLocationTop", m.TrackingPixelLocationTop, true)
	b.addToggle("o:require-tls", "RequireTLS", m.RequireTLS, false)
	b.addToggle("o:skip-verification", "SkipVerification", m.SkipVerification, false)
	b.addToggle("o:dkim", "DKIM", m.DKIM, false)
	b.addText("o:secondary-dkim", "SecondaryDKIM", m.SecondaryDKIM)
	b.addText("o:secondary-dkim-public", "SecondaryDKIMPublic", m.SecondaryDKIMPublic)
	b.addText("o:sending-ip", "SendingIP", m.SendingIP)
	b.addText("o:sending-ip-pool", "SendingIPPool", m.SendingIPPool)
	b.addText("o:archive-to", "ArchiveTo", m.ArchiveTo)
	if len(m.SuppressHeaders) > 0 {
		b.addText("o:suppress-headers", "SuppressHeaders", strings.Join(m.SuppressHeaders, ","))
	}

	id, err := m.messageID(domain, ownMessageID)
	if err != nil {
		return nil, err
	}
	b.add("h:Message-Id", id)
	for _, k := range slices.Sorted(maps.Keys(m.Headers)) {
		if !strings.EqualFold(k, "Message-Id") {
			b.addText("h:"+k, "header "+k, m.Headers[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m.Variables)) {
		b.add("v:"+k, m.Variables[k])
	}
	if m.RecipientVariables != nil {
		b.addJSON("recipient-variables", "RecipientVariables", m.RecipientVariables)
	}
	for _, k := range slices.Sorted(maps.Keys(m.Extra)) {
		for _, v := range m.Extra[k] {
			b.add(k, v)
		}
	}
	if b.err != nil {
		return nil, b.err
	}
	if b.optionBytes > MaxOptionBytes {
		return nil, invalidArg("the o:, h: and v: values take %d bytes; Mailgun accepts at most %d", b.optionBytes, MaxOptionBytes)
	}
	p := &prepared{fields: b.fields, messageID: id}
	for _, part := range []struct {
		field string
		files []Attachment
	}{{"attachment", m.Attachments}, {"inline", m.Inline}} {
		for _, a := range part.files {
			p.files = append(p.files, a.file(part.field))
		}
	}
	return p, nil
}

// messageID returns the Message-Id to send, in angle brackets.
func (m *Message) messageID(domain string, own bool) (string, error) {
	id := m.MessageID
	for k, v := range m.Headers {
		if strings.EqualFold(k, "Message-Id") {
			if id != "" {
				return "", invalidArg("MessageID and a Message-Id header are both set")
			}
			id = v
		}
	}
	if id == "" {
		return newMessageID(domain), nil
	}
	if !own {
		return "", invalidArg("MessageID is set, but the batch needs one Message-Id per request: leave it empty")
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
	local, host, ok := strings.Cut(inner, "@")
	if !ok || local == "" || host == "" || strings.ContainsAny(inner, "<> \t\r\n\"(),;:\\[]") {
		return "", invalidArg("MessageID %q is not of the form <unique@domain>", id)
	}
	return "<" + inner + ">", nil
}

// newMessageID returns a unique Message-Id on domain, such as
// "<20240203120000.9f3c2a...@mg.example.com>".
func newMessageID(domain string) string {
	var r [12]byte
	_, _ = rand.Read(r[:]) // never fails (crypto/rand)
	var b strings.Builder
	b.Grow(len(domain) + 44)
	b.WriteByte('<')
	b.WriteString(time.Now().UTC().Format("20060102150405"))
	b.WriteByte('.')
	b.WriteString(hex.EncodeToString(r[:]))
	b.WriteByte('@')
	b.WriteString(domain)
	b.WriteByte('>')
	return b.String()
}

// check refuses what Mailgun would refuse, and input that cannot be sent
// safely (line breaks in header values, bad header names).
func (m *Message) check() error {
	if len(m.To) == 0 {
		return invalidArg("message has no To recipient")
	}
	n := 0
	for _, list := range []struct {
		name string
		v    []string
	}{{"To", m.To}, {"Cc", m.Cc}, {"Bcc", m.Bcc}} {
		for _, entry := range list.v {
			c, err := countAddresses(list.name, entry)
			if err != nil {
				return err
			}
			n += c
		}
	}
	if n > MaxRecipients {
		return invalidArg("message has %d recipients (To, Cc and Bcc); a request may have at most %d: use SendBatch", n, MaxRecipients)
	}
	if m.Template == "" {
		switch {
		case strings.TrimSpace(m.From) == "":
			return invalidArg("From is empty (it may be left out only with a Template)")
		case strings.TrimSpace(m.Subject) == "":
			return invalidArg("Subject is empty (it may be left out only with a Template)")
		case m.Text == "" && m.HTML == "" && m.AMPHTML == "":
			return invalidArg("message has no Text, HTML or AMPHTML body, and no Template")
		}
	} else if m.HTML != "" {
		return invalidArg("HTML cannot be combined with Template")
	}
	if m.Template == "" && (m.TemplateVersion != "" || m.TemplateVariables != nil || m.TemplateText) {
		return invalidArg("TemplateVersion, TemplateVariables or TemplateText is set without a Template")
	}
	if len(m.Tags) > MaxTags {
		return invalidArg("message has %d tags; at most %d are allowed", len(m.Tags), MaxTags)
	}
	for _, t := range m.Tags {
		if strings.TrimSpace(t) == "" {
			return invalidArg("a tag is empty")
		}
	}
	if err := m.checkOptions(); err != nil {
		return err
	}
	for k := range m.Headers {
		if !headerName(k) {
			return invalidArg("header name %q is not a valid header name", k)
		}
	}
	for k := range m.Variables {
		if strings.TrimSpace(k) == "" || hasControl(k) {
			return invalidArg("variable name %q is empty or has control characters", k)
		}
	}
	for k := range m.Extra {
		if err := checkExtra(k); err != nil {
			return err
		}
	}
	return checkFiles(m.Attachments, m.Inline)
}

func (m *Message) checkOptions() error {
	if d := m.DeliveryTimeOptimizePeriod; d != 0 && (d < 24*time.Hour || d > 72*time.Hour || d%time.Hour != 0) {
		return invalidArg("DeliveryTimeOptimizePeriod is %v; want whole hours from 24h to 72h", d)
	}
	if d := m.DeliverWithin; d != 0 && (d < 5*time.Minute || d > 24*time.Hour || d%time.Minute != 0) {
		return invalidArg("DeliverWithin is %v; want whole minutes from 5m to 24h", d)
	}
	if tz := m.TimeZoneLocalize; tz != "" && !localTime(tz) {
		return invalidArg("TimeZoneLocalize %q is not HH:mm or hh:mmaa (such as 09:00 or 9:00am)", tz)
	}
	for _, k := range []struct{ name, v string }{{"SecondaryDKIM", m.SecondaryDKIM}, {"SecondaryDKIMPublic", m.SecondaryDKIMPublic}} {
		if d, sel, ok := strings.Cut(k.v, "/"); k.v != "" && (!ok || d == "" || sel == "" || strings.Contains(sel, "/")) {
			return invalidArg("%s %q is not signing_domain/selector", k.name, k.v)
		}
	}
	if m.SendingIP != "" {
		if _, err := netip.ParseAddr(m.SendingIP); err != nil {
			return invalidArg("SendingIP %q is not an IP address", m.SendingIP)
		}
	}
	if m.ArchiveTo != "" {
		if err := checkHTTPURL("ArchiveTo", m.ArchiveTo); err != nil {
			return err
		}
	}
	for _, h := range m.SuppressHeaders {
		if !headerName(h) {
			return invalidArg("SuppressHeaders entry %q is not a header name (or \"all\")", h)
		}
	}
	return nil
}

func checkExtra(k string) error {
	if k == "" || hasControl(k) {
		return invalidArg("Extra key %q is empty or has control characters", k)
	}
	if f, ok := typedFields[k]; ok {
		return invalidArg("Extra key %q is sent by Message.%s: set that field", k, f)
	}
	switch {
	case strings.HasPrefix(k, "h:"):
		return invalidArg("Extra key %q is a header: use Message.Headers", k)
	case strings.HasPrefix(k, "v:"):
		return invalidArg("Extra key %q is a variable: use Message.Variables", k)
	}
	return nil
}

// localTime reports whether s is HH:mm (24 hours) or hh:mmaa (12 hours).
func localTime(s string) bool {
	for _, layout := range []string{"15:04", "3:04pm", "03:04pm", "3:04PM", "03:04PM"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// checkFiles checks every attachment and the known total size.
func checkFiles(lists ...[]Attachment) error {
	var total int64
	for _, list := range lists {
		for _, a := range list {
			n, err := a.check()
			if err != nil {
				return err
			}
			total += n
		}
	}
	if total > MaxMessageBytes {
		return invalidArg("attachments take %d bytes; a message may be at most %d bytes", total, MaxMessageBytes)
	}
	return nil
}

// check checks a and returns its size when known (else 0).
func (a Attachment) check() (int64, error) {
	switch {
	case strings.TrimSpace(a.Filename) == "" || hasControl(a.Filename):
		return 0, invalidArg("attachment file name %q is empty or has control characters", a.Filename)
	case hasControl(a.ContentType):
		return 0, invalidArg("content type of attachment %q has control characters", a.Filename)
	case a.Size < 0:
		return 0, invalidArg("attachment %q has a negative Size", a.Filename)
	case a.path != "":
		fi, err := os.Stat(a.path)
		if err != nil {
			return 0, invalidArg("attachment %q: %s", a.Filename, err)
		}
		if !fi.Mode().IsRegular() {
			return 0, invalidArg("attachment %q is not a regular file", a.Filename)
		}
		return fi.Size(), nil
	case a.Content == nil:
		return 0, invalidArg("attachment %q has no Content", a.Filename)
	}
	if l, ok := a.Content.(interface{ Len() int }); ok {
		return int64(l.Len()), nil
	}
	if sk, ok := a.Content.(io.Seeker); ok && a.Size == 0 {
		if n, ok := seekerRemaining(sk); ok {
			return n, nil
		}
	}
	return a.Size, nil
}

// seekerRemaining measures how many bytes s holds from its position,
// leaving it where it was.
func seekerRemaining(s io.Seeker) (int64, bool) {
	at, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, false
	}
	end, err := s.Seek(0, io.SeekEnd)
	if _, err2 := s.Seek(at, io.SeekStart); err != nil || err2 != nil {
		return 0, false
	}
	return max(end-at, 0), true
}

// file converts a to a multipart file part named field.
func (a Attachment) file(field string) doer.File {
	f := doer.File{Field: field, Filename: a.Filename, ContentType: a.ContentType, Content: a.Content, Size: a.Size}
	if a.path != "" {
		path := a.path
		f.Content = nil
		f.Open = func() (io.ReadCloser, error) { return os.Open(path) }
	}
	return f
}

// restartable reports whether a's content can be read again from its start.
func (a Attachment) restartable() bool {
	if a.path != "" {
		return true
	}
	_, ok := a.Content.(io.Seeker)
	return ok
}

// countAddresses counts the addresses of one recipient entry, which may be
// a comma-separated list with names ("Ann <a@x>, \"Doe, Bob\" <b@y>").
func countAddresses(field, entry string) (int, error) {
	if hasLineBreak(entry) {
		return 0, invalidArg("%s entry %q contains a line break", field, entry)
	}
	n := 0
	for _, a := range splitAddresses(entry) {
		if !strings.Contains(a, "@") {
			return 0, invalidArg("%s entry %q is not an email address", field, a)
		}
		n++
	}
	if n == 0 {
		return 0, invalidArg("%s has an empty entry", field)
	}
	return n, nil
}

// splitAddresses splits a list at commas outside quotes and angle brackets,
// dropping empty items.
func splitAddresses(s string) []string {
	var out []string
	quoted, angle, start := false, false, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch c := s[i]; {
			case c == '\\' && quoted:
				i++
				continue
			case c == '"':
				quoted = !quoted
				continue
			case quoted:
				continue
			case c == '<':
				angle = true
				continue
			case c == '>':
				angle = false
				continue
			case c != ',' || angle:
				continue
			}
		}
		if item := strings.TrimSpace(s[start:min(i, len(s))]); item != "" {
			out = append(out, item)
		}
		start = i + 1
	}
	return out
}

// bareAddress returns the address of "Name <addr>" or addr itself.
func bareAddress(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '<'); i >= 0 && strings.HasSuffix(s, ">") {
		return strings.TrimSpace(s[i+1 : len(s)-1])
	}
	return s
}

// headerName reports whether s is a valid header field name (an RFC 7230 token).
func headerName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func hasControl(s string) bool { return !headerSafe(s) }

func hasLineBreak(s string) bool { return strings.ContainsAny(s, "\r\n\x00") }

// BatchRecipient is one recipient of SendBatch and the values that
// replace %recipient.<name>% in the subject and bodies of their copy.
type BatchRecipient struct {
	// Address is "ann@example.com" or "Ann <ann@example.com>".
	Address string
	// Variables may be nil; they are sent in recipient-variables (JSON).
	Variables map[string]any
}

// BatchPart is one request of a batch: the recipients [Start, End) of the
// SendBatch call.
type BatchPart struct {
	Start, End int
	// MessageID is the Message-Id the SDK gave this request's message.
	MessageID string
	// ID is the id Mailgun answered; "" for a part it did not accept.
	ID string
}

// BatchResult lists the requests of a batch in order.
type BatchResult struct {
	Parts []BatchPart
}

// BatchSendError reports a SendBatch that stopped at a failed request.
// The recipients of Sent were sent; those of Unknown (the failed request,
// when its outcome is unknown) may have been; recipients[NotSent:] were
// not sent. Sending recipients[NotSent:] again is safe; sending Unknown
// again may deliver twice (look for its MessageID first).
type BatchSendError struct {
	Sent    []BatchPart
	Unknown []BatchPart
	NotSent int
	// Err is the failed request's error, a *SendError.
	Err error
}

// Error says how many recipients were sent, are unknown and were not sent.
func (e *BatchSendError) Error() string {
	sent, unknown := 0, 0
	for _, p := range e.Sent {
		sent += p.End - p.Start
	}
	for _, p := range e.Unknown {
		unknown += p.End - p.Start
	}
	return fmt.Sprintf("mailgun: batch stopped: %d recipients sent, %d unknown, not sent from recipient %d on: %v", sent, unknown, e.NotSent, e.Err)
}

// Unwrap returns Err.
func (e *BatchSendError) Unwrap() error { return e.Err }

// SendBatch sends msg to each recipient as a copy of their own, with
// their Variables as recipient-variables (an empty object for a recipient
// without any, so that nobody sees the other addresses). Recipients are
// sent MaxRecipients per request, in order, one request after the other,
// each with its own Message-Id; the result lists them.
//
// msg must not set To, Cc, Bcc, RecipientVariables, or (for more than one
// request) MessageID. Everything is checked before the first request; an
// address given twice is an error. With more than one request, every
// attachment must be a FileAttachment or an io.Seeker, because each
// request sends it again. When a request fails, SendBatch stops and
// returns a *BatchSendError saying which recipients were sent.
func (s *MessagesService) SendBatch(ctx context.Context, domain string, msg *Message, recipients []BatchRecipient) (*BatchResult, error) {
	if err := checkDomain(domain); err != nil {
		return nil, err
	}
	switch {
	case msg == nil:
		return nil, invalidArg("message is nil")
	case len(recipients) == 0:
		return nil, invalidArg("recipients is empty")
	case len(msg.To)+len(msg.Cc)+len(msg.Bcc) > 0:
		return nil, invalidArg("a batch message must not set To, Cc or Bcc: recipients are its To")
	case msg.RecipientVariables != nil:
		return nil, invalidArg("a batch message must not set RecipientVariables: they come from recipients")
	}
	seen := make(map[string]int, len(recipients))
	for i, r := range recipients {
		if n, err := countAddresses(fmt.Sprintf("recipients[%d]", i), r.Address); err != nil {
			return nil, err
		} else if n != 1 {
			return nil, invalidArg("recipients[%d] names %d addresses; want one", i, n)
		}
		key := strings.ToLower(bareAddress(r.Address))
		if j, dup := seen[key]; dup {
			return nil, invalidArg("recipients[%d] and recipients[%d] are both %s", j, i, key)
		}
		seen[key] = i
	}
	nparts := (len(recipients) + MaxRecipients - 1) / MaxRecipients
	files := slices.Concat(msg.Attachments, msg.Inline)
	if nparts > 1 {
		for _, a := range files {
			if !a.restartable() {
				return nil, invalidArg("attachment %q is sent by each of %d requests, so it must be a FileAttachment or an io.Seeker", a.Filename, nparts)
			}
		}
	}
	parts := make([]BatchPart, nparts)
	preps := make([]*prepared, nparts)
	for i := range parts {
		start, end := i*MaxRecipients, min((i+1)*MaxRecipients, len(recipients))
		m := *msg
		m.To = make([]string, 0, end-start)
		m.RecipientVariables = make(map[string]map[string]any, end-start)
		for _, r := range recipients[start:end] {
			m.To = append(m.To, r.Address)
			vars := r.Variables
			if vars == nil {
				vars = map[string]any{}
			}
			m.RecipientVariables[bareAddress(r.Address)] = vars
		}
		p, err := m.prepare(domain, nparts == 1)
		if err != nil {
			return nil, err
		}
		preps[i] = p
		parts[i] = BatchPart{Start: start, End: end, MessageID: p.messageID}
	}
	rewind, err := rewinder(files)
	if err != nil {
		return nil, err
	}
	for i, p := range preps {
		if i > 0 {
			if err := rewind(); err != nil {
				return nil, &BatchSendError{Sent: parts[:i], NotSent: parts[i].Start, Err: err}
			}
		}
		res, err := s.send(ctx, domain, p)
		if err != nil {
			be := &BatchSendError{Sent: parts[:i:i], NotSent: parts[i].Start, Err: err}
			if errors.Is(err, ErrOutcomeUnknown) {
				be.Unknown, be.NotSent = parts[i:i+1], parts[i].End
			}
			return nil, be
		}
		parts[i].ID = res.ID
	}
	return &BatchResult{Parts: parts}, nil
}

// rewinder records the offsets of the seekable contents among files and
// returns a function that seeks them back there.
func rewinder(files []Attachment) (func() error, error) {
	type mark struct {
		s   io.Seeker
		off int64
		a   string
	}
	var marks []mark
	for _, a := range files {
		if sk, ok := a.Content.(io.Seeker); ok && a.path == "" {
			off, err := sk.Seek(0, io.SeekCurrent)
			if err != nil {
				return nil, invalidArg("attachment %q cannot report its offset: %s", a.Filename, err)
			}
			marks = append(marks, mark{sk, off, a.Filename})
		}
	}
	return func() error {
		for _, m := range marks {
			if _, err := m.s.Seek(m.off, io.SeekStart); err != nil {
				return fmt.Errorf("mailgun: rewinding attachment %q for the next request: %w", m.a, err)
			}
		}
		return nil
	}, nil
}

// SendMIME sends a complete RFC 2822 message (POST
// /v3/{domain}/messages.mime), streaming mime as the "message" file part.
// to lists the envelope recipients (at least one, at most MaxRecipients),
// which may differ from the MIME's To header; a nil mime is an invalid
// argument. The SDK adds no Message-Id: give your MIME one to be able to
// find a send whose outcome is unknown.
//
// Like Send, it is retried only on 420/429 or when nothing was sent, and
// only when mime is an io.Seeker or none of it was read; a failure after
// sending began is a *SendError.
func (s *MessagesService) SendMIME(ctx context.Context, domain string, to []string, mime io.Reader) (*SendResult, error) {
	if err := checkDomain(domain); err != nil {
		return nil, err
	}
	if mime == nil {
		return nil, invalidArg("mime reader is nil")
	}
	fields, err := recipientFields(to)
	if err != nil {
		return nil, err
	}
	body, err := doer.NewMultipart(fields, []doer.File{{Field: "message", Filename: "message.mime", ContentType: "message/rfc822", Content: mime}})
	if err != nil {
		return nil, invalidArg("%s", err)
	}
	r := &doer.Request{Method: http.MethodPost, Path: []string{"v3", domain, "messages.mime"}, Body: body}
	return s.post(ctx, r, "")
}

// recipientFields checks a recipient list and returns it as "to" fields.
func recipientFields(to []string) ([]doer.Field, error) {
	if len(to) == 0 {
		return nil, invalidArg("no recipient (to is empty)")
	}
	n := 0
	fields := make([]doer.Field, len(to))
	for i, a := range to {
		c, err := countAddresses("to", a)
		if err != nil {
			return nil, err
		}
		n += c
		fields[i] = doer.Field{Name: "to", Value: a}
	}
	if n > MaxRecipients {
		return nil, invalidArg("%d recipients; a request may have at most %d", n, MaxRecipients)
	}
	return fields, nil
}

// StoredRef names a message Mailgun stored: by URL, the storage URL of
// one of its events (Event.Storage.URL, LogItem.Storage.URLs), or by
// Domain and Key (Event.Storage.Key). A ref with neither, or both, or a
// URL whose path is not /v3/domains/{domain}/messages/{key}, is an
// invalid argument.
//
// A storage URL may name a storage host such as
// storage-us-east4.api.mailgun.net, or for EU domains
// storage-europe-west1.api.mailgun.net or storage.eu.mailgun.net. A region
// client (either region) sends the URL as it is, with the API key, only
// over https on the default port to one of Mailgun's API or storage hosts:
// api.mailgun.net, api.eu.mailgun.net or a subdomain of either, or a host
// directly under mailgun.net or eu.mailgun.net named storage or storage-…;
// any other host is an error wrapping ErrInvalidArgument and nothing is
// sent. A client made WithBaseURL sends the URL's path to its base URL,
// whatever host the URL names.
type StoredRef struct {
	URL    string
	Domain string
	Key    string
}

// request returns a request for the stored message.
func (ref StoredRef) request(method string) (*doer.Request, error) {
	if ref.URL == "" {
		if err := required("stored message domain", ref.Domain); err != nil {
			return nil, err
		}
		if err := required("stored message key", ref.Key); err != nil {
			return nil, err
		}
		return &doer.Request{Method: method, Path: []string{"v3", "domains", ref.Domain, "messages", ref.Key}}, nil
	}
	if ref.Domain != "" || ref.Key != "" {
		return nil, invalidArg("stored message: set URL, or Domain and Key, not both")
	}
	cursor, err := doer.CursorFromLink(ref.URL)
	if err != nil {
		return nil, invalidArg("storage URL: %s", err)
	}
	path, _, _ := strings.Cut(cursor, "?")
	seg := strings.Split(path, "/")
	if len(seg) != 6 || seg[1] != "v3" || seg[2] != "domains" || seg[4] != "messages" || seg[3] == "" || seg[5] == "" {
		return nil, invalidArg("storage URL path %q is not /v3/domains/{domain}/messages/{key}", path)
	}
	return &doer.Request{Method: method, Link: ref.URL}, nil
}

// StoredMessage is a stored copy of a message, decoded. Fields the
// response lacks (or sends with an unexpected type) stay zero.
type StoredMessage struct {
	// From, To, Subject and MessageID are the message's headers of those
	// names, as Mailgun lists them at the top level of the response.
	From, To, Subject, MessageID string
	// Sender is the envelope sender; Recipients the envelope recipients.
	Sender     string
	Recipients []string
	// BodyPlain and BodyHTML are the bodies; the Stripped fields are the
	// bodies without quoted parts and signature, and the signature.
	BodyPlain, BodyHTML                           string
	StrippedText, StrippedHTML, StrippedSignature string
	// Headers are every MIME header, in order.
	Headers []Header
	// Attachments locate the message's files.
	Attachments []StoredAttachment
	// ContentIDMap maps the content ids of inline files ("<cid>") to them.
	ContentIDMap map[string]StoredAttachment
	// Fields holds every top-level string field of the response, including
	// headers without a field of their own (X-Mailgun-Template-Name, ...).
	Fields map[string]string
}

// Header is one MIME header.
type Header struct{ Name, Value string }

// StoredAttachment locates one file of a stored message.
type StoredAttachment struct {
	URL         string `json:"url"`
	ContentType string `json:"content-type"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
}

// DecodeBody decodes the response: it must be a JSON object. Inside it,
// the list rule holds (lenient.go): a field of an unexpected type is
// dropped, and so is a header that is not a [name, value] pair; an
// attachment keeps its other fields when one has an unexpected type.
func (m *StoredMessage) DecodeBody(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		return errors.New("stored message is null")
	}
	*m = StoredMessage{Fields: map[string]string{}}
	for k, v := range raw {
		if s, err := stringOrNull(v); err == nil {
			m.Fields[k] = s
		}
	}
	str := func(k string) string { return m.Fields[k] }
	m.From, m.To, m.Subject, m.MessageID = str("From"), str("To"), str("Subject"), str("Message-Id")
	m.Sender = str("sender")
	m.BodyPlain, m.BodyHTML = str("body-plain"), str("body-html")
	m.StrippedText, m.StrippedHTML, m.StrippedSignature = str("stripped-text"), str("stripped-html"), str("stripped-signature")
	m.Recipients = splitAddresses(str("recipients"))
	// A member of an unexpected type fails its decoding and is left out.
	var headers lenientList[headerPair]
	if json.Unmarshal(raw["message-headers"], &headers) == nil {
		for _, h := range headers {
			m.Headers = append(m.Headers, Header(h))
		}
	}
	var files lenientList[StoredAttachment]
	if json.Unmarshal(raw["attachments"], &files) == nil && len(files) > 0 {
		m.Attachments = files
	}
	var cids lenient[map[string]StoredAttachment]
	if json.Unmarshal(raw["content-id-map"], &cids) == nil && len(cids.V) > 0 {
		m.ContentIDMap = cids.V
	}
	return nil
}

// headerPair is one ["name", "value"] of message-headers. Anything else
// is an error, which the list rule reads as no header.
type headerPair Header

func (p *headerPair) UnmarshalJSON(raw []byte) error {
	var kv []string
	if err := json.Unmarshal(raw, &kv); err != nil {
		return err
	}
	if len(kv) != 2 {
		return fmt.Errorf("header: %d strings, not a name and a value", len(kv))
	}
	*p = headerPair{Name: kv[0], Value: kv[1]}
	return nil
}

// Header returns the value of the first header named name (case
// insensitive), or "" when there is none.
func (m *StoredMessage) Header(name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// GetStored fetches a stored message, decoded (GET
// /v3/domains/{domain}/messages/{key}, or its storage URL). It returns an
// error matching ErrNotFound when the message is unknown or no longer
// kept (about 3 days, or the domain's message TTL).
func (s *MessagesService) GetStored(ctx context.Context, ref StoredRef) (*StoredMessage, error) {
	r, err := ref.request(http.MethodGet)
	if err != nil {
		return nil, err
	}
	var m StoredMessage
	if err := s.client.do(ctx, r, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// storedMIME is the answer to a stored message asked for as MIME.
type storedMIME struct{ mime []byte }

func (w *storedMIME) DecodeBody(b []byte) error {
	var v struct {
		MIME *string `json:"body-mime"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.MIME == nil {
		return errors.New("stored message has no body-mime")
	}
	w.mime = []byte(*v.MIME)
	return nil
}

// GetStoredMIME fetches a stored message as its raw RFC 2822 MIME (the
// same call with Accept: message/rfc2822; Mailgun answers the MIME in the
// body-mime field). The result can be sent again with SendMIME. Errors are
// as for GetStored; a message larger than the response limit (32 MiB) is
// an error matching ErrInvalidResponse.
func (s *MessagesService) GetStoredMIME(ctx context.Context, ref StoredRef) ([]byte, error) {
	r, err := ref.request(http.MethodGet)
	if err != nil {
		return nil, err
	}
	r.Accept = "message/rfc2822"
	var w storedMIME
	if err := s.client.do(ctx, r, &w); err != nil {
		return nil, err
	}
	return w.mime, nil
}

// Resend sends a stored message again to new recipients (POST to its
// storage path with "to"; at least one, at most MaxRecipients). A message
// that is unknown or no longer kept is ErrNotFound. It is retried only on
// 420/429 or when nothing was sent; a failure after sending began is a
// *SendError, which may match ErrOutcomeUnknown.
func (s *MessagesService) Resend(ctx context.Context, ref StoredRef, to []string) (*SendResult, error) {
	fields, err := recipientFields(to)
	if err != nil {
		return nil, err
	}
	r, err := ref.request(http.MethodPost)
	if err != nil {
		return nil, err
	}
	r.Body = doer.FormFields(fields)
	return s.post(ctx, r, "")
}

// Multipart is a multipart/form-data body for Client.Do, for endpoints the
// SDK does not wrap: Fields (keys sorted, each value as its own part),
// then Files in order, streamed from their contents as the request is
// sent. It is retried under the same rules as Send's attachments.
type Multipart struct {
	Fields url.Values
	Files  []FormFile
}

// FormFile is one file part of a Multipart body.
type FormFile struct {
	// Field is the form field, such as "file" or "attachment".
	Field string
	Attachment
}

// body checks m and returns it as a streamed body.
func (m *Multipart) body() (doer.Body, error) {
	var fields []doer.Field
	for _, k := range slices.Sorted(maps.Keys(m.Fields)) {
		for _, v := range m.Fields[k] {
			fields = append(fields, doer.Field{Name: k, Value: v})
		}
	}
	files := make([]doer.File, len(m.Files))
	for i, f := range m.Files {
		if _, err := f.check(); err != nil {
			return nil, err
		}
		files[i] = f.file(f.Field)
	}
	b, err := doer.NewMultipart(fields, files)
	if err != nil {
		return nil, invalidArg("%s", err)
	}
	return b, nil
}
