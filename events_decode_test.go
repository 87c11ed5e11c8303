package mailgun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun/internal/jsonread"
)

// The oracle: the encoding/json implementation the events decoder
// replaced, kept as it was (renamed), plus the list rule applied the
// generic way (pruneItem: drop what encoding/json refuses, then decode
// again), so that the decoder can be compared with it on any input. On
// well-typed input the oracle is the former decoding, unchanged.

// stdUnmarshalEvent is the former Event.UnmarshalJSON, after pruning.
func stdUnmarshalEvent(e *Event, b []byte) error {
	var w stdEventWire
	if err := json.Unmarshal(b, &w); err != nil {
		kept, ok := pruneItem(b, stdDecodeEvent)
		if !ok {
			return err
		}
		w = stdEventWire{}
		if err := json.Unmarshal(kept, &w); err != nil {
			return fmt.Errorf("pruned event does not decode: %w", err)
		}
	}
	*e = w.event()
	e.Raw = bytes.Clone(b)
	return nil
}

// stdDecodeEvent is the strict decoding an event must pass.
func stdDecodeEvent(b []byte) error {
	var w stdEventWire
	return json.Unmarshal(b, &w)
}

// stdEventFields is Event without its methods, so that the fields decode
// with the standard rules.
type stdEventFields Event

// stdEventWire is an event as the API sends it: the fields that need their
// own decoding shadow those of Event. It has no UnmarshalJSON, so a page
// of them decodes in one pass.
type stdEventWire struct {
	stdEventFields
	Timestamp unixSeconds  `json:"timestamp"`
	Routes    stdRouteList `json:"routes"`
}

func (w *stdEventWire) event() Event {
	e := Event(w.stdEventFields)
	e.Timestamp = time.Time(w.Timestamp)
	e.Routes = []EventRoute(w.Routes)
	if isJSONNull(e.UserVariables) {
		e.UserVariables = nil
	}
	return e
}

// stdEventsPage is the former eventsPage.
type stdEventsPage struct {
	items []Event
	next  string // the paging.next link, "" if absent
	paged bool
}

// stdPageShape checks the structure of a page: items an array or null,
// paging an object or null, its next a string or null.
type stdPageShape struct {
	Items  stdItemsShape  `json:"items"`
	Paging stdPagingShape `json:"paging"`
}

type stdItemsShape struct{}

func (*stdItemsShape) UnmarshalJSON(b []byte) error {
	var items []json.RawMessage
	return json.Unmarshal(b, &items)
}

type stdPagingShape struct{ seen bool }

func (p *stdPagingShape) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var v struct {
		Next *string `json:"next"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	p.seen = true
	return nil
}

// DecodeBody checks the page's structure, prunes its items (skipping
// those that are not objects), decodes the result the former way, then
// finds each item's bytes in body for Event.Raw with a light scan over the
// already validated JSON.
func (p *stdEventsPage) DecodeBody(body []byte) error {
	var shape stdPageShape
	if err := json.Unmarshal(body, &shape); err != nil {
		return err
	}
	var w struct {
		Items  []stdEventWire `json:"items"`
		Paging struct {
			Next string `json:"next"`
		} `json:"paging"`
	}
	if err := json.Unmarshal(stdPruneItems(body), &w); err != nil {
		return err
	}
	raws := stdObjects(stdItemsOf(body))
	if len(raws) != len(w.Items) {
		var slow struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(body, &slow); err != nil {
			return err
		}
		raws = raws[:0]
		for _, r := range slow.Items {
			raws = append(raws, r)
		}
		if raws = stdObjects(raws); len(raws) != len(w.Items) {
			return fmt.Errorf("events page: items do not line up")
		}
	}
	p.items = make([]Event, len(w.Items))
	for i := range w.Items {
		p.items[i] = w.Items[i].event()
		p.items[i].Raw = bytes.Clone(raws[i])
	}
	p.next, p.paged = w.Paging.Next, shape.Paging.seen
	return nil
}

// stdObjects keeps the values that are objects.
func stdObjects(values [][]byte) [][]byte {
	var out [][]byte
	for _, v := range values {
		if v = bytes.TrimSpace(v); len(v) > 0 && v[0] == '{' {
			out = append(out, v)
		}
	}
	return out
}

// stdPruneItems rewrites every items array of the page in body (valid
// JSON): an element that is not an object is removed, and every other is
// pruned to what the former decoding accepts.
func stdPruneItems(body []byte) []byte {
	r := jsonread.New(body)
	if r.Peek() != jsonread.Object {
		return body
	}
	r.BeginObject()
	out := []byte{'{'}
	for {
		at := r.Offset()
		key, ok := r.NextKey()
		if !ok {
			break
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		isItems := strings.EqualFold(string(key), "items")
		lead := bytes.TrimLeft(body[at:r.Offset()], ", \t\r\n")
		out = append(out, lead...)
		value := r.SkipValue()
		if !isItems || value[0] != '[' {
			out = append(out, value...)
			continue
		}
		var elems []json.RawMessage
		if err := json.Unmarshal(value, &elems); err != nil {
			panic(err)
		}
		out = append(out, '[')
		n := 0
		for _, e := range elems {
			if e[0] != '{' {
				continue
			}
			kept, ok := pruneItem(e, stdDecodeEvent)
			if !ok {
				panic(fmt.Sprintf("an object does not prune: %s", e))
			}
			if n > 0 {
				out = append(out, ',')
			}
			out = append(out, kept...)
			n++
		}
		out = append(out, ']')
	}
	return append(out, '}')
}

// stdRouteList reads routes from an array of route objects or a single one.
type stdRouteList []EventRoute

func (r *stdRouteList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var one EventRoute
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*r = stdRouteList{one}
		return nil
	}
	var many []EventRoute
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*r = many
	return nil
}

// stdItemsOf returns the elements of the "items" array of the top-level
// object in b, which must be valid JSON; nil if there is no such array.
// Like encoding/json, it matches the key without regard to case and lets
// the last one win.
func stdItemsOf(b []byte) [][]byte {
	i := stdSkipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil
	}
	var items [][]byte
	i++
	for {
		i = stdSkipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			return items
		}
		keyEnd := stdSkipValue(b, i)
		key := b[i:keyEnd]
		i = stdSkipSpace(b, keyEnd)
		if i >= len(b) || b[i] != ':' {
			return nil
		}
		i = stdSkipSpace(b, i+1)
		if stdIsItemsKey(key) {
			items = stdArrayElements(b, i)
		}
		i = stdSkipSpace(b, stdSkipValue(b, i))
		if i >= len(b) || b[i] != ',' {
			return items
		}
		i++
	}
}

// stdIsItemsKey reports whether the JSON string key names "items", as
// encoding/json matches it (escapes decoded, case ignored).
func stdIsItemsKey(key []byte) bool {
	if bytes.IndexByte(key, '\\') >= 0 {
		var k string
		if json.Unmarshal(key, &k) != nil {
			return false
		}
		return strings.EqualFold(k, "items")
	}
	return bytes.EqualFold(key, []byte(`"items"`))
}

func stdArrayElements(b []byte, i int) [][]byte {
	if i >= len(b) || b[i] != '[' {
		return nil
	}
	var out [][]byte
	i = stdSkipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return out
	}
	for i < len(b) {
		end := stdSkipValue(b, i)
		out = append(out, b[i:end])
		i = stdSkipSpace(b, end)
		if i >= len(b) || b[i] != ',' {
			break
		}
		i = stdSkipSpace(b, i+1)
	}
	return out
}

func stdSkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stdSkipValue returns the index just after the JSON value starting at i.
func stdSkipValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 {
				return i
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// dumpEvent shows an event in a failure message, pointers followed.
func dumpEvent(e Event) string {
	b, err := json.Marshal(stdEventFields(e))
	if err != nil {
		return fmt.Sprintf("%+v", e)
	}
	return fmt.Sprintf("%s timestamp=%s raw=%q", b, e.Timestamp.Format(time.RFC3339Nano), e.Raw)
}

func dumpEvents(es []Event) string {
	var b strings.Builder
	for i, e := range es {
		fmt.Fprintf(&b, "\n  [%d] %s", i, dumpEvent(e))
	}
	return b.String()
}

// checkEventMatchesStd decodes b as a single event both ways: both must
// fail, or both succeed with deeply equal events.
func checkEventMatchesStd(t testing.TB, b []byte) error {
	t.Helper()
	var want, got Event
	werr := stdUnmarshalEvent(&want, b)
	gerr := got.UnmarshalJSON(b)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("event %q: error %v; encoding/json: %v", b, gerr, werr)
	}
	if werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("event %q:\n got %s\nwant %s", b, dumpEvent(got), dumpEvent(want))
	}
	return gerr
}

// checkPageMatchesStd decodes body as an events page both ways.
func checkPageMatchesStd(t testing.TB, body []byte) error {
	t.Helper()
	var want stdEventsPage
	var got eventsPage
	werr := want.DecodeBody(body)
	gerr := got.DecodeBody(body)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("page %q: error %v; encoding/json: %v", body, gerr, werr)
	}
	if werr == nil && (!reflect.DeepEqual(got.items, want.items) || got.next != want.next || got.paged != want.paged) {
		t.Fatalf("page %q:\n got next %q paged %v items %s\nwant next %q paged %v items %s", body,
			got.next, got.paged, dumpEvents(got.items), want.next, want.paged, dumpEvents(want.items))
	}
	return gerr
}

// inPage puts items (zero or more comma-separated values) in a page.
func inPage(items []byte) []byte {
	return fmt.Appendf(nil, `{"items":[%s],"paging":{"next":"https://api.mailgun.net/v3/d/events/N"}}`, items)
}

// exampleEventBodies returns the documented example bodies and every event
// cut from them.
func exampleEventBodies(t testing.TB) (bodies, events [][]byte) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "examples", "events", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		bodies = append(bodies, b)
		var p struct {
			Items []json.RawMessage `json:"items"`
		}
		require.NoError(t, json.Unmarshal(b, &p))
		for _, item := range p.Items {
			events = append(events, item)
		}
		if p.Items == nil {
			events = append(events, b) // a single event
		}
	}
	return bodies, events
}

func nested(open, close string, n int, inner string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

// decodeCases are edge cases of encoding/json's rules and of the list
// rule, each decoded as a single event and inside a page. err says whether
// the event fails; inside a page, an event that is not an object is
// skipped instead.
var decodeCases = []struct {
	name string
	in   string
	err  bool
}{
	{"empty object", `{}`, false},
	{"null event", `null`, false},
	{"whitespace around", " \t\r\n{\"id\":\"a\"} \n", false},
	{"duplicate scalar", `{"id":"a","id":"b","event":"x","event":null}`, false},
	{"duplicate object merges", `{"delivery-status":{"code":250,"tls":true},"delivery-status":{"message":"ok","tls":null}}`, false},
	{"duplicate nested value object merges", `{"message":{"headers":{"to":"a"},"headers":{"from":"b"},"headers":null}}`, false},
	{"duplicate pointer then null", `{"flags":{"is-amp":true},"flags":null}`, false},
	{"duplicate null then object", `{"flags":null,"flags":{"is-big":false}}`, false},
	{"duplicate array replaces", `{"tags":["a","b"],"tags":["c"]}`, false},
	{"repeated array keeps stale elements", `{"tags":["a","b","c"],"tags":["x"],"tags":[null,null,null,"d"]}`, false},
	{"empty array drops stale elements", `{"tags":["a","b"],"tags":[],"tags":[null,null]}`, false},
	{"null array drops stale elements", `{"tags":["a","b"],"tags":null,"tags":[null,null]}`, false},
	{"repeated array of objects merges", `{"campaigns":[{"id":"1","name":"n"},{"id":"2"}],"campaigns":[{"name":"m"}],"campaigns":[null,{"id":"3"}]}`, false},
	{"attachments merge", `{"message":{"attachments":[{"filename":"a","size":1}],"attachments":[{"content-type":"t"}]}}`, false},
	{"template replaces", `{"template":{"name":"a","version":"1","is-text":true},"template":{"is-text":"false"}}`, false},
	{"template version number", `{"template":{"version":1.50e+3}}`, false},
	{"template version null after string", `{"template":{"version":"v","version":null}}`, false},
	{"template version bool", `{"template":{"version":true}}`, false},
	{"template version bool then string", `{"template":{"version":true,"version":"2"}}`, false},
	{"template version object", `{"template":{"version":{}}}`, false},
	{"template is-text forms", `{"template":{"is-text":"T","Is-Text":1}}`, false},
	{"template is-text zero", `{"template":{"is-text":0}}`, false},
	{"template is-text float", `{"template":{"is-text":1.0}}`, false},
	{"template is-text maybe", `{"template":{"is-text":"maybe"}}`, false},
	{"template is-text object", `{"template":{"is-text":{}}}`, false},
	{"template is-text bad then null", `{"template":{"is-text":"maybe","is-text":null}}`, false},
	{"template is-text escaped", `{"template":{"is-text":"tru\u0065"}}`, false},
	{"template name number", `{"template":{"name":1}}`, false},
	{"template string", `{"template":"x"}`, false},
	{"template array", `{"template":[]}`, false},
	{"template null", `{"template":{"name":"a"},"template":null}`, false},
	{"routes object", `{"routes":{"id":"r","priority":-3,"match":{"recipient":"a"},"match":{"x":1}}}`, false},
	{"routes array", `{"routes":[{"id":"a"},null,{"expression":"e"}]}`, false},
	{"routes empty", `{"routes":[]}`, false},
	{"routes null", `{"routes":[{"id":"a"}],"routes":null}`, false},
	{"routes replace", `{"routes":[{"id":"a"},{"id":"b"}],"routes":[{"actions":"x"}]}`, false},
	{"routes string", `{"routes":"x"}`, false},
	{"routes number element", `{"routes":[1]}`, false},
	{"folded keys", `{"ID":"a","EVENT":"b","Log-Level":"info","DELIVERY-STATUS":{"CODE":1,"Mx-Host":"m"}}`, false},
	{"long s folds to s", "{\"\u017feverity\":\"temporary\",\"tag\u017f\":[\"t\"],\"me\u017f\u017fage\":{\"\u017fize\":5}}", false},
	{"kelvin folds to k", "{\"tas\u212a-id\":\"t1\",\"storage\":{\"\u212aey\":\"k\"},\"api-\u212aey-id\":\"x\"}", false},
	{"escaped folded keys", `{"\u017Feverity":"s","tas\u212A-id":"t","\u0049\u0044":"x"}`, false},
	{"escaped keys", `{"\u0069d":"a","i\u0064":"b","\/id":"c","re\u0061son":"r"}`, false},
	{"key with invalid utf-8", "{\"i\xffd\":\"a\",\"id\xff\":\"b\"}", false},
	{"exact key preferred order", `{"Id":"a","id":"b","ID":"c"}`, false},
	{"unknown keys skipped", `{"x":{"y":[1,{"z":null}],"w":"\u00e9"},"flags":{"unknown":[true]},"id":"a"}`, false},
	{"raw key ignored", `{"Raw":"x","raw":[1]}`, false},
	{"null per kind", `{"id":"a","id":null,"tags":["x"],"tags":null,"flags":{"is-amp":true},"flags":{"is-amp":null},` +
		`"delivery-status":{"code":5,"code":null,"session-seconds":1.5,"session-seconds":null},"message":{"headers":null,"size":null},` +
		`"user-variables":{"a":1},"user-variables":null,"timestamp":1,"timestamp":null,"upserted-count":3,"upserted-count":null,"geolocation":null}`, false},
	{"user-variables kept as written", `{"user-variables":{ "a" : [1, 2] },"user-variables":"str"}`, false},
	{"user-variables forms", `{"user-variables":[true,null]}`, false},
	{"string into int", `{"delivery-status":{"code":"250"}}`, false},
	{"number into string", `{"id":1}`, false},
	{"bool into string", `{"recipient":true}`, false},
	{"object into string", `{"id":{}}`, false},
	{"array into string", `{"id":[]}`, false},
	{"string into bool", `{"flags":{"is-amp":"true"}}`, false},
	{"number into bool", `{"subscribed":1}`, false},
	{"array into struct pointer", `{"flags":[]}`, false},
	{"string into struct", `{"message":{"headers":"h"}}`, false},
	{"string into slice", `{"tags":"x"}`, false},
	{"object into slice", `{"tags":{}}`, false},
	{"number element into strings", `{"tags":["a",1]}`, false},
	{"string element into structs", `{"campaigns":["a"]}`, false},
	{"bool into int pointer", `{"failed-count":true}`, false},
	{"template is-text yes", `{"template":{"name":"t","is-text":"yes"}}`, false},
	{"template is-text one", `{"template":{"is-text":"1"}}`, false},
	{"template is-text three", `{"template":{"is-text":3}}`, false},
	{"template is-text valid then bad", `{"template":{"is-text":true,"is-text":"yes","version":"2","version":[1]}}`, false},
	{"template bad after good", `{"template":{"name":"a"},"template":"x","template":[]}`, false},
	{"mistyped then valid", `{"id":1,"id":"a","flags":"x","flags":{"is-amp":true},"flags":[],"tags":{},"tags":["t"],"tags":7}`, false},
	{"valid then mistyped", `{"id":"a","id":1,"delivery-status":{"code":250},"delivery-status":{"code":"x","tls":1,"tls":true}}`, false},
	{"mistyped elements", `{"tags":["a",1,null,{},"b"],"campaigns":[1,{"id":2,"name":"n"},[]],"routes":[1,{"priority":"x","id":"r"}]}`, false},
	{"mistyped pointer scalars", `{"subscribed":"yes","is-upsert":1,"upserted-count":1.5,"failed-count":"3","member":{"subscribed":"no"}}`, false},
	{"mistyped repeated array keeps stale", `{"campaigns":[{"id":"1"},{"id":"2"}],"campaigns":["x",{"name":"m"}]}`, false},
	{"string event", `"event"`, true},
	{"array event", `[{"id":"a"}]`, true},
	{"number event", `1`, true},
	{"timestamp forms", `{"timestamp":"1529692199.5"}`, false},
	{"timestamp exponent", `{"timestamp":1.5e9}`, false},
	{"timestamp bool", `{"timestamp":true}`, false},
	{"timestamp escaped string", `{"timestamp":"1\u0030"}`, false},
	{"timestamp object", `{"timestamp":{}}`, false},
	{"int max", `{"delivery-status":{"code":9223372036854775807,"attempt-no":-9223372036854775808},"upserted-count":9223372036854775807}`, false},
	{"int overflow", `{"delivery-status":{"code":9223372036854775808}}`, false},
	{"int underflow", `{"message":{"size":-9223372036854775809}}`, false},
	{"int64 pointer overflow", `{"failed-count":99999999999999999999}`, false},
	{"float into int", `{"delivery-status":{"code":250.0}}`, false},
	{"exponent into int", `{"message":{"size":1e3}}`, false},
	{"negative zero int", `{"message":{"size":-0},"delivery-status":{"code":-0}}`, false},
	{"float forms", `{"delivery-status":{"session-seconds":-1.5E-3,"first-delivery-attempt-seconds":0}}`, false},
	{"float out of range", `{"delivery-status":{"session-seconds":1e400}}`, false},
	{"float underflow", `{"delivery-status":{"session-seconds":1e-400}}`, false},
	{"float long literal", `{"delivery-status":{"session-seconds":0.12345678901234567890123456789012345678901234567890}}`, false},
	{"invalid utf-8 in strings", "{\"id\":\"a\xffb\",\"tags\":[\"\xc3\",\"\xed\xa0\x80\"],\"user-variables\":\"\xfe\"}", false},
	{"escapes in strings", `{"id":"a\"b\\c\/d\b\f\n\r\t\u00e9\u20ac\uD83D\uDE00"}`, false},
	{"lone surrogates", `{"id":"\uD800","event":"\uDC00\uD800x","reason":"\uD83D\u0041","url":"\uDBFF\uDFFF\uD800\uDC00"}`, false},
	{"control character in string", "{\"id\":\"a\tb\"}", true},
	{"bad escape", `{"id":"\x"}`, true},
	{"short unicode escape", `{"id":"\u12"}`, true},
	{"trailing garbage", `{"id":"a"} x`, true},
	{"trailing brace", `{"id":"a"}}`, true},
	{"two values", `{} {}`, true},
	{"truncated", `{"id":"a","tags":["b"`, true},
	{"truncated string", `{"id":"a`, true},
	{"trailing comma", `{"id":"a",}`, true},
	{"missing colon", `{"id" "a"}`, true},
	{"single quotes", `{'id':'a'}`, true},
	{"syntax error after type error", `{"id":1,"x":nul}`, true},
	{"syntax error in skipped value", `{"x":[1,2,],"id":"a"}`, true},
	{"syntax error in user-variables", `{"user-variables":{"a":01}}`, true},
	{"bad number", `{"message":{"size":01}}`, true},
	{"bad literal", `{"flags":{"is-amp":tru}}`, true},
	{"nesting at the limit", `{"user-variables":` + nested("[", "]", 9999, "") + `}`, false},
	{"nesting over the limit", `{"user-variables":` + nested("[", "]", 10000, "") + `}`, true},
	{"nesting over the limit in an unknown key", `{"x":` + nested(`{"a":`, "}", 10000, "1") + `}`, true},
	{"empty", ``, true},
	{"space", ` `, true},
}

func TestEventsDecodeCasesMatchStd(t *testing.T) {
	for _, c := range decodeCases {
		t.Run(c.name, func(t *testing.T) {
			err := checkEventMatchesStd(t, []byte(c.in))
			assert.Equal(t, c.err, err != nil, "event error: %v", err)
			if c.in == "" || strings.TrimSpace(c.in) == "" {
				return
			}
			err = checkPageMatchesStd(t, inPage([]byte(c.in)))
			skipped := strings.HasSuffix(c.name, " event") && c.name != "null event"
			if !strings.HasPrefix(c.name, "nesting") { // a page nests two levels deeper
				assert.Equal(t, c.err && !skipped, err != nil, "page error: %v", err)
			}
			checkPageMatchesStd(t, inPage([]byte(c.in+","+c.in)))
		})
	}
}

var pageCases = []struct {
	name string
	in   string
	err  bool
}{
	{"empty items", `{"items":[],"paging":{"next":"n"}}`, false},
	{"items null", `{"items":null,"paging":{"next":"n"}}`, false},
	{"no items", `{"paging":{"next":"n","previous":"p"},"other":[1]}`, false},
	{"null page", `null`, false},
	{"empty page", `{}`, false},
	{"array page", `[]`, true},
	{"string page", `"x"`, true},
	{"items object", `{"items":{}}`, true},
	{"items string element", `{"items":["x"]}`, false},
	{"items of every kind", `{"items":["x",1,true,null,[{"id":"n"}],{"id":"a"},{}],"paging":{"next":"n"}}`, false},
	{"items skipped keep stale", `{"items":[{"id":"a"},{"id":"b"}],"items":[1,{"event":"y"}]}`, false},
	{"items number", `{"items":1}`, true},
	{"items string", `{"items":"x","paging":{}}`, true},
	{"items bad after good", `{"items":[{"id":"a"}],"items":true}`, true},
	{"paging null only", `{"items":[],"paging":null}`, false},
	{"paging object then null", `{"paging":{"next":"a"},"paging":null}`, false},
	{"paging next bool", `{"paging":{"next":true}}`, true},
	{"paging next object", `{"paging":{"next":{}}}`, true},
	{"paging string", `{"paging":"x"}`, true},
	{"paging mistyped other keys", `{"paging":{"previous":1,"first":[],"next":"n"}}`, false},
	{"items null element", `{"items":[null,{"id":"a"}]}`, false},
	{"items folded key", `{"ITEMS":[{"id":"a"}],"Paging":{"NEXT":"n"}}`, false},
	{"items escaped key", `{"\u0069tems":[{"id":"a"}],"pagin\u0067":{"n\u0065xt":"n"}}`, false},
	{"items repeated merge", `{"items":[{"id":"a","event":"x","tags":["t","u"]},{"id":"b"}],"items":[{"event":"y","tags":[null]}],"items":[null,null]}`, false},
	{"items repeated, then empty", `{"items":[{"id":"a"}],"items":[],"items":[null]}`, false},
	{"items repeated, then null", `{"items":[{"id":"a"}],"items":null}`, false},
	{"paging repeated merges", `{"paging":{"next":"a"},"paging":{"previous":"b"},"paging":null}`, false},
	{"paging next null", `{"paging":{"next":"a","next":null}}`, false},
	{"paging next number", `{"paging":{"next":1}}`, true},
	{"paging array", `{"paging":[]}`, true},
	{"nested items ignored", `{"paging":{"items":[1]},"x":{"items":[2]},"items":[{"id":"a"}]}`, false},
	{"items whitespace", "{ \"items\" : [ \n {\"id\":\"a\"} \t , {\"id\":\"b\"}\r\n ] }", false},
	{"trailing garbage", `{"items":[]}]`, true},
	{"truncated", `{"items":[{"id":"a"}`, true},
	{"page at the limit", `{"items":[{"user-variables":` + nested("[", "]", 9997, "") + `}]}`, false},
	{"page over the limit", `{"items":[{"user-variables":` + nested("[", "]", 9998, "") + `}]}`, true},
}

func TestEventsPageDecodeCasesMatchStd(t *testing.T) {
	for _, c := range pageCases {
		t.Run(c.name, func(t *testing.T) {
			err := checkPageMatchesStd(t, []byte(c.in))
			assert.Equal(t, c.err, err != nil, "error: %v", err)
		})
	}
}

func TestEventsDecodeExamplesMatchStd(t *testing.T) {
	bodies, events := exampleEventBodies(t)
	for _, b := range bodies {
		checkPageMatchesStd(t, b)
		checkEventMatchesStd(t, b)
	}
	for _, e := range events {
		checkEventMatchesStd(t, e)
		checkPageMatchesStd(t, inPage(e))
	}
	var all [][]byte
	all = append(all, events...)
	checkPageMatchesStd(t, inPage(bytes.Join(all, []byte(","))))
}

// TestEventsDecodeTruncatedMatchStd cuts the examples at many points.
func TestEventsDecodeTruncatedMatchStd(t *testing.T) {
	bodies, events := exampleEventBodies(t)
	for _, b := range append(bodies, events...) {
		b = bytes.TrimSpace(b)
		step := 1 + len(b)/500
		for n := 0; n < len(b); n += step {
			require.Error(t, checkPageMatchesStd(t, b[:n]))
			checkEventMatchesStd(t, b[:n])
		}
	}
}

// TestEventsDecodeKeepsNoInput checks that nothing decoded aliases the
// input, which callers may reuse.
func TestEventsDecodeKeepsNoInput(t *testing.T) {
	_, events := exampleEventBodies(t)
	body := inPage(bytes.Join(events, []byte(",")))
	var want eventsPage
	require.NoError(t, want.DecodeBody(bytes.Clone(body)))
	var got eventsPage
	require.NoError(t, got.DecodeBody(body))
	var one Event
	require.NoError(t, one.UnmarshalJSON(events[0]))
	wantOne := Event{}
	require.NoError(t, wantOne.UnmarshalJSON(bytes.Clone(events[0])))
	for i := range body {
		body[i] = '#'
	}
	for i := range events[0] {
		events[0][i] = '#'
	}
	assert.Equal(t, want, got)
	assert.Equal(t, wantOne, one)
}

func TestEventUnmarshalJSONReplacesAndKeepsOnError(t *testing.T) {
	e := Event{ID: "old", Tags: []string{"t"}, Flags: &EventFlags{IsAMP: new(bool)}}
	require.NoError(t, e.UnmarshalJSON([]byte(`{"event":"delivered"}`)))
	assert.Equal(t, Event{Event: EventDelivered, Raw: json.RawMessage(`{"event":"delivered"}`)}, e)
	before := e
	require.Error(t, e.UnmarshalJSON([]byte(`{"id":"x","code":}`)))
	assert.Equal(t, before, e)
}

// TestFoldKeyCoversUnicode checks foldKey's assumption: U+017F and U+212A
// are the only non-ASCII runes whose case folding (as encoding/json and
// bytes.EqualFold apply it) reaches an ASCII letter.
func TestFoldKeyCoversUnicode(t *testing.T) {
	var found []rune
	for r := rune(utf8RuneSelf); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8RuneSelf {
				found = append(found, r)
				break
			}
		}
	}
	assert.Equal(t, []rune{0x17F, 0x212A}, found)

	names := append([]string{"items", "paging", "next", "task-id", "is-text"}, deliveryStatusKeys...)
	for _, f := range clientInfoFields {
		names = append(names, f.name)
	}
	for _, name := range names {
		for _, key := range []string{name, strings.ToUpper(name), strings.ReplaceAll(name, "s", "\u017f"), strings.ReplaceAll(name, "k", "\u212a"), name + "\u017f", "\u00e9" + name} {
			assert.Equal(t, bytes.EqualFold([]byte(key), []byte(name)), string(key) == name || foldEquals([]byte(key), name), "%q against %q", key, name)
		}
	}
}

const utf8RuneSelf = 0x80

// FuzzEventsDecodeMatchesStd compares the events decoder with the former
// encoding/json decoding on arbitrary input, as a single event, as a page
// and as the items of a page, and on the event or page the generator
// builds from the same bytes: both must fail, or both give deeply equal
// results (Raw included).
func FuzzEventsDecodeMatchesStd(f *testing.F) {
	bodies, events := exampleEventBodies(f)
	for _, b := range bodies {
		f.Add(b)
	}
	for _, e := range events {
		f.Add(e)
	}
	for _, c := range decodeCases {
		if len(c.in) < 1000 {
			f.Add([]byte(c.in))
		}
	}
	for _, c := range pageCases {
		if len(c.in) < 1000 {
			f.Add([]byte(c.in))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkEventMatchesStd(t, data)
		checkPageMatchesStd(t, data)
		checkPageMatchesStd(t, inPage(data))
		// The same bytes as the choices of the generator.
		if b, page := generate(data); page {
			checkPageMatchesStd(t, b)
		} else {
			checkEventMatchesStd(t, b)
		}
	})
}

// benchPage builds a compact page of n events cycling through the
// examples, each with its own id and timestamp, as bench/ does.
func benchPage(tb testing.TB, n int) (body []byte, items [][]byte) {
	tb.Helper()
	_, events := exampleEventBodies(tb)
	for i := range n {
		var ev map[string]any
		d := json.NewDecoder(bytes.NewReader(events[i%len(events)]))
		d.UseNumber()
		require.NoError(tb, d.Decode(&ev))
		ev["id"] = fmt.Sprintf("bench-%06d-%s", i, ev["id"])
		ev["timestamp"] = json.Number(fmt.Sprintf("%.6f", 1529692198.641821+float64(i)*0.25))
		b, err := json.Marshal(ev)
		require.NoError(tb, err)
		items = append(items, b)
	}
	return inPage(bytes.Join(items, []byte(","))), items
}

func BenchmarkEventsDecodePage(b *testing.B) {
	body, _ := benchPage(b, 300)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var p eventsPage
		if err := p.DecodeBody(body); err != nil || len(p.items) != 300 {
			b.Fatal(err)
		}
	}
}

func BenchmarkEventsDecodeEach(b *testing.B) {
	body, items := benchPage(b, 300)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		for _, item := range items {
			var e Event
			if err := e.UnmarshalJSON(item); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// A generator of events from a byte string, so that the fuzzer's
// mutations explore structure (duplicates, merges, nulls, wrong types,
// folded and escaped keys) and not only syntax.

// shape describes what a key holds: kind 's' string, 'i' integer, 'f'
// float, 'b' bool, 't' timestamp, 'v' any value, 'x' template version,
// 'y' template is-text, 'o' object of keys, 'a' array of elem, 'r' routes.
type shape struct {
	kind byte
	elem *shape
	keys map[string]*shape
}

func obj(kv ...any) *shape {
	s := &shape{kind: 'o', keys: map[string]*shape{}}
	for i := 0; i < len(kv); i += 2 {
		s.keys[kv[i].(string)] = kv[i+1].(*shape)
	}
	return s
}

func arr(elem *shape) *shape { return &shape{kind: 'a', elem: elem} }

var (
	sS, sI, sF, sB = &shape{kind: 's'}, &shape{kind: 'i'}, &shape{kind: 'f'}, &shape{kind: 'b'}
	sT, sV         = &shape{kind: 't'}, &shape{kind: 'v'}

	routeShape = obj("id", sS, "expression", sS, "description", sS, "actions", sS, "priority", sI, "match", obj("recipient", sS))
	eventShape = obj(
		"id", sS, "event", sS, "timestamp", sT, "log-level", sS, "recipient", sS, "recipient-domain", sS,
		"recipient-provider", sS, "method", sS, "originating-ip", sS, "api-key-id", sS, "primary-dkim", sS,
		"severity", sS, "reason", sS, "url", sS, "ip", sS, "tags", arr(sS), "campaigns", arr(obj("id", sS, "name", sS)),
		"user-variables", sV,
		"envelope", obj("sender", sS, "targets", sS, "transport", sS, "sending-ip", sS, "sending-host", sS, "mail-from", sS, "i-ip-pool-id", sS),
		"message", obj("headers", obj("to", sS, "from", sS, "message-id", sS, "subject", sS),
			"attachments", arr(obj("filename", sS, "content-type", sS, "size", sI)), "recipients", arr(sS), "size", sI, "scheduled-for", sS),
		"flags", obj("is-authenticated", sB, "is-routed", sB, "is-system-test", sB, "is-test-mode", sB, "is-delayed-bounce", sB,
			"is-amp", sB, "is-encrypted", sB, "is-big", sB, "is-callback", sB),
		"delivery-status", obj("code", sI, "enhanced-code", sS, "message", sS, "description", sS, "attempt-no", sI, "mx-host", sS,
			"retry-seconds", sI, "session-seconds", sF, "first-delivery-attempt-seconds", sF, "tls", sB, "utf8", sB,
			"certificate-verified", sB, "last-code", sI, "last-message", sS, "bounce-type", sS, "bounce-code", sS),
		"reject", obj("reason", sS, "description", sS),
		"storage", obj("key", sS, "url", sS, "region", sS, "env", sS),
		"geolocation", obj("country", sS, "region", sS, "city", sS, "timezone", sS),
		"client-info", obj("client-type", sS, "client-os", sS, "client-name", sS, "device-type", sS, "user-agent", sS, "bot", sS, "ip", sS, "accept-language", sS),
		"mailing-list", obj("address", sS, "list-id", sS, "sid", sS),
		"routes", &shape{kind: 'r'},
		"batch", obj("id", sS),
		"template", obj("name", sS, "version", &shape{kind: 'x'}, "is-text", &shape{kind: 'y'}),
		"task-id", sS, "format", sS, "member", obj("address", sS, "name", sS, "subscribed", sB), "member-description", sS,
		"error", obj("message", sS), "subscribed", sB, "is-upsert", sB, "upserted-count", sI, "failed-count", sI,
	)
	pageShape = obj("items", arr(eventShape), "paging", obj("next", sS, "previous", sS))
)

var (
	genStrings = []string{`""`, `"a"`, `"delivered"`, `"x\"y\\z"`, `"\u00e9\uD83D\uDE00"`, `"\uD800"`, `"\uDC00\uD800"`,
		"\"\xff\xfe\"", "\"\xc3\"", `"\u0000"`, `"1529692199.5"`, `"true"`, `"1"`, `"T"`, `"\/\b\f\n\r\t"`, `"long string with spaces and \u003ctags\u003e"`}
	genNumbers = []string{`0`, `-0`, `1`, `-1`, `250`, `1.5`, `1e3`, `1E-2`, `-1.25`, `9223372036854775807`, `9223372036854775808`,
		`-9223372036854775809`, `1e400`, `1e-400`, `1529692199.626182`, `1666214138.4046676`, `123456789012345678901234567890`, `0.5e1`}
	genOthers = []string{`null`, `true`, `false`, `{}`, `[]`, `[null]`, `{"a":[1,{"b":null}]}`, `[1,"x",true]`}
	genSpace  = []string{"", "", "", " ", "\n\t", "\r\n "}
)

type generator struct {
	src []byte
	out []byte
}

func (g *generator) next() int {
	if len(g.src) == 0 {
		return 0
	}
	c := g.src[0]
	g.src = g.src[1:]
	return int(c)
}

func (g *generator) pick(list []string) string { return list[g.next()%len(list)] }

func (g *generator) ws() { g.out = append(g.out, g.pick(genSpace)...) }

// key writes name, or a variant encoding/json matches the same way, or
// another key.
func (g *generator) key(name string) {
	switch g.next() % 16 {
	case 0:
		name = strings.ToUpper(name)
	case 1:
		name = strings.ReplaceAll(name, "s", "\u017f")
	case 2:
		name = strings.ReplaceAll(name, "k", "\u212a")
	case 3:
		name = strings.ReplaceAll(name, "S", "s")
	case 4:
		name = "x-" + name
	case 5:
		name = name[:len(name)/2]
	}
	q, _ := json.Marshal(name)
	if g.next()%8 == 0 && len(name) > 0 && name[0] < 0x80 {
		q = fmt.Appendf(nil, `"\u%04x%s`, name[0], q[2:])
	}
	g.out = append(g.out, q...)
}

func (g *generator) value(s *shape, depth int) {
	g.ws()
	c := g.next()
	if c%48 == 0 || depth > 6 {
		g.out = append(g.out, g.pick(genOthers)...) // null, or most often the wrong type
		return
	}
	if c%48 == 1 {
		g.out = append(g.out, g.pick(genStrings)...)
		return
	}
	if c%48 == 2 {
		g.out = append(g.out, g.pick(genNumbers)...)
		return
	}
	switch s.kind {
	case 's':
		g.out = append(g.out, g.pick(genStrings)...)
	case 'i':
		g.out = append(g.out, g.pick(genNumbers[:12])...)
	case 'f':
		g.out = append(g.out, g.pick(genNumbers)...)
	case 'b':
		g.out = append(g.out, g.pick([]string{"true", "false"})...)
	case 't':
		g.out = append(g.out, g.pick([]string{`1529692199.626182`, `"1529692199.5"`, `1.5e9`, `0`, `-1.25`, `null`})...)
	case 'x', 'y':
		g.out = append(g.out, g.pick([]string{`"v2"`, `3`, `1.50`, `true`, `"true"`, `"false"`, `0`, `1`, `"maybe"`})...)
	case 'v':
		g.out = append(g.out, g.pick(append(genOthers, genStrings...))...)
	case 'r':
		if c%4 == 0 {
			g.value(routeShape, depth+1)
		} else {
			g.value(arr(routeShape), depth)
		}
	case 'a':
		g.out = append(g.out, '[')
		for i := range g.next() % 4 {
			if i > 0 {
				g.out = append(g.out, ',')
			}
			g.value(s.elem, depth+1)
		}
		g.out = append(g.out, ']')
	case 'o':
		names := make([]string, 0, len(s.keys))
		for k := range s.keys {
			names = append(names, k)
		}
		sort.Strings(names)
		g.out = append(g.out, '{')
		for i := range g.next() % 7 {
			if i > 0 {
				g.out = append(g.out, ',')
			}
			name := names[g.next()%len(names)]
			g.ws()
			g.key(name)
			g.ws()
			g.out = append(g.out, ':')
			g.value(s.keys[name], depth+1)
		}
		g.out = append(g.out, '}')
	}
	g.ws()
}

// generate builds an event (or, for odd first bytes, a page) from src.
func generate(src []byte) (out []byte, page bool) {
	g := &generator{src: src}
	page = g.next()%2 == 1
	if page {
		g.value(pageShape, -1)
	} else {
		g.value(eventShape, 0)
	}
	return g.out, page
}

func TestEventsDecodeGeneratedMatchStd(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]byte, 400)
	errs := 0
	for range 20000 {
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		b, page := generate(src)
		var err error
		if page {
			err = checkPageMatchesStd(t, b)
		} else {
			err = checkEventMatchesStd(t, b)
			checkPageMatchesStd(t, inPage(b))
		}
		if err != nil {
			errs++
		}
	}
	t.Logf("%d of 20000 generated inputs are errors", errs)
}
