package mailguntest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mgkit/mailgun"
)

// bouncesState holds every domain's bounce list.
type bouncesState struct {
	lists suppressionLists[mailgun.Bounce]
}

// defaultBounceCode is the code of a bounce added without one.
const defaultBounceCode = "550"

// bounceList is the bounce list's part of the shared suppression handlers.
var bounceList = &suppressionKind[mailgun.Bounce, bounceJSON]{
	name:     "bounces",
	lists:    func(s *Server) *suppressionLists[mailgun.Bounce] { return &s.bounces.lists },
	key:      func(b mailgun.Bounce) string { return b.Address },
	render:   renderBounce,
	notFound: "Address not found in bounces table",
	fromForm: func(s *Server, form url.Values) (mailgun.Bounce, error) {
		address, err := formAddress(form)
		if err != nil {
			return mailgun.Bounce{}, err
		}
		return s.newBounce(address, form.Get("code"), form.Get("error"), form.Get("created_at"))
	},
	fromRecord: func(s *Server, raw json.RawMessage) (mailgun.Bounce, error) {
		var rec struct {
			Address   string          `json:"address"`
			Code      json.RawMessage `json:"code"`
			Error     string          `json:"error"`
			CreatedAt string          `json:"created_at"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return mailgun.Bounce{}, fmt.Errorf("invalid bounce record: %s", raw)
		}
		code, err := bounceCode(rec.Code)
		if err != nil {
			return mailgun.Bounce{}, err
		}
		return s.newBounce(rec.Address, code, rec.Error, rec.CreatedAt)
	},
	// Bounces added through the API are also recorded as permanent
	// failures in the event log, so events, stats, metrics and logs of the
	// fake see them; seeded and CSV-imported ones (possibly millions of
	// rows) are not.
	onAdd: func(s *Server, domain string, b mailgun.Bounce) { s.recordEventLocked(domain, bounceEvent(b)) },
	added: func(b mailgun.Bounce) map[string]string { return addedMessage("bounces", b.Address) },
	fill: func(b *mailgun.Bounce, now time.Time) {
		b.Code = cmp.Or(b.Code, defaultBounceCode)
		b.CreatedAt = seedTime(b.CreatedAt, now)
	},

	addedN:   batchMessage("addresses", "bounces"),
	removed:  removedMessage("Bounced address has been removed"),
	cleared:  "Bounced addresses for this domain have been removed",
	columns:  []string{"address", "code", "error", "created_at"},
	required: []string{"address"},
	fromRow: func(s *Server, row map[string]string) (mailgun.Bounce, bool) {
		b, err := s.newBounce(row["address"], row["code"], row["error"], row["created_at"])
		return b, err == nil
	},
}

func (s *Server) bounceRoutes(mux *http.ServeMux) { bounceList.register(s, mux) }

// bounceJSON is a bounce as the API sends it.
type bounceJSON struct {
	Address   string `json:"address"`
	Code      string `json:"code"`
	Error     string `json:"error"`
	CreatedAt string `json:"created_at"`
}

func renderBounce(b mailgun.Bounce) bounceJSON {
	return bounceJSON{Address: b.Address, Code: b.Code, Error: b.Error, CreatedAt: suppressionTime(b.CreatedAt)}
}

// bounceCode reads a code sent as a JSON string (or, leniently, a number).
func bounceCode(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("'code' parameter must be a string: %s", raw)
}

// newBounce checks one record as the API would and fills its defaults.
func (s *Server) newBounce(address, code, errText, createdAt string) (mailgun.Bounce, error) {
	t, err := checkSuppressionRecord(s, address, createdAt)
	if err != nil {
		return mailgun.Bounce{}, err
	}
	if code == "" {
		code = defaultBounceCode
	}
	return mailgun.Bounce{Address: address, Code: code, Error: errText, CreatedAt: t}, nil
}

// bounceEvent is the failed event a bounce stands for.
func bounceEvent(b mailgun.Bounce) mailgun.Event {
	code, _ := strconv.Atoi(b.Code)
	return mailgun.Event{
		Event:          mailgun.EventFailed,
		Timestamp:      b.CreatedAt,
		Severity:       mailgun.SeverityPermanent,
		Reason:         mailgun.ReasonBounce,
		Recipient:      b.Address,
		DeliveryStatus: &mailgun.DeliveryStatus{Code: code, Message: b.Error},
	}
}

// AddBounces puts bounces on domain's bounce list, as if deliveries to
// them had failed, replacing records with the same address. An empty Code
// becomes "550" and a zero CreatedAt the server's current time (see
// WithClock).
func (s *Server) AddBounces(domain string, bounces ...mailgun.Bounce) {
	bounceList.seed(s, domain, bounces)
}

// Bounces returns domain's bounce list in the API's order (by address);
// it is empty for a domain the server has not seen.
func (s *Server) Bounces(domain string) []mailgun.Bounce { return bounceList.values(s, domain) }

// isBouncedLocked reports whether address (in any letter case) is
// on domain's bounce list. The caller holds s.mu.
func (s *Server) isBouncedLocked(domain, address string) bool {
	_, ok := s.bounces.lists.of(domain, false).lookup(address)
	return ok
}
