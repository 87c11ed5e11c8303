package mailgun

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
