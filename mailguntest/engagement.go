package mailguntest

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mgkit/mailgun"
)

// Opens and clicks: on demand (Open, Click) or by recipient rule, and only
// when Mailgun would see them (tracking on, HTML for the open pixel).

// The engagement the fake reports for opens and clicks.
var (
	engagementIP  = "203.0.113.10"
	engagementGeo = mailgun.Geolocation{Country: "US", Region: "CA", City: "San Francisco"}
	engagementUA  = mailgun.ClientInfo{
		ClientType: "browser", ClientOS: "Linux", ClientName: "Chrome", DeviceType: "desktop",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
	}
)

// Errors of Open and Click.
var (
	// ErrMessageNotFound means no accepted message has the id.
	ErrMessageNotFound = errors.New("mailguntest: no message with this id")
	// ErrNotTracked means the message's opens or clicks are not tracked,
	// so Mailgun could not see them.
	ErrNotTracked = errors.New("mailguntest: not tracked")
	// ErrNotDelivered means the message was not (yet) delivered to the
	// recipient, or was sent in test mode.
	ErrNotDelivered = errors.New("mailguntest: not delivered")
)

// Open records that recipients opened the message with id messageID (as
// the send answered it, with or without angle brackets): an opened event
// each, with its webhooks. Without recipients, every recipient it was
// delivered to opens it. Opens are tracked when the message has HTML (or
// a template) for the pixel and says so (o:tracking-opens, else
// o:tracking) or, when it says nothing, when the domain's open tracking is
// on (see SetTrackingSettings); otherwise Open returns ErrNotTracked. It returns ErrMessageNotFound for an unknown id
// and ErrNotDelivered when a recipient has not had it delivered (test-mode
// messages never are). Nothing is recorded when it fails.
func (s *Server) Open(messageID string, recipients ...string) error {
	return s.engage(messageID, mailgun.EventOpened, "", recipients)
}

// Click records that recipients clicked url in the message with id
// messageID, as Open records opens. Clicks are tracked when the message
// says so (o:tracking-clicks, else o:tracking: yes, or htmlonly for a
// message with HTML) or, when it says nothing, by the domain's click
// tracking. The errors are Open's.
func (s *Server) Click(messageID, url string, recipients ...string) error {
	return s.engage(messageID, mailgun.EventClicked, url, recipients)
}

func (s *Server) engage(messageID string, name mailgun.EventName, url string, recipients []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages.store.find(messageID)
	if !ok {
		return fmt.Errorf("%w: %q", ErrMessageNotFound, messageID)
	}
	if !s.trackedLocked(m, name) {
		return fmt.Errorf("%w: %s events of message %s are not tracked: send it with o:tracking-%ss=yes (or o:tracking=yes), or turn on the domain's %s tracking",
			ErrNotTracked, name, m.msg.ID, strings.TrimSuffix(string(name), "ed"), strings.TrimSuffix(string(name), "ed"))
	}
	var targets []*recipientState
	for _, r := range m.recipients {
		named := len(recipients) == 0 || slices.ContainsFunc(recipients, func(a string) bool { return strings.EqualFold(a, r.address) })
		if !named {
			continue
		}
		if r.state != DeliveryDelivered || m.msg.TestMode {
			if len(recipients) > 0 {
				return fmt.Errorf("%w: message %s to %s", ErrNotDelivered, m.msg.ID, r.address)
			}
			continue
		}
		targets = append(targets, r)
	}
	for _, a := range recipients {
		if !slices.ContainsFunc(m.recipients, func(r *recipientState) bool { return strings.EqualFold(a, r.address) }) {
			return fmt.Errorf("%w: %s is not a recipient of message %s", ErrNotDelivered, a, m.msg.ID)
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("%w: message %s was delivered to no one yet", ErrNotDelivered, m.msg.ID)
	}
	for _, r := range targets {
		if err := s.engageLocked(m, r, name, url); err != nil {
			return err
		}
	}
	return nil
}

// engageLocked logs an open or click of m by r, if it is tracked.
func (s *Server) engageLocked(m *storedMessage, r *recipientState, name mailgun.EventName, url string) error {
	if !s.trackedLocked(m, name) {
		return ErrNotTracked
	}
	geo, ua := engagementGeo, engagementUA
	e := mailgun.Event{
		Event:           name,
		Recipient:       r.address,
		RecipientDomain: recipientDomain(r.address),
		Tags:            slices.Clone(m.msg.Tags),
		UserVariables:   userVariablesJSON(m.msg.UserVariables),
		Message:         &mailgun.EventMessage{Headers: mailgun.MessageHeaders{MessageID: m.msg.ID}},
		IP:              engagementIP,
		Geolocation:     &geo,
		ClientInfo:      &ua,
		URL:             url,
	}
	s.logEventLocked(m.msg.Domain, e)
	return nil
}

// trackedLocked reports whether Mailgun would see opens (or clicks) of m:
// the message's own option wins over the domain's setting. Opens are seen
// through a pixel in the HTML, so a message without HTML has none.
func (s *Server) trackedLocked(m *storedMessage, name mailgun.EventName) bool {
	hasHTML := m.html != "" || m.msg.Template != ""
	if name == mailgun.EventOpened && !hasHTML {
		return false
	}
	opt := "tracking-opens"
	if name == mailgun.EventClicked {
		opt = "tracking-clicks"
	}
	v, set := m.msg.Options[opt]
	if !set {
		v, set = m.msg.Options["tracking"]
	}
	if !set {
		t := s.domainTracking(m.msg.Domain)
		if name == mailgun.EventOpened {
			return t.Open.Active
		}
		v = t.Click.Active.String()
	}
	if strings.EqualFold(v, "htmlonly") {
		return hasHTML
	}
	on, _ := parseFormBool(v)
	return on
}
