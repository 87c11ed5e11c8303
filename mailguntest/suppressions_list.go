package mailguntest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// suppressionList is one domain's suppression list (bounces or allowlist),
// keyed by address or value and served in key order like the real API.
// It is guarded by Server.mu. Reads and removals work on a nil list, which
// stands for a domain the server has not seen.
type suppressionList[T any] struct {
	items map[string]T
	keys  []string // sorted keys of items, rebuilt when stale
	stale bool
}

func (l *suppressionList[T]) put(key string, v T) {
	if l.items == nil {
		l.items = map[string]T{}
	}
	if _, ok := l.items[key]; !ok {
		l.stale = true
	}
	l.items[key] = v
}

func (l *suppressionList[T]) get(key string) (T, bool) {
	if l == nil {
		var zero T
		return zero, false
	}
	v, ok := l.items[key]
	return v, ok
}

// lookup finds an address as given, else in any case, as the message
// lifecycle matches recipients against the lists.
func (l *suppressionList[T]) lookup(address string) (T, bool) {
	if v, ok := l.get(address); ok || l == nil {
		return v, ok
	}
	for k, v := range l.items {
		if strings.EqualFold(k, address) {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func (l *suppressionList[T]) remove(key string) bool {
	if l == nil {
		return false
	}
	if _, ok := l.items[key]; !ok {
		return false
	}
	delete(l.items, key)
	l.stale = true
	return true
}

func (l *suppressionList[T]) clear() {
	if l == nil {
		return
	}
	clear(l.items)
	l.keys, l.stale = nil, false
}

// sorted returns the keys in order. The slice is never modified in place,
// so callers may keep it while the lock is held.
func (l *suppressionList[T]) sorted() []string {
	if l == nil {
		return nil
	}
	if l.stale {
		l.keys = slices.Sorted(maps.Keys(l.items))
		l.stale = false
	}
	return l.keys
}

// values returns the items in key order.
func (l *suppressionList[T]) values() []T {
	if l == nil {
		return nil
	}
	keys := l.sorted()
	out := make([]T, len(keys))
	for i, k := range keys {
		out[i] = l.items[k]
	}
	return out
}

// suppressionLists holds one kind of suppression list for every domain.
type suppressionLists[T any] map[string]*suppressionList[T]

// of returns domain's list (domain in any case), creating it when create
// is set (nil otherwise).
func (ls *suppressionLists[T]) of(domain string, create bool) *suppressionList[T] {
	domain = domainKey(domain)
	if l := (*ls)[domain]; l != nil || !create {
		return l
	}
	if *ls == nil {
		*ls = suppressionLists[T]{}
	}
	l := &suppressionList[T]{}
	(*ls)[domain] = l
	return l
}

// The real API's paging parameters.
const (
	suppressionDefaultLimit = 100
	suppressionMaxLimit     = 1000
)

// suppressionQuery is a parsed list request: page is "" (the top), "next",
// "previous" or "last"; cursor is the address parameter.
type suppressionQuery struct {
	page, cursor, term string
	limit              int
}

func parseSuppressionQuery(q url.Values) (suppressionQuery, error) {
	pq := suppressionQuery{page: q.Get("page"), cursor: q.Get("address"), term: q.Get("term"), limit: suppressionDefaultLimit}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > suppressionMaxLimit {
			return pq, fmt.Errorf("limit must be an integer between 1 and %d", suppressionMaxLimit)
		}
		pq.limit = n
	}
	switch pq.page {
	case "first":
		pq.page = ""
	case "", "next", "previous", "last":
	default:
		return pq, fmt.Errorf("page must be one of first, next, previous, last")
	}
	return pq, nil
}

// page returns the keys of the requested page. pastEnd reports a next or
// previous page that is empty because its cursor is not on the list (it
// lies beyond the entries, or was removed): the real API has answered
// those with "items": null, while the page after the last entry is [].
func (l *suppressionList[T]) page(pq suppressionQuery) (keys []string, pastEnd bool) {
	all := l.sorted()
	lo := sort.SearchStrings(all, pq.term)
	hi := lo + sort.Search(len(all)-lo, func(i int) bool { return !strings.HasPrefix(all[lo+i], pq.term) })
	match := all[lo:hi]
	switch pq.page {
	case "last":
		return match[max(0, len(match)-pq.limit):], false
	case "next":
		i := sort.Search(len(match), func(i int) bool { return match[i] > pq.cursor })
		keys = match[i:min(len(match), i+pq.limit)]
	case "previous":
		j := sort.SearchStrings(match, pq.cursor)
		keys = match[max(0, j-pq.limit):j]
	default:
		return match[:min(len(match), pq.limit)], false
	}
	if len(keys) > 0 {
		return keys, false
	}
	_, onList := l.get(pq.cursor)
	return keys, !onList
}

// suppressionPaging is the "paging" object of a list page: absolute links with the
// real parameters, in the real order.
type suppressionPaging struct {
	First    string `json:"first"`
	Last     string `json:"last"`
	Next     string `json:"next"`
	Previous string `json:"previous"`
}

// suppressionPage is a list response; nil Items encode as null.
type suppressionPage[W any] struct {
	Items  []W               `json:"items"`
	Paging suppressionPaging `json:"paging"`
}

// listLinks builds the links of a page whose keys are keys, with the pivot
// key in the query parameter pivot ("address" for the suppression lists,
// "p" for templates) and tail after it; an empty page points next and
// previous at its own cursor, as the API does.
func listLinks(r *http.Request, pivot, tail string, pq suppressionQuery, keys []string) suppressionPaging {
	base := baseURL(r) + r.URL.EscapedPath()
	first, last := pq.cursor, pq.cursor
	if len(keys) > 0 {
		first, last = keys[0], keys[len(keys)-1]
	}
	return suppressionPaging{
		First:    base + "?" + tail,
		Last:     base + "?page=last&" + tail,
		Next:     base + "?page=next&" + pivot + "=" + url.QueryEscape(last) + "&" + tail,
		Previous: base + "?page=previous&" + pivot + "=" + url.QueryEscape(first) + "&" + tail,
	}
}

// buildSuppressionPage makes the answer to a list request from l (which may be nil),
// rendering each item with render. Call it with the lock held.
func buildSuppressionPage[T, W any](r *http.Request, l *suppressionList[T], render func(T) W) (suppressionPage[W], error) {
	pq, err := parseSuppressionQuery(r.URL.Query())
	if err != nil {
		return suppressionPage[W]{}, err
	}
	keys, pastEnd := l.page(pq)
	tail := "limit=" + strconv.Itoa(pq.limit) + "&term=" + url.QueryEscape(pq.term)
	out := suppressionPage[W]{Paging: listLinks(r, "address", tail, pq, keys)}
	if !pastEnd {
		out.Items = make([]W, 0, len(keys))
		for _, k := range keys {
			out.Items = append(out.Items, render(l.items[k]))
		}
	}
	return out, nil
}

// suppressionImportBatch is how many parsed CSV rows are stored at a time, so the
// lock is never held while the upload is read.
const suppressionImportBatch = 500

// errSuppressionCSVHeader is the API's answer to a CSV without the expected header.
var errSuppressionCSVHeader = suppressionMessage("while reading csv header")

// importSuppressionCSV reads the multipart "file" part of r as a stream, checks the
// header row against columns (which must include one of required), and passes
// rows (as column name to value maps, missing cells "") to parse; rows it
// rejects are skipped, as the API's background import does. Accepted rows
// are handed to store in batches. It never buffers the whole file.
func importSuppressionCSV[T any](r *http.Request, columns, required []string, parse func(map[string]string) (T, bool), store func([]T)) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return fmt.Errorf("expected a multipart/form-data body: %v", err)
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return errors.New("missing the file part")
		}
		if err != nil {
			return fmt.Errorf("while reading multipart body: %v", err)
		}
		if part.FormName() != "file" {
			continue
		}
		return readSuppressionCSV(part, columns, required, parse, store)
	}
}

func readSuppressionCSV[T any](src io.Reader, columns, required []string, parse func(map[string]string) (T, bool), store func([]T)) error {
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return errSuppressionCSVHeader
	}
	index := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(columns, name) {
			return errSuppressionCSVHeader
		}
		index[name] = i
	}
	if !slices.ContainsFunc(required, func(c string) bool { _, ok := index[c]; return ok }) {
		return errSuppressionCSVHeader
	}
	row := make(map[string]string, len(columns))
	batch := make([]T, 0, suppressionImportBatch)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			store(batch)
			return fmt.Errorf("while reading csv: %v", err)
		}
		for _, c := range columns {
			row[c] = ""
			if i, ok := index[c]; ok && i < len(rec) {
				row[c] = strings.Clone(strings.TrimSpace(rec[i]))
			}
		}
		if v, ok := parse(row); ok {
			batch = append(batch, v)
		}
		if len(batch) == suppressionImportBatch {
			store(batch)
			batch = batch[:0]
		}
	}
	store(batch)
	return nil
}

// suppressionPathValue returns the last path segment of r decoded the way Mailgun
// decodes a suppression address: as a form value, so a "+" left unescaped
// becomes a space (and the lookup then fails, as on the real API).
func suppressionPathValue(r *http.Request) string {
	p := r.URL.EscapedPath()
	v, err := url.QueryUnescape(p[strings.LastIndexByte(p, '/')+1:])
	if err != nil {
		return r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	}
	return v
}

// suppressionMessage is an error whose text is the API's own message.
type suppressionMessage string

func (m suppressionMessage) Error() string { return string(m) }

// suppressionTime formats a time as the suppression APIs send it.
func suppressionTime(t time.Time) string { return t.UTC().Format(time.RFC1123) }

// validSuppressionAddress is the fake's notion of an email address.
func validSuppressionAddress(s string) bool {
	return !blank(s) && strings.Contains(s, "@")
}

// blank reports whether s is empty or only spaces.
func blank(s string) bool { return strings.TrimSpace(s) == "" }
