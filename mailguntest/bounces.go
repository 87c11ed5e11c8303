package mailguntest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/timefmt"
)

// bouncesState holds every domain's bounce list.
type bouncesState struct {
	lists suppressionLists[mailgun.Bounce]
}

// maxBounceBatch is the largest JSON batch the API takes; it answers 400
// "Batch size should be less than 1000" to anything larger.
const maxBounceBatch = 999

// defaultBounceCode is the code of a bounce added without one.
const defaultBounceCode = "550"

func (s *Server) bounceRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/{domain}/bounces", s.listBounces)
	mux.HandleFunc("POST /v3/{domain}/bounces", s.addBounces)
	mux.HandleFunc("DELETE /v3/{domain}/bounces", s.deleteAllBounces)
	mux.HandleFunc("GET /v3/{domain}/bounces/{address}", s.getBounce)
	mux.HandleFunc("DELETE /v3/{domain}/bounces/{address}", s.deleteBounce)
	mux.HandleFunc("POST /v3/{domain}/bounces/import", s.importBounces)
}

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

const bounceNotFound = "Address not found in bounces table"

func (s *Server) listBounces(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	page, err := buildSuppressionPage(r, s.bounces.lists.of(r.PathValue("domain"), false), renderBounce)
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) getBounce(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b, ok := s.bounces.lists.of(r.PathValue("domain"), false).get(suppressionPathValue(r))
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, bounceNotFound)
		return
	}
	writeJSON(w, http.StatusOK, renderBounce(b))
}

// addBounces takes one record as a form, or a JSON array of records.
func (s *Server) addBounces(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		s.addBounceBatch(w, r, domain)
		return
	}
	if err := readSuppressionForm(w, r); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	address := r.PostForm.Get("address")
	if address == "" {
		writeError(w, http.StatusBadRequest, "Missing mandatory parameter: address")
		return
	}
	b, err := s.newBounce(address, r.PostForm.Get("code"), r.PostForm.Get("error"), r.PostForm.Get("created_at"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.storeBounces(domain, true, b)
	writeJSON(w, http.StatusOK, map[string]string{"message": "Address has been added to the bounces table", "address": address})
}

func (s *Server) addBounceBatch(w http.ResponseWriter, r *http.Request, domain string) {
	var in []struct {
		Address   string          `json:"address"`
		Code      json.RawMessage `json:"code"`
		Error     string          `json:"error"`
		CreatedAt string          `json:"created_at"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSuppressionBody)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON: expected an array of bounce records")
		return
	}
	if len(in) > maxBounceBatch {
		writeError(w, http.StatusBadRequest, "Batch size should be less than 1000")
		return
	}
	batch := make([]mailgun.Bounce, 0, len(in))
	for _, rec := range in {
		code, err := bounceCode(rec.Code)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		b, err := s.newBounce(rec.Address, code, rec.Error, rec.CreatedAt)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		batch = append(batch, b)
	}
	s.storeBounces(domain, true, batch...)
	writeJSON(w, http.StatusOK, map[string]string{"message": strconv.Itoa(len(batch)) + " addresses have been added to the bounces table"})
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
	if !validSuppressionAddress(address) {
		return mailgun.Bounce{}, fmt.Errorf("'address' parameter is not a valid address: %q", address)
	}
	b := mailgun.Bounce{Address: address, Code: code, Error: errText, CreatedAt: s.now()}
	if b.Code == "" {
		b.Code = defaultBounceCode
	}
	if createdAt != "" {
		t, err := timefmt.ParseRFC2822(createdAt)
		if err != nil {
			return mailgun.Bounce{}, fmt.Errorf("'created_at' parameter is not an RFC 2822 date: %q", createdAt)
		}
		b.CreatedAt = t
	}
	return b, nil
}

// storeBounces puts bounces on domain's list. With logged, each is also
// recorded as a permanent failure in the event log, so events, stats,
// metrics and logs of the fake see it: bounces added one by one or in
// batches through the API are; seeded and CSV-imported ones (possibly
// millions of rows) are not.
func (s *Server) storeBounces(domain string, logged bool, bounces ...mailgun.Bounce) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.bounces.lists.of(domain, true)
	for _, b := range bounces {
		l.put(b.Address, b)
		if logged {
			s.recordEventLocked(domain, bounceEvent(b))
		}
	}
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

func (s *Server) deleteBounce(w http.ResponseWriter, r *http.Request) {
	address := suppressionPathValue(r)
	s.mu.Lock()
	ok := s.bounces.lists.of(r.PathValue("domain"), false).remove(address)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, bounceNotFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"address": address, "message": "Bounced address has been removed"})
}

func (s *Server) deleteAllBounces(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.bounces.lists.of(r.PathValue("domain"), false).clear()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"message": "Bounced addresses for this domain have been removed"})
}

// suppressionImportMessage is the API's answer to an accepted CSV upload.
const suppressionImportMessage = "file uploaded successfully for processing. standby..."

// importBounces reads the CSV while it arrives. Unlike the API, which
// answers first and imports later, the rows are stored before the answer,
// so a test sees them right after Import returns.
func (s *Server) importBounces(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	parse := func(row map[string]string) (mailgun.Bounce, bool) {
		b, err := s.newBounce(row["address"], row["code"], row["error"], row["created_at"])
		return b, err == nil
	}
	columns := []string{"address", "code", "error", "created_at"}
	if err := importSuppressionCSV(r, columns, columns[:1], parse, func(b []mailgun.Bounce) { s.storeBounces(domain, false, b...) }); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"message": suppressionImportMessage})
}

// AddBounces puts bounces on domain's bounce list, as if deliveries to
// them had failed, replacing records with the same address. An empty Code
// becomes "550" and a zero CreatedAt the server's current time (see
// WithClock).
func (s *Server) AddBounces(domain string, bounces ...mailgun.Bounce) {
	now := s.now()
	batch := slices.Clone(bounces)
	for i := range batch {
		if batch[i].Code == "" {
			batch[i].Code = defaultBounceCode
		}
		if batch[i].CreatedAt.IsZero() {
			batch[i].CreatedAt = now
		}
	}
	s.storeBounces(domain, false, batch...)
}

// Bounces returns domain's bounce list in the API's order (by address);
// it is empty for a domain the server has not seen.
func (s *Server) Bounces(domain string) []mailgun.Bounce {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bounces.lists.of(domain, false).values()
}
