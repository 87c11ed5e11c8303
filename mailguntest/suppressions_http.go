package mailguntest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/mgkit/mailgun/internal/timefmt"
)

// suppressionKind is one suppression list of the fake (bounces,
// unsubscribes, complaints, the allowlist): the shared HTTP handlers of
// /v3/{domain}/{name} over one suppressionLists field of the state, and
// what differs between the lists, as data and small functions. T is the
// stored record, J its JSON rendering.
type suppressionKind[T, J any] struct {
	name     string // the path segment
	lists    func(*Server) *suppressionLists[T]
	key      func(T) string
	render   func(T) J
	notFound string

	// fromForm makes the record of a form add, checked as the API checks it.
	fromForm func(s *Server, form url.Values) (T, error)
	// fromRecord makes one record of a JSON batch; nil when the list takes
	// no JSON batches (a JSON body is then read as a form, and refused).
	fromRecord func(s *Server, raw json.RawMessage) (T, error)
	// merge combines a record added for a key already on the list with the
	// old one; nil replaces it.
	merge func(old, added T) T
	// fill gives a seeded record its defaults (see seed).
	fill func(v *T, now time.Time)
	// onAdd runs, with the lock held, for each record added through the
	// API (not for seeded or imported ones); nil does nothing.
	onAdd func(s *Server, domain string, v T)

	added   func(v T) map[string]string // the answer to a form add
	addedN  string                      // the answer to a JSON batch, with %d for its size
	removed func(key string) map[string]string
	cleared string
	badForm string // the message for a form that cannot be read; "" uses the reader's error

	// CSV import: the known columns, those of which one must be present,
	// and the record of a row (false skips the row).
	columns, required []string
	fromRow           func(s *Server, row map[string]string) (T, bool)
}

// maxSuppressionBatch is the largest JSON batch the API takes; it answers
// 400 "Batch size should be less than 1000" to anything larger.
const maxSuppressionBatch = 999

// suppressionImportMessage is the API's answer to an accepted CSV upload.
const suppressionImportMessage = "file uploaded successfully for processing. standby..."

func (k *suppressionKind[T, J]) register(s *Server, mux *http.ServeMux) {
	base := "/v3/{domain}/" + k.name
	mux.HandleFunc("GET "+base, k.list(s))
	mux.HandleFunc("POST "+base, k.add(s))
	mux.HandleFunc("DELETE "+base, k.clear(s))
	mux.HandleFunc("GET "+base+"/{key}", k.get(s))
	mux.HandleFunc("DELETE "+base+"/{key}", k.remove(s))
	mux.HandleFunc("POST "+base+"/import", k.importCSV(s))
}

// store puts records on domain's list. api says they came through the
// API's add (so onAdd runs for each).
func (k *suppressionKind[T, J]) store(s *Server, domain string, api bool, records ...T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := k.lists(s).of(domain, true)
	for _, v := range records {
		key := k.key(v)
		if old, ok := l.get(key); ok && k.merge != nil {
			v = k.merge(old, v)
		}
		l.put(key, v)
		if api && k.onAdd != nil {
			k.onAdd(s, domain, v)
		}
	}
}

// seed stores records given to a seeding helper (AddBounces and the
// like): copies of them, with k.fill's defaults, now being the server's
// current time.
func (k *suppressionKind[T, J]) seed(s *Server, domain string, records []T) {
	now := s.now()
	batch := slices.Clone(records)
	for i := range batch {
		k.fill(&batch[i], now)
	}
	k.store(s, domain, false, batch...)
}

// seedTime is t, or now for the zero time.
func seedTime(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

// values returns domain's list in key order.
func (k *suppressionKind[T, J]) values(s *Server, domain string) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return k.lists(s).of(domain, false).values()
}

func (k *suppressionKind[T, J]) list(s *Server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		page, err := buildSuppressionPage(r, k.lists(s).of(r.PathValue("domain"), false), k.render)
		s.mu.Unlock()
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, page)
	}
}

func (k *suppressionKind[T, J]) get(s *Server) http.HandlerFunc {
	return k.keyed(s, func(l *suppressionList[T], key string) (any, bool) {
		v, ok := l.get(key)
		return k.render(v), ok
	})
}

func (k *suppressionKind[T, J]) remove(s *Server) http.HandlerFunc {
	return k.keyed(s, func(l *suppressionList[T], key string) (any, bool) { return k.removed(key), l.remove(key) })
}

// keyed answers a request on the record named by the last path segment:
// op runs on the domain's list (nil for a domain not seen) with the lock
// held, and returns the answer, or false for the API's 404.
func (k *suppressionKind[T, J]) keyed(s *Server, op func(l *suppressionList[T], key string) (any, bool)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := suppressionPathValue(r)
		s.mu.Lock()
		answer, ok := op(k.lists(s).of(r.PathValue("domain"), false), key)
		s.mu.Unlock()
		if !ok {
			writeError(w, http.StatusNotFound, k.notFound)
			return
		}
		writeJSON(w, http.StatusOK, answer)
	}
}

// add takes one record as a form, or (where the list has them) a JSON
// array of records. A request with one bad record stores nothing.
func (k *suppressionKind[T, J]) add(s *Server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		domain := r.PathValue("domain")
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" && k.fromRecord != nil {
			k.addBatch(s, w, r, domain)
			return
		}
		f, err := readForm(w, r)
		if err != nil {
			msg := k.badForm
			if msg == "" {
				msg = err.Error()
			}
			writeError(w, http.StatusBadRequest, msg)
			return
		}
		v, err := k.fromForm(s, f)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		k.store(s, domain, true, v)
		writeJSON(w, http.StatusOK, k.added(v))
	}
}

func (k *suppressionKind[T, J]) addBatch(s *Server, w http.ResponseWriter, r *http.Request, domain string) {
	var in []json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBody)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON: expected an array of records")
		return
	}
	if len(in) > maxSuppressionBatch {
		writeError(w, http.StatusBadRequest, "Batch size should be less than 1000")
		return
	}
	batch := make([]T, 0, len(in))
	for _, raw := range in {
		v, err := k.fromRecord(s, raw)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		batch = append(batch, v)
	}
	k.store(s, domain, true, batch...)
	writeJSON(w, http.StatusOK, map[string]string{"message": fmt.Sprintf(k.addedN, len(batch))})
}

func (k *suppressionKind[T, J]) clear(s *Server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		k.lists(s).of(r.PathValue("domain"), false).clear()
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"message": k.cleared})
	}
}

// importCSV reads the CSV while it arrives. Unlike the API, which answers
// first and imports later, the rows are stored before the answer, so a
// test sees them right after Import returns.
func (k *suppressionKind[T, J]) importCSV(s *Server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		domain := r.PathValue("domain")
		parse := func(row map[string]string) (T, bool) { return k.fromRow(s, row) }
		store := func(batch []T) { k.store(s, domain, false, batch...) }
		if err := importSuppressionCSV(r, k.columns, k.required, parse, store); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"message": suppressionImportMessage})
	}
}

// errMissingAddress is the API's answer to an add without an address.
var errMissingAddress = suppressionMessage("Missing mandatory parameter: address")

// formAddress returns the address field of a form add, which is mandatory.
func formAddress(form url.Values) (string, error) {
	a := form.Get("address")
	if a == "" {
		return "", errMissingAddress
	}
	return a, nil
}

// checkSuppressionRecord checks the address of a record and parses its
// created_at (an RFC 2822 date; "" is now), as the API does.
func checkSuppressionRecord(s *Server, address, createdAt string) (time.Time, error) {
	if !validSuppressionAddress(address) {
		return time.Time{}, fmt.Errorf("'address' parameter is not a valid address: %q", address)
	}
	if createdAt == "" {
		return s.now(), nil
	}
	t, err := timefmt.ParseRFC2822(createdAt)
	if err != nil {
		return time.Time{}, fmt.Errorf("'created_at' parameter is not an RFC 2822 date: %q", createdAt)
	}
	return t, nil
}

// addedMessage is the answer to a form add of address to the list called table.
func addedMessage(table, address string) map[string]string {
	return map[string]string{"message": "Address has been added to the " + table + " table", "address": address}
}

// removedMessage is the answer to the removal of one address.
func removedMessage(message string) func(address string) map[string]string {
	return func(address string) map[string]string {
		return map[string]string{"message": message, "address": address}
	}
}

// batchMessage is the answer to a JSON batch, with %d for its size.
func batchMessage(what, table string) string {
	return "%d " + what + " have been added to the " + table + " table"
}
