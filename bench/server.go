// Package bench compares this SDK with a hand-written net/http client (the
// floor) and with the official github.com/mailgun/mailgun-go/v4, running the
// same work three ways against one local keep-alive server. The benchmarks
// are in the _test.go files; see README.md for the results and how to run
// them.
package bench

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// APIKey is the key every client sends; the server checks it.
const APIKey = "key-bench-0123456789abcdef"

// Domain is the sending domain of the single-object calls.
const Domain = "bench.example.com"

// BounceAddress is the address of the bounce that GET returns. It needs no
// escaping, because the official SDK puts it into the path as it is.
const BounceAddress = "bob@example.com"

// Server is the local API the three clients call. It answers:
//
//   - GET /v3/{domain}/bounces/{address}: one bounce (the documented example);
//   - GET /v3/{domain}/bounces: the bounce list of a domain named
//     "n<count>.example.com", generated page by page from a counter (never
//     held in memory), with absolute paging links like the real API's;
//   - GET /v3/{domain}/events: the same 300-event page on every call;
//   - POST /v3/{domain}/messages: reads the whole body (form or
//     multipart, unparsed, so every encoding costs the server alike) and
//     answers SendAnswer.
//
// Every response has a Content-Length and the connection is kept alive.
// A request without the right Basic credentials gets 401.
type Server struct {
	*httptest.Server
	authorization string
	eventsPage    []byte
}

// bounceBody is the body of GET /v3/{domain}/bounces/{address}.
var bounceBody = []byte(`{"address":"bob@example.com","code":"550","error":"No such mailbox","created_at":"Sun, 26 Jan 2025 07:29:04 UTC"}`)

var (
	jsonType  = []string{"application/json"}
	pagePool  = sync.Pool{New: func() any { b := make([]byte, 0, 256<<10); return &b }}
	bounceT0  = time.Date(2025, 1, 26, 7, 29, 4, 0, time.UTC)
	walkError = "5.1.1 The email account that you tried to reach does not exist."
)

// NewServer starts a server; the caller closes it. eventsPage builds the
// events page from the server's host (for its absolute links).
func NewServer(eventsPage func(host string) ([]byte, error)) (*Server, error) {
	s := &Server{authorization: basicAuthorization(APIKey)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v3/{domain}/bounces/{address}", s.getBounce)
	mux.HandleFunc("GET /v3/{domain}/bounces", s.listBounces)
	mux.HandleFunc("GET /v3/{domain}/events", s.listEvents)
	mux.HandleFunc("POST /v3/{domain}/messages", s.send)
	s.Server = httptest.NewServer(s.auth(mux))
	page, err := eventsPage(s.Listener.Addr().String())
	if err != nil {
		s.Close()
		return nil, err
	}
	s.eventsPage = page // before any request is sent
	return s, nil
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != s.authorization {
			http.Error(w, "Forbidden", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeBody(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	_, _ = w.Write(body)
}

func (s *Server) getBounce(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("address") != BounceAddress {
		http.Error(w, `{"message":"Address not found in bounces table"}`, http.StatusNotFound)
		return
	}
	writeBody(w, bounceBody)
}

func (s *Server) listEvents(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, s.eventsPage)
}

// SendID is the message id the server answers every send with.
const SendID = "<20240203180000.1a2b3c4d5e@bench.example.com>"

// sendAnswer is the body of every accepted send.
var sendAnswer = []byte(`{"id":"` + SendID + `","message":"Queued. Thank you."}`)

// send drains the request (through a pooled buffer: the server's own
// memory is not the client's) and answers sendAnswer.
func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	bp := drainPool.Get().(*[]byte)
	for {
		if _, err := r.Body.Read(*bp); err != nil {
			break
		}
	}
	drainPool.Put(bp)
	writeBody(w, sendAnswer)
}

var drainPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// WalkDomain is the domain whose bounce list has n entries.
func WalkDomain(n int) string { return "n" + strconv.Itoa(n) + ".example.com" }

// BounceAt is the address of entry i of a generated bounce list.
func BounceAt(i int) string { return string(appendAddress(nil, i)) }

func appendAddress(b []byte, i int) []byte {
	b = append(b, "user"...)
	var digits [8]byte
	n := strconv.AppendInt(digits[:0], int64(i), 10)
	for range 8 - len(n) {
		b = append(b, '0')
	}
	b = append(b, n...)
	return append(b, "@example.com"...)
}

// addressIndex reads i back from "user%08d@example.com".
func addressIndex(a string) (int, bool) {
	digits, ok := strings.CutPrefix(a, "user")
	if !ok {
		return 0, false
	}
	digits, _, ok = strings.Cut(digits, "@")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(digits)
	return i, err == nil && i >= 0
}

// listBounces serves the page that starts after the address in the query
// (page=next&address=...), or the first page. Entries are generated from
// their index, so a page costs the same whatever the list's size.
func (s *Server) listBounces(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	total, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(domain, "n"), ".example.com"))
	if err != nil {
		http.Error(w, `{"message":"unknown domain"}`, http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			http.Error(w, `{"message":"Invalid limit"}`, http.StatusBadRequest)
			return
		}
	}
	start := 0
	if q.Get("page") == "next" {
		i, ok := addressIndex(q.Get("address"))
		if !ok {
			http.Error(w, `{"message":"Invalid address"}`, http.StatusBadRequest)
			return
		}
		start = i + 1
	}
	end := min(start+limit, total)

	bp := pagePool.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, `{"items":[`...)
	for i := start; i < end; i++ {
		if i > start {
			b = append(b, ',')
		}
		b = append(b, `{"address":"`...)
		b = appendAddress(b, i)
		b = append(b, `","code":"550","error":"`...)
		b = append(b, walkError...)
		b = append(b, `","created_at":"`...)
		b = bounceT0.Add(time.Duration(i)*time.Second).AppendFormat(b, time.RFC1123)
		b = append(b, `"}`...)
	}
	base := "http://" + r.Host + "/v3/" + domain + "/bounces?"
	limitQ := "&limit=" + strconv.Itoa(limit) + "&term="
	last := max(end, start+1) - 1 // an empty page links to itself, as the API's do
	b = append(b, `],"paging":{"first":"`...)
	b = append(b, base+limitQ[1:]...)
	b = append(b, `","last":"`...)
	b = append(b, base+"page=last"+limitQ...)
	b = append(b, `","next":"`...)
	b = append(b, base+"page=next&address="...)
	b = append(b, url.QueryEscape(BounceAt(last))...)
	b = append(b, limitQ...)
	b = append(b, `","previous":"`...)
	b = append(b, base+"page=previous&address="...)
	b = append(b, url.QueryEscape(BounceAt(start))...)
	b = append(b, limitQ...)
	b = append(b, `"}}`...)
	writeBody(w, b)
	*bp = b[:0]
	pagePool.Put(bp)
}
