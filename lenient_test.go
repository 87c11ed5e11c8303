package mailgun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Mistyping is a list item with one value, at any depth, replaced by a
// value of another JSON type.
type Mistyping struct {
	Path string // such as "template.is-text" or "tags[1]"
	Item []byte // the item with the bad value
	// Without is the item as the list rule reads it: the member removed,
	// or the array element null.
	Without []byte
}

// badValues replace each value of an item, those of its own JSON kind
// excepted.
var badValues = []string{`"yes"`, `"1"`, `3`, `1.5`, `true`, `{}`, `{"k":[1]}`, `[]`, `["x",2]`}

// Mistypings returns every mistyping of item, a JSON object: each value
// (members and array elements, nested ones too) replaced by each bad value
// of another kind. Exported for the tests of package mailgun_test.
func Mistypings(t testing.TB, item []byte) []Mistyping {
	t.Helper()
	root := decodeTree(t, item)
	var paths [][]any
	var collect func(path []any, v any)
	collect = func(path []any, v any) {
		if len(path) > 0 {
			paths = append(paths, append([]any(nil), path...))
		}
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				collect(append(path, k), e)
			}
		case []any:
			for i, e := range v {
				collect(append(path, i), e)
			}
		}
	}
	collect(nil, root)
	var out []Mistyping
	for _, path := range paths {
		orig := valueAt(root, path)
		for _, bad := range badValues {
			bv := decodeTree(t, []byte(bad))
			if kindOf(bv) == kindOf(orig) {
				continue
			}
			m := Mistyping{Path: pathString(path)}
			m.Item = encodeTree(t, replaced(root, path, func(any) (any, bool) { return bv, true }))
			m.Without = encodeTree(t, replaced(root, path, func(any) (any, bool) { return nil, false }))
			out = append(out, m)
		}
	}
	require.NotEmpty(t, out)
	return out
}

func decodeTree(t testing.TB, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	require.NoError(t, d.Decode(&v))
	return v
}

func encodeTree(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

func valueAt(v any, path []any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			v = v.(map[string]any)[p]
		case int:
			v = v.([]any)[p]
		}
	}
	return v
}

// replaced returns a copy of v with the value at path changed by f: the
// value f returns, or, when f returns false, no member (in an object) or
// null (in an array).
func replaced(v any, path []any, f func(any) (any, bool)) any {
	if len(path) == 0 {
		nv, _ := f(v)
		return nv
	}
	switch p := path[0].(type) {
	case string:
		m := map[string]any{}
		for k, e := range v.(map[string]any) {
			m[k] = e
		}
		if len(path) == 1 {
			if nv, ok := f(m[p]); ok {
				m[p] = nv
			} else {
				delete(m, p)
			}
			return m
		}
		m[p] = replaced(m[p], path[1:], f)
		return m
	default:
		i := p.(int)
		s := append([]any(nil), v.([]any)...)
		if len(path) == 1 {
			nv, _ := f(s[i])
			s[i] = nv
			return s
		}
		s[i] = replaced(s[i], path[1:], f)
		return s
	}
}

func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		}
	}
	return b.String()
}

// fullValue builds a well-typed value of shape s with every key present.
func fullValue(s *shape) any {
	switch s.kind {
	case 's':
		return "v"
	case 'i':
		return json.Number("7")
	case 'f':
		return json.Number("1.5")
	case 'b', 'y':
		return true
	case 't':
		return json.Number("1529692199.626182")
	case 'v':
		return map[string]any{"k": "v"}
	case 'x':
		return "2"
	case 'r':
		return []any{fullValue(routeShape), fullValue(routeShape)}
	case 'a':
		return []any{fullValue(s.elem), fullValue(s.elem)}
	case 'o':
		m := map[string]any{}
		for k, v := range s.keys {
			m[k] = fullValue(v)
		}
		return m
	}
	panic("unknown shape")
}

// TestEventsPageKeepsEveryItemWithAMistypedField decodes one page whose
// items are an event with every field set, each with one value of an
// unexpected type (template.is-text as "yes", 3, {} ... and every other
// field, nested ones too): every item comes back, reads as the event
// without that value, and keeps its bytes in Raw.
func TestEventsPageKeepsEveryItemWithAMistypedField(t *testing.T) {
	full, err := json.Marshal(fullValue(eventShape))
	require.NoError(t, err)
	var want Event
	require.NoError(t, stdUnmarshalEvent(&want, full))
	require.NotNil(t, want.Template)
	require.NotNil(t, want.Template.IsText)

	ms := Mistypings(t, full)
	var paths []string
	items := make([][]byte, len(ms))
	for i, m := range ms {
		items[i] = m.Item
		paths = append(paths, m.Path)
	}
	assert.Contains(t, paths, "template.is-text")
	assert.Contains(t, paths, "delivery-status.code")
	assert.Contains(t, paths, "message.attachments[1].size")
	body := inPage(bytes.Join(items, []byte(",")))
	checkPageMatchesStd(t, body)

	var p eventsPage
	require.NoError(t, p.DecodeBody(body))
	require.Len(t, p.items, len(ms), "every item comes back")
	mistyped := 0
	for i, m := range ms {
		assert.Equal(t, string(m.Item), string(p.items[i].Raw), m.Path)
		if stdDecodeEvent(m.Item) == nil {
			continue // the value fits the field after all, as "1" for is-text
		}
		mistyped++
		var w Event
		require.NoError(t, w.UnmarshalJSON(m.Without), m.Path)
		w.Raw = p.items[i].Raw
		if !reflect.DeepEqual(w, p.items[i]) {
			t.Errorf("%s = %s:\n got %s\nwant %s", m.Path, m.Item, dumpEvent(p.items[i]), dumpEvent(w))
		}
	}
	t.Logf("%d items, %d with a value of the wrong type", len(ms), mistyped)
	assert.Greater(t, mistyped, 500)

	// The example: template.is-text as "yes", "1" and 3.
	for _, isText := range []string{`"yes"`, `"1"`, `3`} {
		body := fmt.Appendf(nil, `{"items":[{"id":"a","template":{"name":"t","is-text":%s}},{"id":"b"}],"paging":{"next":"n"}}`, isText)
		var p eventsPage
		require.NoError(t, p.DecodeBody(body), isText)
		require.Len(t, p.items, 2)
		assert.Equal(t, "t", p.items[0].Template.Name)
		if isText == `"1"` {
			assert.Equal(t, new(true), p.items[0].Template.IsText)
		} else {
			assert.Nil(t, p.items[0].Template.IsText, isText)
		}
	}
}

func TestPruneItem(t *testing.T) {
	type item struct {
		A string
		B []int
		C *struct{ D bool }
		T time.Time
	}
	decode := func(b []byte) error { var v item; return json.Unmarshal(b, &v) }
	for _, c := range []struct{ in, want string }{
		{`{"A":"x"}`, `{"A":"x"}`},
		{` {"A":1,"B":[1,"x",2.5,3],"C":{"D":"no","E":1}} `, `{"B":[1,null,null,3],"C":{"E":1}}`},
		{`{"A":"a","A":{},"A":"b","A":[]}`, `{"A":"a","A":"b"}`},
		{`{"C":[],"T":"yesterday","B":{}}`, `{}`},
		{`{"T":"2024-01-02T03:04:05Z","\u0041":true}`, `{"T":"2024-01-02T03:04:05Z"}`},
	} {
		got, ok := pruneItem([]byte(c.in), decode)
		require.True(t, ok, c.in)
		assert.Equal(t, c.want, string(got), c.in)
	}
	for _, bad := range []string{`"x"`, `[1]`, `1`, `{"A":`} {
		_, ok := pruneItem([]byte(bad), decode)
		assert.False(t, ok, bad)
	}
}

func TestPruneItemBudget(t *testing.T) {
	// Every one of many members is unreadable: pruning gives up within
	// its budget instead of trying for a long time.
	var b strings.Builder
	b.WriteString(`{"A":"a"`)
	for range 5000 {
		b.WriteString(`,"A":1`)
	}
	b.WriteString(`}`)
	calls := 0
	_, ok := pruneItem([]byte(b.String()), func(doc []byte) error {
		calls++
		var v struct{ A string }
		return json.Unmarshal(doc, &v)
	})
	assert.False(t, ok)
	assert.LessOrEqual(t, calls, pruneBudget)
}

func TestLenientList(t *testing.T) {
	type item struct {
		N  int    `json:"n"`
		S  string `json:"s"`
		At time.Time
	}
	var l lenientList[item]
	require.NoError(t, json.Unmarshal([]byte(`[{"n":1,"s":"a"},null,"x",7,[],{"n":"2","s":"b","At":"soon"},{"n":3}]`), &l))
	assert.Equal(t, lenientList[item]{{N: 1, S: "a"}, {S: "b"}, {N: 3}}, l)

	require.NoError(t, json.Unmarshal([]byte(`null`), &l))
	assert.Nil(t, l)
	for _, bad := range []string{`{}`, `"x"`, `1`, `true`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &l), bad)
	}
	var page struct {
		Items lenientList[item] `json:"items"`
		Total lenient[int64]    `json:"total"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"items":[{"n":1}],"total":"many"}`), &page))
	assert.Len(t, page.Items, 1)
	assert.Zero(t, page.Total.V)
	assert.Error(t, json.Unmarshal([]byte(`{"items":{"n":1}}`), &page))
}

// CheckListTolerance checks the list rule on a list of T: page(items)
// builds a response body around the given items, and list decodes one
// (through the SDK) into its items. A page holding item once per
// Mistyping must come back whole, each mistyped item read as the item
// without the bad value. strict tells whether a value fits the item type
// without the list rule; nil means json.Unmarshal into a T. Exported for
// the tests of package mailgun_test.
func CheckListTolerance[T any](t *testing.T, item []byte, strict func([]byte) error, page func(items [][]byte) []byte, list func(t *testing.T, body []byte) ([]T, error)) {
	t.Helper()
	if strict == nil {
		strict = func(b []byte) error { var v T; return json.Unmarshal(b, &v) }
	}
	require.NoError(t, strict(item), "the base item is well-typed")
	ms := Mistypings(t, item)
	items := make([][]byte, len(ms))
	for i, m := range ms {
		items[i] = m.Item
	}
	got, err := list(t, page(items))
	require.NoError(t, err)
	require.Len(t, got, len(ms), "every item comes back")
	mistyped := 0
	for i, m := range ms {
		if strict(m.Item) == nil {
			continue // the value fits the field after all
		}
		mistyped++
		want, err := list(t, page([][]byte{m.Without}))
		require.NoError(t, err, m.Path)
		require.Len(t, want, 1)
		assert.Equal(t, want[0], got[i], "%s = %s", m.Path, m.Item)
	}
	t.Logf("%d items, %d with a value of the wrong type", len(ms), mistyped)
	assert.NotZero(t, mistyped)
}

// FuzzLenientList: no input panics, and a list that decodes holds only
// items that decode strictly once pruned.
func FuzzLenientList(f *testing.F) {
	f.Add([]byte(`[{"id":"a","event":1,"@timestamp":"x","template":{"is-text":"yes"}},"x",null,[]]`))
	f.Add([]byte(`[{"message":{"headers":[1],"attachments":[{"size":"1"},7]},"tags":[1,"a"]}]`))
	f.Add([]byte(`{"items":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var l lenientList[LogItem]
		if json.Unmarshal(b, &l) != nil {
			return
		}
		for _, it := range l {
			out, err := json.Marshal(it)
			require.NoError(t, err)
			var back LogItem
			require.NoError(t, json.Unmarshal(out, &back))
		}
	})
}
