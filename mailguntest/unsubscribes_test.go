package mailguntest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestUnsubscribeAnswers(t *testing.T) {
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC) }))
	const form = "application/x-www-form-urlencoded"
	const base = "/v3/example.com/unsubscribes"

	status, body := suppCall(t, srv, http.MethodPost, base, form, strings.NewReader("address=bob%2Bnews%40example.com&tag=news"))
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Address has been added to the unsubscribes table","address":"bob+news@example.com"}`, string(body))
	// The reference's field name "tags" is read too, and tags add up.
	status, _ = suppCall(t, srv, http.MethodPost, base, form, strings.NewReader("address=bob%2Bnews%40example.com&tags=promo&tag=news"))
	assert.Equal(t, http.StatusOK, status)

	status, body = suppCall(t, srv, http.MethodGet, base+"/bob%2Bnews%40example.com", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"address":"bob+news@example.com","tags":["news","promo"],"created_at":"Thu, 11 Dec 2025 01:49:40 UTC"}`, string(body))

	// No tag is "*"; JSON batches carry tag arrays.
	status, _ = suppCall(t, srv, http.MethodPost, base, form, strings.NewReader("address=carol%40example.com"))
	assert.Equal(t, http.StatusOK, status)
	status, body = suppCall(t, srv, http.MethodPost, base, "application/json",
		strings.NewReader(`[{"address":"dan@example.com","tags":["a","b"]},{"address":"erin@example.com","tag":"legacy","created_at":"Thu, 13 Oct 2011 18:02:00 -0500"}]`))
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"2 addresses have been added to the unsubscribes table"}`, string(body))
	p, keys := suppGetPage(t, srv, base)
	assert.Equal(t, []string{"bob+news@example.com", "carol@example.com", "dan@example.com", "erin@example.com"}, keys)
	var items []mailgun.Unsubscribe
	require.NoError(t, json.Unmarshal(p.Items, &items))
	assert.Equal(t, []string{"*"}, items[1].Tags)
	assert.Equal(t, []string{"a", "b"}, items[2].Tags)
	assert.Equal(t, []string{"legacy"}, items[3].Tags)
	assert.True(t, items[3].CreatedAt.Equal(time.Date(2011, 10, 13, 23, 2, 0, 0, time.UTC)))

	for name, tc := range map[string]struct{ ctype, body string }{
		"no address":       {form, "tag=x"},
		"not an address":   {form, "address=bob"},
		"blank tag":        {form, "address=bob%40x.io&tag=+"},
		"bad created_at":   {form, "address=bob%40x.io&created_at=soon"},
		"tags not strings": {"application/json", `[{"address":"bob@x.io","tags":[1]}]`},
		"tags a string":    {"application/json", `[{"address":"bob@x.io","tags":"x"}]`},
		"JSON object":      {"application/json", `{"address":"bob@x.io"}`},
		"one bad record":   {"application/json", `[{"address":"ok@x.io"},{"address":"bad"}]`},
	} {
		status, body := suppCall(t, srv, http.MethodPost, base, tc.ctype, strings.NewReader(tc.body))
		assert.Equal(t, http.StatusBadRequest, status, name)
		assert.Contains(t, string(body), `"message"`, name)
	}
	assert.Len(t, srv.Unsubscribes("example.com"), 4, "nothing of a rejected request was stored")

	status, body = suppCall(t, srv, http.MethodDelete, base+"/dan%40example.com", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Unsubscribe event has been removed","address":"dan@example.com"}`, string(body))
	status, body = suppCall(t, srv, http.MethodGet, base+"/dan%40example.com", "", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, `{"message":"Address not found in unsubscribers table"}`, string(body))
	status, body = suppCall(t, srv, http.MethodDelete, base, "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Unsubscribe addresses for this domain have been removed"}`, string(body))
	assert.Empty(t, srv.Unsubscribes("example.com"))
}

func TestSuppressionBatchLimits(t *testing.T) {
	srv := mailguntest.NewServer(t)
	batch := func(n int) *bytes.Reader {
		var b strings.Builder
		b.WriteByte('[')
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"address":"u%d@x.io"}`, i)
		}
		b.WriteByte(']')
		return bytes.NewReader([]byte(b.String()))
	}
	for _, list := range []string{"bounces", "unsubscribes", "complaints"} {
		status, body := suppCall(t, srv, http.MethodPost, "/v3/example.com/"+list, "application/json", batch(1000))
		assert.Equal(t, http.StatusBadRequest, status, list)
		assert.JSONEq(t, `{"message":"Batch size should be less than 1000"}`, string(body), list)
		status, _ = suppCall(t, srv, http.MethodPost, "/v3/example.com/"+list, "application/json", batch(999))
		assert.Equal(t, http.StatusOK, status, list)
	}
	assert.Len(t, srv.Bounces("example.com"), 999)
	assert.Len(t, srv.Unsubscribes("example.com"), 999)
	assert.Len(t, srv.Complaints("example.com"), 999)
}

func TestUnsubscribeImportCSV(t *testing.T) {
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }))
	ctype, body := suppMultipart(t, "Tags,Address\nnews,alice@example.com\n,bob@example.com\nx,nobody\n")
	status, resp := suppCall(t, srv, http.MethodPost, "/v3/example.com/unsubscribes/import", ctype, body)
	assert.Equal(t, http.StatusAccepted, status)
	assert.JSONEq(t, `{"message":"file uploaded successfully for processing. standby..."}`, string(resp))
	assert.Equal(t, []mailgun.Unsubscribe{
		{Address: "alice@example.com", Tags: []string{"news"}, CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Address: "bob@example.com", Tags: []string{"*"}, CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
	}, srv.Unsubscribes("example.com"))

	// Another list's columns are refused, as the API does.
	ctype, body = suppMultipart(t, "address,code\nalice@example.com,550\n")
	status, resp = suppCall(t, srv, http.MethodPost, "/v3/example.com/unsubscribes/import", ctype, body)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.JSONEq(t, `{"message":"while reading csv header"}`, string(resp))
}

func TestUnsubscribesSeedingAndLookup(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return now }))
	seed := []mailgun.Unsubscribe{{Address: "b@example.com"}, {Address: "a@example.com", Tags: []string{"x", "x", "y"}, CreatedAt: now.Add(-time.Hour)}}
	srv.AddUnsubscribes("example.com", seed...)
	assert.Nil(t, seed[0].Tags, "the caller's slice is not modified")
	assert.Equal(t, []mailgun.Unsubscribe{
		{Address: "a@example.com", Tags: []string{"x", "y"}, CreatedAt: now.Add(-time.Hour)},
		{Address: "b@example.com", Tags: []string{"*"}, CreatedAt: now},
	}, srv.Unsubscribes("example.com"))
	srv.AddUnsubscribes("example.com", mailgun.Unsubscribe{Address: "a@example.com", Tags: []string{"z"}})
	assert.Equal(t, []string{"x", "y", "z"}, srv.Unsubscribes("example.com")[0].Tags, "tags add up")
	assert.Empty(t, srv.Unsubscribes("other.example"))

	assert.True(t, srv.Unsubscribed("example.com", "a@example.com", "y"))
	assert.False(t, srv.Unsubscribed("example.com", "a@example.com", "w"))
	assert.True(t, srv.Unsubscribed("example.com", "b@example.com"))
	assert.True(t, srv.Unsubscribed("example.com", "B@Example.com"), "a recipient is matched in any letter case")
	assert.False(t, srv.Unsubscribed("other.example", "b@example.com"))
}
