package mailgun_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/mailguntest"
)

const usComplaints = "https://api.mailgun.net/v3/example.com/complaints"

func TestComplaintsWire(t *testing.T) {
	ctx := context.Background()
	ok := fixture(t, "examples/complaints/post-v3-domain-complaints.200.json")

	t.Run("Add", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usComplaints, 200, ok)
		require.NoError(t, c.Complaints.Add(ctx, "example.com", mailgun.ComplaintInput{Address: "bob@example.com"}))
		require.NoError(t, c.Complaints.Add(ctx, "example.com", mailgun.ComplaintInput{
			Address: "bob@example.com", CreatedAt: time.Date(2011, 10, 13, 18, 2, 0, 0, time.UTC),
		}))
		sent := m.sent()
		require.Len(t, sent, 2)
		assert.Equal(t, http.MethodPost, sent[0].Method)
		assert.Equal(t, "/v3/example.com/complaints", sent[0].RequestURI)
		assert.Equal(t, "application/x-www-form-urlencoded", sent[0].Header.Get("Content-Type"))
		assert.Equal(t, "address=bob%40example.com", string(sent[0].Body))
		assert.Equal(t, suppressionFormOf(t, "examples/complaints/post-v3-domain-complaints.request-form.json").Encode(), string(sent[1].Body))
	})

	t.Run("AddMany", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usComplaints, 200, ok)
		require.NoError(t, c.Complaints.AddMany(ctx, "example.com", []mailgun.ComplaintInput{
			{Address: "alice@example.com", CreatedAt: time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC)},
			{Address: "bob@example.com"},
		}))
		req := m.only(t)
		assert.Equal(t, "/v3/example.com/complaints", req.RequestURI)
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		assertJSONEqual(t, []byte(`[{"address":"alice@example.com","created_at":"Thu, 11 Dec 2025 01:49:40 +0000"},{"address":"bob@example.com"}]`), req.Body)
	})

}

func TestComplaintsRequestAndResponseExamples(t *testing.T) {
	ctx := context.Background()
	k := contracttest.Load(t)
	form := suppressionFormOf(t, "examples/complaints/post-v3-domain-complaints.request-form.json")
	require.NoError(t, k.CheckRequestExample(http.MethodPost, "/v3/example.com/complaints", "application/x-www-form-urlencoded", []byte(form.Encode())))
	require.NoError(t, k.CheckRequestExample(http.MethodPost, "/v3/example.com/complaints", "application/json", fixture(t, "examples/complaints/post-v3-domain-complaints.request-json.json")))
	alice := mailgun.Complaint{Address: "alice@example.com", CreatedAt: time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC)}
	page := func(c *mailgun.Client) (any, error) {
		p, err := c.Complaints.ListPage(ctx, "example.com", nil)
		if err != nil {
			return nil, err
		}
		return mailgun.Page[mailgun.Complaint]{Items: inUTC(p.Items, func(cp *mailgun.Complaint) *time.Time { return &cp.CreatedAt }), Next: p.Next}, nil
	}
	foo := "/v3/example.com/complaints/foo%40bar.com"
	checkSuppressionExamples(t, "complaints", []string{"post-v3-domain-complaints.request-form.json", "post-v3-domain-complaints.request-json.json"}, []suppressionExample{
		{"get-v3-domain-complaints.200-links.json", "GET", "/v3/example.com/complaints", 200, page, mailgun.Page[mailgun.Complaint]{
			Items: []mailgun.Complaint{alice, {Address: "bob+news@example.com", CreatedAt: time.Date(2011, 10, 21, 11, 2, 55, 0, time.UTC)}},
			Next:  "/v3/example.com/complaints?page=next&address=bob%2Bnews%40example.com&limit=100&term=",
		}, nil},
		// Placeholder paging links ("<next page url>") are not followed.
		{"get-v3-domain-complaints.200.json", "GET", "/v3/example.com/complaints", 200, page, nil, mailgun.ErrInvalidResponse},
		{"get-v3-domain-complaints-address.200.json", "GET", "/v3/example.com/complaints/alice%40example.com", 200, func(c *mailgun.Client) (any, error) {
			return c.Complaints.Get(ctx, "example.com", "alice@example.com")
		}, &alice, nil},
		{"get-v3-domain-complaints-address.404.json", "GET", "/v3/example.com/complaints/alice%40example.com", 404, func(c *mailgun.Client) (any, error) {
			return c.Complaints.Get(ctx, "example.com", "alice@example.com")
		}, nil, mailgun.ErrNotFound},
		{"post-v3-domain-complaints.200.json", "POST", "/v3/example.com/complaints", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Complaints.AddMany(ctx, "example.com", []mailgun.ComplaintInput{{Address: "a@x.io"}}))
		}, nil, nil},
		{"post-v3-domain-complaints.400.json", "POST", "/v3/example.com/complaints", 400, func(c *mailgun.Client) (any, error) {
			return noValue(c.Complaints.AddMany(ctx, "example.com", []mailgun.ComplaintInput{{Address: "a@x.io"}}))
		}, nil, mailgun.ErrBadRequest},
		{"post-v3-domain-complaints-import.202.json", "POST", "/v3/example.com/complaints/import", 202, func(c *mailgun.Client) (any, error) {
			return noValue(c.Complaints.Import(ctx, "example.com", strings.NewReader("address\n")))
		}, nil, nil},
		{"post-v3-domain-complaints-import.400.json", "POST", "/v3/example.com/complaints/import", 400, func(c *mailgun.Client) (any, error) {
			return noValue(c.Complaints.Import(ctx, "example.com", strings.NewReader("x\n")))
		}, nil, mailgun.ErrBadRequest},
		{"delete-v3-domain-complaints-address.200.json", "DELETE", foo, 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Complaints.Delete(ctx, "example.com", "foo@bar.com"))
		}, nil, nil},
		{"delete-v3-domain-complaints-address.404.json", "DELETE", foo, 404, func(c *mailgun.Client) (any, error) {
			return noValue(c.Complaints.Delete(ctx, "example.com", "foo@bar.com"))
		}, nil, mailgun.ErrNotFound},
		{"delete-v3-domain-complaints.200.json", "DELETE", "/v3/example.com/complaints", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Complaints.DeleteAll(ctx, "example.com"))
		}, nil, nil},
	})
}

func TestComplaintDecode(t *testing.T) {
	var c mailgun.Complaint
	require.NoError(t, json.Unmarshal([]byte(`{"address":"a@x","created_at":"Mon, 1 Dec 2025 02:49:40 +0100","count":2}`), &c))
	assert.Equal(t, "a@x", c.Address)
	assert.True(t, c.CreatedAt.Equal(time.Date(2025, 12, 1, 1, 49, 40, 0, time.UTC)))
	require.NoError(t, json.Unmarshal([]byte(`{"address":["a@x"],"created_at":"soon"}`), &c))
	assert.Equal(t, mailgun.Complaint{}, c, "mistyped fields are dropped")
	assert.Error(t, json.Unmarshal([]byte(`"a@x"`), &c))

	// What a Get returns can be sent back as it is.
	enc, err := json.Marshal(mailgun.Complaint{Address: "a@x", CreatedAt: time.Date(2025, 12, 1, 1, 49, 40, 0, time.UTC)})
	require.NoError(t, err)
	var back mailgun.Complaint
	require.NoError(t, json.Unmarshal(enc, &back))
	assert.True(t, back.CreatedAt.Equal(time.Date(2025, 12, 1, 1, 49, 40, 0, time.UTC)))
}

func TestComplaintsFakeBehaviour(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))

	require.NoError(t, c.Complaints.Add(ctx, "example.com", mailgun.ComplaintInput{Address: "bob@example.com"}))
	got, err := c.Complaints.Get(ctx, "example.com", "bob@example.com")
	require.NoError(t, err)
	assert.Equal(t, now, got.CreatedAt.UTC(), "the server's clock")
	assert.True(t, srv.Complained("example.com", "bob@example.com"))
	assert.False(t, srv.Complained("other.example", "bob@example.com"))

	// Adding again replaces the record.
	created := time.Date(2024, 7, 1, 9, 30, 0, 0, time.UTC)
	require.NoError(t, c.Complaints.Add(ctx, "example.com", mailgun.ComplaintInput{Address: "bob@example.com", CreatedAt: created}))
	got, err = c.Complaints.Get(ctx, "example.com", "bob@example.com")
	require.NoError(t, err)
	assert.True(t, got.CreatedAt.Equal(created))
	assert.Len(t, srv.Complaints("example.com"), 1)

	// What Get returns can be sent back as it is.
	require.NoError(t, c.Complaints.AddMany(ctx, "copy.example", []mailgun.ComplaintInput{{Address: got.Address, CreatedAt: got.CreatedAt}}))
	back, err := c.Complaints.Get(ctx, "copy.example", got.Address)
	require.NoError(t, err)
	assert.Equal(t, got, back)

	// Import: bad rows skipped, a missing date is the server's time.
	require.NoError(t, c.Complaints.Import(ctx, "example.com", strings.NewReader("created_at,address\n,carol@example.com\nnope,dan@example.com\n,not-an-address\n")))
	stored := srv.Complaints("example.com")
	require.Len(t, stored, 2)
	assert.Equal(t, "carol@example.com", stored[1].Address)
	assert.Equal(t, now, stored[1].CreatedAt)

	require.NoError(t, c.Complaints.Delete(ctx, "example.com", "bob@example.com"))
	assert.False(t, srv.Complained("example.com", "bob@example.com"))
}
