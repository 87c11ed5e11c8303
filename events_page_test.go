package mailgun

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawItems is what itemsOf must agree with: the items as encoding/json sees them.
func rawItems(t testing.TB, b []byte) [][]byte {
	var v struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not valid: %v", err)
	}
	out := make([][]byte, len(v.Items))
	for i, r := range v.Items {
		out[i] = r
	}
	return out
}

func TestItemsOf(t *testing.T) {
	cases := []string{
		`{"items":[{"a":1},{"b":[1,2,{"c":"]}"}]}],"paging":{"next":"x"}}`,
		` { "paging" : {"items":[9]} , "items" : [ {"s":"quote \" and \\ and [ { "} , 1, "str", null, true, [[]] ] } `,
		`{"x":"\"items\":[1]","items":[]}`,
		`{"items":null}`,
		`{"paging":{}}`,
		"{\"items\":[\n\t{\"id\":\"a\"},\n\t{\"id\":\"b\"}\n]}",
		`{"items":[-1.5e3,0,{"k":{}}]}`,
		`{"items":[1],"ITEMS":[2,3]}`,
		`{"items":[1],"\u0069tems":[2]}`,
	}
	for _, c := range cases {
		b := []byte(c)
		want := rawItems(t, b)
		got := itemsOf(b)
		require.Len(t, got, len(want), c)
		for i := range want {
			assert.Equal(t, string(bytes.TrimSpace(want[i])), string(got[i]), c)
		}
	}
}

func FuzzItemsOf(f *testing.F) {
	f.Add([]byte(`{"items":[{"a":"b"},[1,"]"],null],"paging":{"next":""}}`))
	f.Add([]byte(`{"k":"\\\"","items":["\u005d"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v struct {
			Items []json.RawMessage `json:"items"`
		}
		if json.Unmarshal(b, &v) != nil || !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
			return
		}
		got := itemsOf(b)
		if got == nil {
			return // no top-level items array found: the decoder falls back
		}
		if len(got) != len(v.Items) {
			t.Fatalf("got %d items, want %d", len(got), len(v.Items))
		}
		for i := range got {
			if !bytes.Equal(got[i], bytes.TrimSpace(v.Items[i])) {
				t.Fatalf("item %d: got %q, want %q", i, got[i], v.Items[i])
			}
		}
	})
}

func TestEventsPageDecodesRawOnce(t *testing.T) {
	body := []byte(`{"items":[{"id":"1","event":"delivered","timestamp":1529692199.626182,"routes":{"id":"r"}},{"id":"2","event":"brand_new","user-variables":null,"extra":{"k":[1]}}],"paging":{"next":"https://api.mailgun.net/v3/d/events/T"}}`)
	var p eventsPage
	require.NoError(t, p.DecodeBody(body))
	require.Len(t, p.items, 2)
	assert.Equal(t, `{"id":"1","event":"delivered","timestamp":1529692199.626182,"routes":{"id":"r"}}`, string(p.items[0].Raw))
	assert.Equal(t, int64(1529692199626182), p.items[0].Timestamp.UnixMicro())
	assert.Len(t, p.items[0].Routes, 1)
	assert.Equal(t, EventName("brand_new"), p.items[1].Event)
	assert.Nil(t, p.items[1].UserVariables)
	assert.Contains(t, string(p.items[1].Raw), `"extra":{"k":[1]}`)
	assert.Equal(t, "https://api.mailgun.net/v3/d/events/T", p.next)

	// Raw must not alias the (reused) body buffer.
	for i := range body {
		body[i] = ' '
	}
	assert.Contains(t, string(p.items[0].Raw), `"delivered"`)

	// Each page decodes the same as events decoded one by one.
	var one Event
	require.NoError(t, json.Unmarshal([]byte(`{"id":"1","event":"delivered","timestamp":1529692199.626182,"routes":{"id":"r"}}`), &one))
	assert.Equal(t, one, p.items[0])
}
