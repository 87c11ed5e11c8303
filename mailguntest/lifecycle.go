package mailguntest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/doer"
)

// The lifecycle of an accepted message, as plain functions over the
// server's state: each recipient gets an accepted event at once, then one
// delivery attempt after Timing.Delivery (at o:deliverytime for scheduled
// sends). An attempt checks the suppression lists, then the recipient
// rules, and ends delivered, failed for good, or failed for now with a
// retry scheduled. Every event goes to the event log (so Events, Logs,
// Metrics and Stats see it) and to the webhooks registered for its type.

// Timing sets how long the simulated steps take, by the server's clock.
type Timing struct {
	// Delivery is the wait from acceptance to the first delivery attempt.
	Delivery time.Duration
	// DeliveryRetries are the waits after each temporary failure; after
	// the last one a message that fails again fails permanently with
	// reason "old". Nil means the default; empty means no retries.
	DeliveryRetries []time.Duration
	// WebhookRetries are the waits before each new POST of a webhook the
	// receiver did not take (any answer but 2xx and 406, or no answer).
	// Nil means the default; empty means no retries.
	WebhookRetries []time.Duration
}

// timeScale compresses Mailgun's schedules: five minutes become a second.
const timeScale = 300

// MailgunTiming returns Mailgun's own schedules, for a manual Clock.
// Delivery retries of a temporary failure come 10 min, 15 min, 30 min,
// 1 h, 2 h and 4 h apart (about 8 hours; then the message fails with
// reason "old"), as Mailgun's help center documents ("Will Mailgun retry
// my failed messages?"). Webhook retries come 10 min, 10 min, 15 min,
// 30 min, 1 h, 2 h and 4 h apart, the schedule of Mailgun's webhook
// documentation (api/general.md §8; a newer manual page lists 5 min,
// 10 min, 15 min, 1 h, 2 h and 4 h).
func MailgunTiming() Timing {
	m := time.Minute
	return Timing{
		DeliveryRetries: []time.Duration{10 * m, 15 * m, 30 * m, 60 * m, 120 * m, 240 * m},
		WebhookRetries:  []time.Duration{10 * m, 10 * m, 15 * m, 30 * m, 60 * m, 120 * m, 240 * m},
	}
}

// DefaultTiming returns the server's default: immediate delivery, and
// MailgunTiming's retry schedules compressed 300 times (five minutes
// become a second), so delivery retries come after 2, 3, 6, 12, 24 and
// 48 seconds and webhook retries after 2, 2, 3, 6, 12, 24 and 48 seconds.
func DefaultTiming() Timing {
	t := MailgunTiming()
	for _, d := range [][]time.Duration{t.DeliveryRetries, t.WebhookRetries} {
		for i := range d {
			d[i] /= timeScale
		}
	}
	return t
}

// WithTiming sets the lifecycle's waits (see Timing); nil schedules keep
// DefaultTiming's.
func WithTiming(t Timing) Option {
	return func(s *Server) {
		def := DefaultTiming()
		if t.DeliveryRetries == nil {
			t.DeliveryRetries = def.DeliveryRetries
		}
		if t.WebhookRetries == nil {
			t.WebhookRetries = def.WebhookRetries
		}
		s.messages.lifecycle.timing = &t
	}
}

// WithManualClock makes the server read the time from c and run its
// scheduled actions (deliveries, retries, webhook POSTs, scheduled sends)
// only when c.Advance or c.Set passes their time, inside that call. It
// replaces WithClock. Without it, the lifecycle runs in the background by
// the server's clock: promptly (a message is delivered within
// milliseconds), and a delayed action runs when time.Now, or the function
// given to WithClock, reaches its time.
func WithManualClock(c *Clock) Option {
	return func(s *Server) {
		s.now = c.Now
		s.messages.lifecycle.clock = c
	}
}

// lifecycleState is the scheduler and the rules of the lifecycle.
type lifecycleState struct {
	clock  *Clock          // WithManualClock; nil otherwise
	real   *realScheduler  // the background scheduler when clock is nil
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	timing *Timing
	rules  map[string]RecipientRule // by lower-case address or "*@domain"; guarded by Server.mu

	detached sync.WaitGroup // scheduleDetachedAt actions running; Close waits for them
	stopped  bool           // Close began: nothing more is detached; guarded by Server.mu
}

// startLifecycle prepares the scheduler once the options have run.
func (s *Server) startLifecycle() {
	l := &s.messages.lifecycle
	if l.timing == nil {
		t := DefaultTiming()
		l.timing = &t
	}
	if l.clock != nil {
		l.ctx, l.cancel = context.WithCancel(context.Background())
		return
	}
	l.real = newRealScheduler(s.now, isWallClock(s.now))
	l.ctx = l.real.ctx
}

// stopLifecycle drops pending actions, cancels those in flight and waits
// for them.
func (s *Server) stopLifecycle() {
	l := &s.messages.lifecycle
	s.mu.Lock()
	l.stopped = true
	s.mu.Unlock()
	if l.real != nil {
		l.real.close()
	} else if l.cancel != nil {
		l.cancel()
	}
	l.detached.Wait()
}

// isWallClock reports whether now is time.Now itself.
func isWallClock(now func() time.Time) bool {
	return reflect.ValueOf(now).Pointer() == reflect.ValueOf(time.Now).Pointer()
}

// scheduleAt runs f at t by the server's clock, unless the server closed
// first; ctx ends when the server closes. It never calls f inline, so it
// may be called with s.mu held.
func (s *Server) scheduleAt(t time.Time, f func(ctx context.Context)) {
	l := &s.messages.lifecycle
	ctx := l.ctx
	run := func() {
		if ctx.Err() == nil {
			f(ctx)
		}
	}
	l.scheduler().schedule(t, run)
}

func (l *lifecycleState) scheduler() scheduler {
	if l.clock != nil {
		return l.clock
	}
	return l.real
}

// scheduleDetachedAt is scheduleAt for a slow f (a webhook POST): f runs
// on a goroutine of its own, so it holds up no other action. Close
// cancels ctx and waits for f; a manual clock waits for f before its next
// action, so Advance returns after it.
func (s *Server) scheduleDetachedAt(t time.Time, f func(ctx context.Context)) {
	l := &s.messages.lifecycle
	s.scheduleAt(t, func(ctx context.Context) {
		s.mu.Lock()
		if l.stopped {
			s.mu.Unlock()
			return
		}
		l.detached.Add(1)
		s.mu.Unlock()
		l.scheduler().spawn(func() {
			defer l.detached.Done()
			f(ctx)
		})
	})
}

// RecipientRule scripts what happens to deliveries to a recipient; see
// SetRecipientRule. The zero rule delivers.
type RecipientRule struct {
	// TemporaryFailures is how many attempts fail temporarily (451) before
	// the outcome below; each is retried after Timing.DeliveryRetries. Past
	// the schedule's end the message fails permanently with reason "old".
	TemporaryFailures int
	// Bounce makes the final attempt a hard bounce: a permanent failure
	// with reason "bounce", after which the address is on the domain's
	// bounce list (unless allowlisted), as Mailgun does.
	Bounce bool
	// BounceCode and BounceMessage are the SMTP answer of the bounce;
	// 550 and a "no such user" text when zero.
	BounceCode    int
	BounceMessage string
	// Opens and Clicks are the recipient's engagement right after
	// delivery: that many opens, and a click on each URL. They happen only
	// when the message's opens or clicks are tracked (see Open).
	Opens  int
	Clicks []string
}

// SetRecipientRule makes deliveries to pattern follow rule: pattern is an
// address (case does not matter) or "*@domain" for every address at a
// domain; an exact address wins over its domain. The rule applies to
// deliveries whose first attempt comes after the call. A zero rule
// removes the pattern's rule.
func (s *Server) SetRecipientRule(pattern string, rule RecipientRule) {
	key := strings.ToLower(strings.TrimSpace(pattern))
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &s.messages.lifecycle
	if reflect.ValueOf(rule).IsZero() {
		delete(l.rules, key)
		return
	}
	if l.rules == nil {
		l.rules = map[string]RecipientRule{}
	}
	rule.Clicks = slices.Clone(rule.Clicks)
	l.rules[key] = rule
}

// ruleLocked returns the rule for address, or nil.
func (s *Server) ruleLocked(address string) *RecipientRule {
	rules := s.messages.lifecycle.rules
	addr := strings.ToLower(address)
	if r, ok := rules[addr]; ok {
		return &r
	}
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		if r, ok := rules["*"+addr[i:]]; ok {
			return &r
		}
	}
	return nil
}

// suppression is why a recipient is not delivered to: the failed event's
// reason and the code Mailgun reports.
type suppression struct {
	reason      string
	code        int
	description string
}

// The suppression reasons, in the order they are checked.
var suppressedBounce = suppression{mailgun.ReasonSuppressBounce, 605, "Not delivering to previously bounced address"}

// The unsubscribe and complaint lists use these at the merge hook of
// suppressionLocked.
var (
	suppressedUnsubscribe = suppression{mailgun.ReasonSuppressUnsubscribe, 606, "Not delivering to unsubscribed address"}
	suppressedComplaint   = suppression{mailgun.ReasonSuppressComplaint, 607, "Not delivering to a user who marked your messages as spam"}
)

// suppressionLocked is the one check made before each first delivery
// attempt: is address on one of domain's suppression lists? The bounce
// list is checked first, then the unsubscribe list (an unsubscribe from
// "*", or from one of tags, the message's tags), then the complaint list.
func (s *Server) suppressionLocked(domain, address string, tags []string) (suppression, bool) {
	switch {
	case s.isBouncedLocked(domain, address):
		return suppressedBounce, true
	case s.isUnsubscribedLocked(domain, address, tags):
		return suppressedUnsubscribe, true
	case s.isComplainedLocked(domain, address):
		return suppressedComplaint, true
	}
	return suppression{}, false
}

// renderTemplateLocked renders the template of send m on domain (version
// m.TemplateVersion, the active one when empty) with m.TemplateVariables,
// and returns its HTML and its plain-text rendering. The template's
// From, Subject and Reply-To apply where the message sets none, as the API
// does. It fails when there is no such template or version, or it does
// not render.
func (s *Server) renderTemplateLocked(domain string, m *Message) (text, html string, err error) {
	r, err := s.renderStoredTemplateLocked(domain, m.Template, m.TemplateVersion, m.TemplateVariables)
	if err != nil {
		return "", "", err
	}
	if m.From == "" {
		m.From = r.Headers.From
	}
	if m.Subject == "" {
		m.Subject = r.Headers.Subject
	}
	if r.Headers.ReplyTo != "" && m.Headers.Get("Reply-To") == "" {
		if m.Headers == nil {
			m.Headers = http.Header{}
		}
		m.Headers.Set("Reply-To", r.Headers.ReplyTo)
	}
	return r.Text, r.HTML, nil
}

// acceptLocked stores m, logs an accepted event per recipient and
// schedules the first delivery attempts.
func (s *Server) acceptLocked(m *storedMessage) {
	s.messages.store.add(m)
	at := m.msg.AcceptedAt.Add(s.messages.lifecycle.timing.Delivery)
	if m.msg.ScheduledFor.After(at) {
		at = m.msg.ScheduledFor
	}
	for _, r := range m.recipients {
		e := s.messageEvent(m, r.address, mailgun.EventAccepted)
		e.Method = "http"
		e.OriginatingIP = m.remoteIP
		e.Message.Recipients = []string{r.address}
		if !m.msg.ScheduledFor.IsZero() {
			e.Message.ScheduledFor = m.scheduled
		}
		e.Envelope = &mailgun.EventEnvelope{Sender: m.sender, Transport: "smtp", Targets: r.address}
		e.Flags = &mailgun.EventFlags{IsAuthenticated: ptr(true), IsTestMode: ptr(m.msg.TestMode)}
		s.logEventLocked(m.msg.Domain, e)
		s.scheduleAttempt(at, m, r)
	}
}

func (s *Server) scheduleAttempt(at time.Time, m *storedMessage, r *recipientState) {
	s.scheduleAt(at, func(context.Context) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.attemptLocked(m, r)
	})
}

// attemptLocked makes one delivery attempt to r.
func (s *Server) attemptLocked(m *storedMessage, r *recipientState) {
	if r.state != DeliveryQueued {
		return
	}
	r.attempts++
	domain := m.msg.Domain
	if r.attempts == 1 {
		if sup, ok := s.suppressionLocked(domain, r.address, m.msg.Tags); ok {
			e := s.deliveryEvent(m, r, mailgun.EventFailed)
			e.Severity, e.Reason = mailgun.SeverityPermanent, sup.reason
			e.Envelope.SendingIP = ""
			e.DeliveryStatus = &mailgun.DeliveryStatus{Code: sup.code, Description: sup.description, AttemptNo: 1}
			s.finishLocked(m, r, DeliveryFailed, e)
			return
		}
		r.rule = s.ruleLocked(r.address)
	}
	if m.msg.TestMode {
		// Mailgun logs test-mode messages as delivered without sending them.
		e := s.deliveryEvent(m, r, mailgun.EventDelivered)
		e.DeliveryStatus = &mailgun.DeliveryStatus{Code: 250, Message: "OK", AttemptNo: r.attempts}
		s.finishLocked(m, r, DeliveryDelivered, e)
		return
	}
	rule := r.rule
	if rule == nil {
		rule = &RecipientRule{}
	}
	retries := s.messages.lifecycle.timing.DeliveryRetries
	switch {
	case r.attempts <= rule.TemporaryFailures && r.attempts <= len(retries):
		wait := retries[r.attempts-1]
		e := s.deliveryEvent(m, r, mailgun.EventFailed)
		e.Severity, e.Reason = mailgun.SeverityTemporary, mailgun.ReasonGeneric
		e.DeliveryStatus = smtpStatus(r, 451, "4.2.0", "4.2.0 Mailbox temporarily unavailable, try again later")
		e.DeliveryStatus.RetrySeconds = int(wait / time.Second)
		s.logEventLocked(domain, e)
		s.scheduleAttempt(s.now().Add(wait), m, r)
	case r.attempts <= rule.TemporaryFailures:
		e := s.deliveryEvent(m, r, mailgun.EventFailed)
		e.Severity, e.Reason = mailgun.SeverityPermanent, mailgun.ReasonOld
		e.DeliveryStatus = &mailgun.DeliveryStatus{Code: 602, AttemptNo: r.attempts, LastCode: 451,
			LastMessage: "4.2.0 Mailbox temporarily unavailable, try again later", BounceType: "soft"}
		s.finishLocked(m, r, DeliveryFailed, e)
	case rule.Bounce:
		code, text := rule.BounceCode, rule.BounceMessage
		if code == 0 {
			code = 550
		}
		if text == "" {
			text = "5.1.1 The email account that you tried to reach does not exist"
		}
		e := s.deliveryEvent(m, r, mailgun.EventFailed)
		e.Severity, e.Reason = mailgun.SeverityPermanent, mailgun.ReasonBounce
		e.DeliveryStatus = smtpStatus(r, code, enhancedCode(code, text), text)
		e.DeliveryStatus.BounceType = "hard"
		s.finishLocked(m, r, DeliveryFailed, e)
		if !s.allowlistedLocked(domain, r.address) {
			s.bounces.lists.of(domain, true).put(r.address, mailgun.Bounce{
				Address: r.address, Code: fmt.Sprint(code), Error: text, CreatedAt: s.now(),
			})
		}
	default:
		e := s.deliveryEvent(m, r, mailgun.EventDelivered)
		e.DeliveryStatus = smtpStatus(r, 250, "", "OK")
		s.finishLocked(m, r, DeliveryDelivered, e)
		for range rule.Opens {
			_ = s.engageLocked(m, r, mailgun.EventOpened, "")
		}
		for _, u := range rule.Clicks {
			_ = s.engageLocked(m, r, mailgun.EventClicked, u)
		}
	}
}

// finishLocked ends r's delivery in state with the event e.
func (s *Server) finishLocked(m *storedMessage, r *recipientState, state DeliveryState, e mailgun.Event) {
	r.state = state
	s.logEventLocked(m.msg.Domain, e)
}

// smtpStatus is the delivery status of an SMTP answer to attempt r.
func smtpStatus(r *recipientState, code int, enhanced, message string) *mailgun.DeliveryStatus {
	return &mailgun.DeliveryStatus{
		Code: code, EnhancedCode: enhanced, Message: message, AttemptNo: r.attempts,
		MXHost: "mx." + recipientDomain(r.address), SessionSeconds: 0.1,
		TLS: ptr(true), UTF8: ptr(true), CertificateVerified: ptr(true),
	}
}

// enhancedCode takes the enhanced status code from the start of an SMTP
// text ("5.1.1 ..."), or "" when it has none or it contradicts code.
func enhancedCode(code int, text string) string {
	first, _, _ := strings.Cut(text, " ")
	if len(first) >= 5 && first[1] == '.' && first[0] == byte('0'+code/100) {
		return first
	}
	return ""
}

func recipientDomain(address string) string {
	_, d, _ := strings.Cut(address, "@")
	return strings.ToLower(d)
}

func ptr[T any](v T) *T { return &v }

// messageEvent returns an event about m for recipient, with the fields
// every event of a message carries.
func (s *Server) messageEvent(m *storedMessage, recipient string, name mailgun.EventName) mailgun.Event {
	to := m.headerTo
	if m.msg.RecipientVariables != nil {
		to = recipient // batch sends give each recipient a copy of their own
	}
	e := mailgun.Event{
		Event:         name,
		Recipient:     recipient,
		Tags:          slices.Clone(m.msg.Tags),
		UserVariables: userVariablesJSON(m.msg.UserVariables),
		Message: &mailgun.EventMessage{
			Headers: mailgun.MessageHeaders{To: to, From: m.msg.From, MessageID: m.msg.ID, Subject: m.msg.Subject},
			Size:    int64(len(m.body)) + int64(headerSize(m.headers)),
		},
		Storage: &mailgun.EventStorage{Key: m.msg.StorageKey, URL: s.storageURL(m)},
	}
	for _, a := range append(slices.Clip(m.msg.Attachments), m.msg.Inline...) {
		e.Message.Attachments = append(e.Message.Attachments, mailgun.EventAttachment{Filename: a.Filename, ContentType: a.ContentType, Size: int64(len(a.Data))})
	}
	if m.msg.Template != "" {
		e.Template = &mailgun.EventTemplate{Name: m.msg.Template, Version: m.msg.TemplateVersion}
		if m.msg.TemplateText {
			e.Template.IsText = ptr(true)
		}
	}
	return e
}

// deliveryEvent is a delivered or failed event of an attempt to r.
func (s *Server) deliveryEvent(m *storedMessage, r *recipientState, name mailgun.EventName) mailgun.Event {
	e := s.messageEvent(m, r.address, name)
	e.RecipientProvider = "Other"
	e.Envelope = &mailgun.EventEnvelope{Sender: m.sender, Transport: "smtp", Targets: r.address, SendingIP: sendingIP(m), IPPoolID: m.msg.Options["sending-ip-pool"]}
	e.Flags = &mailgun.EventFlags{IsRouted: ptr(false), IsAuthenticated: ptr(true), IsSystemTest: ptr(false), IsTestMode: ptr(m.msg.TestMode)}
	e.Storage.Region, e.Storage.Env = "mailguntest", "test"
	return e
}

// defaultSendingIP is the IP the fake sends from unless o:sending-ip names one.
const defaultSendingIP = "198.51.100.1"

func sendingIP(m *storedMessage) string {
	if ip := m.msg.Options["sending-ip"]; ip != "" {
		return ip
	}
	return defaultSendingIP
}

// userVariablesJSON encodes user variables as events carry them: an
// object, {} when there are none.
func userVariablesJSON(v map[string]string) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage(`{}`)
	}
	b, _ := json.Marshal(v)
	return b
}

func headerSize(h [][2]string) int {
	n := 2
	for _, kv := range h {
		n += len(kv[0]) + len(kv[1]) + 4
	}
	return n
}

// storageURL is where the stored copy of m is fetched.
func (s *Server) storageURL(m *storedMessage) string {
	return s.URL() + "/v3/domains/" + doer.EscapeSegment(m.msg.Domain) + "/messages/" + doer.EscapeSegment(m.msg.StorageKey)
}

// logEventLocked records e in the log of domain and sends it to the
// webhooks registered for its type.
func (s *Server) logEventLocked(domain string, e mailgun.Event) {
	s.sendWebhooksLocked(domain, s.recordEventLocked(domain, e))
}
