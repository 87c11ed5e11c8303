package mailguntest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestComplaintAnswers(t *testing.T) {
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC) }))
	const base = "/v3/example.com/complaints"

	status, body := suppCall(t, srv, http.MethodPost, base, "application/x-www-form-urlencoded", strings.NewReader("address=a%2Fb%40example.com"))
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Address has been added to the complaints table","address":"a/b@example.com"}`, string(body))
	status, body = suppCall(t, srv, http.MethodGet, base+"/a%2Fb%40example.com", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"address":"a/b@example.com","created_at":"Thu, 11 Dec 2025 01:49:40 UTC"}`, string(body))

	status, body = suppCall(t, srv, http.MethodPost, base, "application/json",
		strings.NewReader(`[{"address":"c@example.com","created_at":"Thu, 13 Oct 2011 18:02:00 +0000"},{"address":"d@example.com"}]`))
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"2 complaint addresses have been added to the complaints table"}`, string(body))
	_, keys := suppGetPage(t, srv, base+"?limit=2")
	assert.Equal(t, []string{"a/b@example.com", "c@example.com"}, keys)

	for name, tc := range map[string]struct{ ctype, body string }{
		"no address":      {"application/x-www-form-urlencoded", "created_at=x"},
		"bad created_at":  {"application/x-www-form-urlencoded", "address=e%40x.io&created_at=soon"},
		"address number":  {"application/json", `[{"address":5}]`},
		"not JSON":        {"application/json", `[{`},
		"multipart empty": {"multipart/form-data; boundary=x", "--x--\r\n"},
	} {
		status, body := suppCall(t, srv, http.MethodPost, base, tc.ctype, strings.NewReader(tc.body))
		assert.Equal(t, http.StatusBadRequest, status, name)
		assert.Contains(t, string(body), `"message"`, name)
	}
	assert.Len(t, srv.Complaints("example.com"), 3)

	status, body = suppCall(t, srv, http.MethodDelete, base+"/d%40example.com", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Spam complaint has been removed","address":"d@example.com"}`, string(body))
	status, body = suppCall(t, srv, http.MethodDelete, base+"/d%40example.com", "", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, `{"message":"No spam complaints found for this address"}`, string(body))
	status, body = suppCall(t, srv, http.MethodDelete, base, "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Complaint addresses for this domain have been removed"}`, string(body))
	assert.Empty(t, srv.Complaints("example.com"))
}

func TestComplaintsSeedingAndLookup(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return now }))
	srv.AddComplaints("example.com", mailgun.Complaint{Address: "b@example.com"}, mailgun.Complaint{Address: "a@example.com", CreatedAt: now.Add(-time.Hour)})
	assert.Equal(t, []mailgun.Complaint{
		{Address: "a@example.com", CreatedAt: now.Add(-time.Hour)},
		{Address: "b@example.com", CreatedAt: now},
	}, srv.Complaints("example.com"))
	assert.True(t, srv.Complained("example.com", "a@example.com"))
	assert.False(t, srv.Complained("example.com", "c@example.com"))
	assert.False(t, srv.Complained("other.example", "a@example.com"))

	// Seeded complaints are what the API serves.
	got, err := srv.Client().Complaints.Get(t.Context(), "example.com", "b@example.com")
	if assert.NoError(t, err) {
		assert.True(t, got.CreatedAt.Equal(now))
	}
}
