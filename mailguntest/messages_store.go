package mailguntest

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// messagesState is everything about sent messages: the store, the
// lifecycle that delivers them, and the webhook deliveries they cause.
// Every part is guarded by Server.mu, except what the scheduler guards.
type messagesState struct {
	store     messageStore
	lifecycle lifecycleState
	webhooks  webhookDeliveryState
}

// Message is a message the server accepted, as Messages returns it: the
// fields of the send, parsed, and the state of each recipient's delivery.
type Message struct {
	// ID is the Message-Id, without angle brackets: the send's answer
	// has it with them.
	ID         string
	Domain     string
	StorageKey string
	// MIMESend is true for messages sent to messages.mime.
	MIMESend   bool
	AcceptedAt time.Time
	// ScheduledFor is the o:deliverytime; zero for an immediate send.
	ScheduledFor time.Time
	// TestMode is true for o:testmode sends, which are never delivered.
	TestMode bool

	From    string
	To      []string // one entry per address; comma-separated values are split
	Cc      []string
	Bcc     []string
	Subject string
	Text    string
	HTML    string
	AMPHTML string

	// Template is the stored template's name; TemplateVersion the
	// t:version, TemplateText the t:text=yes flag and TemplateVariables
	// the decoded t:variables.
	Template          string
	TemplateVersion   string
	TemplateText      bool
	TemplateVariables map[string]any
	// TemplateError says why the template did not render (no such
	// template or version, or one the fake's renderer cannot render); the
	// send is accepted all the same, as Mailgun renders when it delivers,
	// and the stored body lacks the template's part. Empty otherwise.
	TemplateError string
	// UserVariables are the v: fields and the X-Mailgun-Variables header,
	// as the events carry them in user-variables: a JSON value other than
	// a string as its JSON text. The stored X-Mailgun-Variables header and
	// a template without t:variables see the JSON values themselves.
	UserVariables map[string]string
	// Headers are the h: fields.
	Headers http.Header
	Tags    []string
	// Options are the o: fields other than o:tag, keyed without "o:".
	Options map[string]string
	// RecipientVariables is the decoded recipient-variables object.
	RecipientVariables map[string]map[string]any

	Attachments []Attachment
	Inline      []Attachment
	// MIME is the message as stored: the uploaded MIME of a messages.mime
	// send, the MIME built from the fields otherwise; for a batch send,
	// before each recipient's values replace %recipient.key% (see
	// Recipient).
	MIME []byte
	// Form holds every text field of the request as received.
	Form url.Values

	// Recipients are the envelope recipients with their delivery state.
	Recipients []Recipient
}

// Attachment is a file part of a send: an attachment or an inline image.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Recipient is one envelope recipient and how its delivery went so far.
type Recipient struct {
	Address string
	State   DeliveryState
	// Attempts counts delivery attempts, temporary failures included.
	Attempts int
	// Subject, Text and HTML are the parts of the copy this recipient
	// gets: the message's, and for a batch send (recipient-variables)
	// with %recipient.key% replaced by the recipient's values (a key it
	// lacks stays as written) and a template rendered with them under
	// "recipient". A templated send's parts are rendered; those of a
	// messages.mime send are the uploaded ones.
	Subject, Text, HTML string
}

// DeliveryState is where a recipient's delivery stands.
type DeliveryState string

// The delivery states.
const (
	// DeliveryQueued is a delivery accepted and not yet delivered or failed
	// for good: scheduled, or retrying after temporary failures.
	DeliveryQueued DeliveryState = "queued"
	// DeliveryDelivered is a delivered one (in test mode: logged as
	// delivered).
	DeliveryDelivered DeliveryState = "delivered"
	// DeliveryFailed is one that failed permanently: suppressed, bounced,
	// or out of retries.
	DeliveryFailed DeliveryState = "failed"
)

// storedMessage is a message as the server keeps it.
type storedMessage struct {
	msg        Message
	headers    [][2]string // the MIME header, in order
	body       []byte      // the MIME after the header
	text, html string      // the body parts as stored (a template's rendering)
	sender     string      // envelope sender address
	headerTo   string      // the To header, for events
	recipients []*recipientState
	remoteIP   string
	scheduled  string // o:deliverytime as sent
}

// recipientState is the delivery of one envelope recipient.
type recipientState struct {
	address             string
	state               DeliveryState
	attempts            int
	rule                *RecipientRule // fixed at the first attempt
	subject, text, html string         // the recipient's copy (batch.go)
}

// messageStore keeps the accepted messages, newest last.
type messageStore struct {
	list  []*storedMessage
	byID  map[string]*storedMessage // latest message with each id
	byKey map[string]*storedMessage
	seq   int64
}

func (st *messageStore) add(m *storedMessage) {
	if st.byID == nil {
		st.byID, st.byKey = map[string]*storedMessage{}, map[string]*storedMessage{}
	}
	st.list = append(st.list, m)
	st.byID[m.msg.ID] = m
	st.byKey[m.msg.StorageKey] = m
}

// find returns the message with id, with or without angle brackets.
func (st *messageStore) find(id string) (*storedMessage, bool) {
	m, ok := st.byID[strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")]
	return m, ok
}

// mime renders the stored MIME: the header, a blank line, the body.
func (m *storedMessage) mime() []byte {
	var b strings.Builder
	for _, h := range m.headers {
		b.WriteString(h[0])
		b.WriteString(": ")
		b.WriteString(h[1])
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	b.Write(m.body)
	return []byte(b.String())
}

// header returns the first value of the MIME header name.
func (m *storedMessage) header(name string) string {
	for _, h := range m.headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// snapshot returns a deep copy of the message with its current states.
func (m *storedMessage) snapshot() Message {
	out := m.msg
	out.To, out.Cc, out.Bcc, out.Tags = slices.Clone(m.msg.To), slices.Clone(m.msg.Cc), slices.Clone(m.msg.Bcc), slices.Clone(m.msg.Tags)
	out.TemplateVariables = cloneJSONMap(m.msg.TemplateVariables)
	out.UserVariables = maps.Clone(m.msg.UserVariables)
	out.Headers = m.msg.Headers.Clone()
	out.Options = maps.Clone(m.msg.Options)
	if m.msg.RecipientVariables != nil {
		out.RecipientVariables = make(map[string]map[string]any, len(m.msg.RecipientVariables))
		for k, v := range m.msg.RecipientVariables {
			out.RecipientVariables[k] = cloneJSONMap(v)
		}
	}
	out.Attachments, out.Inline = cloneAttachments(m.msg.Attachments), cloneAttachments(m.msg.Inline)
	out.MIME = m.mime()
	out.Form = cloneValues(m.msg.Form)
	out.Recipients = make([]Recipient, len(m.recipients))
	for i, r := range m.recipients {
		out.Recipients[i] = Recipient{Address: r.address, State: r.state, Attempts: r.attempts, Subject: r.subject, Text: r.text, HTML: r.html}
	}
	return out
}

// cloneJSONMap deep-copies a decoded JSON object.
func cloneJSONMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func cloneAttachments(as []Attachment) []Attachment {
	out := slices.Clone(as)
	for i := range out {
		out[i].Data = slices.Clone(out[i].Data)
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// Messages returns the messages the server accepted for domain, oldest
// first, with their parsed fields and the delivery state of each
// recipient at the time of the call. It is empty for a domain that sent
// nothing. The values are copies.
func (s *Server) Messages(domain string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages.store.list {
		if strings.EqualFold(m.msg.Domain, domain) {
			out = append(out, m.snapshot())
		}
	}
	return out
}

// Message returns the accepted message whose Message-Id is id (with or
// without angle brackets, as the send answered it); ok is false when there
// is none. When a custom h:Message-Id was used twice, the later one wins.
func (s *Server) Message(id string) (msg Message, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages.store.find(id)
	if !ok {
		return Message{}, false
	}
	return m.snapshot(), true
}
