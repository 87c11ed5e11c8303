package mailguntest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mgkit/mailgun"
)

func TestWithEmptyLists(t *testing.T) {
	none, tagged := &mailgun.Event{}, &mailgun.Event{Tags: []string{"x"}}
	for _, tt := range []struct {
		raw  string
		e    *mailgun.Event
		want string
	}{
		{`{}`, none, `{"tags":[],"campaigns":[]}`},
		{` { } `, none, `{"tags":[],"campaigns":[] }`},
		{`{"event":"delivered"}`, none, `{"tags":[],"campaigns":[],"event":"delivered"}`},
		{`{"tags":["x"]}`, tagged, `{"campaigns":[],"tags":["x"]}`},
		{`null`, none, `null`},
		{`{`, none, `{`},
	} {
		assert.Equal(t, tt.want, string(withEmptyLists([]byte(tt.raw), tt.e)), tt.raw)
	}
}
