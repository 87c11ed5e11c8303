package mailguntest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/mgkit/mailgun"
)

// complaintsState holds every domain's complaint list.
type complaintsState struct {
	lists suppressionLists[mailgun.Complaint]
}

// complaintList is the complaint list's part of the shared suppression handlers.
var complaintList = &suppressionKind[mailgun.Complaint, complaintJSON]{
	name:     "complaints",
	lists:    func(s *Server) *suppressionLists[mailgun.Complaint] { return &s.complaints.lists },
	key:      func(c mailgun.Complaint) string { return c.Address },
	render:   renderComplaint,
	notFound: "No spam complaints found for this address",
	fromForm: func(s *Server, form url.Values) (mailgun.Complaint, error) {
		address, err := formAddress(form)
		if err != nil {
			return mailgun.Complaint{}, err
		}
		return s.newComplaint(address, form.Get("created_at"))
	},
	fromRecord: func(s *Server, raw json.RawMessage) (mailgun.Complaint, error) {
		var rec struct {
			Address   string `json:"address"`
			CreatedAt string `json:"created_at"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return mailgun.Complaint{}, fmt.Errorf("invalid complaint record: %s", raw)
		}
		return s.newComplaint(rec.Address, rec.CreatedAt)
	},
	added:    func(c mailgun.Complaint) map[string]string { return addedMessage("complaints", c.Address) },
	fill:     func(c *mailgun.Complaint, now time.Time) { c.CreatedAt = seedTime(c.CreatedAt, now) },
	addedN:   batchMessage("complaint addresses", "complaints"),
	removed:  removedMessage("Spam complaint has been removed"),
	cleared:  "Complaint addresses for this domain have been removed",
	columns:  []string{"address", "created_at"},
	required: []string{"address"},
	fromRow: func(s *Server, row map[string]string) (mailgun.Complaint, bool) {
		c, err := s.newComplaint(row["address"], row["created_at"])
		return c, err == nil
	},
}

func (s *Server) complaintRoutes(mux *http.ServeMux) { complaintList.register(s, mux) }

// complaintJSON is a complaint as the API sends it.
type complaintJSON struct {
	Address   string `json:"address"`
	CreatedAt string `json:"created_at"`
}

func renderComplaint(c mailgun.Complaint) complaintJSON {
	return complaintJSON{Address: c.Address, CreatedAt: suppressionTime(c.CreatedAt)}
}

// newComplaint checks one record as the API would and fills its defaults.
func (s *Server) newComplaint(address, createdAt string) (mailgun.Complaint, error) {
	t, err := checkSuppressionRecord(s, address, createdAt)
	if err != nil {
		return mailgun.Complaint{}, err
	}
	return mailgun.Complaint{Address: address, CreatedAt: t}, nil
}

// isComplainedLocked reports whether address (in any letter case)
// is on domain's complaint list. The caller holds s.mu.
func (s *Server) isComplainedLocked(domain, address string) bool {
	_, ok := s.complaints.lists.of(domain, false).lookup(address)
	return ok
}

// AddComplaints puts complaints on domain's complaint list, as if the
// recipients had reported its mail as spam, replacing records with the
// same address. A zero CreatedAt becomes the server's current time (see
// WithClock).
func (s *Server) AddComplaints(domain string, complaints ...mailgun.Complaint) {
	complaintList.seed(s, domain, complaints)
}

// Complaints returns domain's complaint list in the API's order (by
// address); it is empty for a domain the server has not seen.
func (s *Server) Complaints(domain string) []mailgun.Complaint {
	return complaintList.values(s, domain)
}

// Complained reports whether address (in any letter case) is on
// domain's complaint list, so Mailgun would not send to it from that
// domain.
func (s *Server) Complained(domain, address string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isComplainedLocked(domain, address)
}
