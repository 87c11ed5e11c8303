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

const usUnsubscribes = "https://api.mailgun.net/v3/example.com/unsubscribes"

func TestUnsubscribesWire(t *testing.T) {
	ctx := context.Background()
	created := time.Date(2011, 10, 13, 18, 2, 0, 0, time.UTC)

	t.Run("Add from all mail", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usUnsubscribes, 200, fixture(t, "examples/unsubscribes/post-v3-domain-unsubscribes.200.json"))
		require.NoError(t, c.Unsubscribes.Add(ctx, "example.com", mailgun.UnsubscribeInput{Address: "bob@example.com"}))
		req := m.only(t)
		assert.Equal(t, http.MethodPost, req.Method)
		assert.Equal(t, "/v3/example.com/unsubscribes", req.RequestURI)
		assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
		assert.Equal(t, "address=bob%40example.com&tag=%2A", string(req.Body))
		assert.Equal(t, suppressionFormOf(t, "examples/unsubscribes/post-v3-domain-unsubscribes.request-form.json").Encode(), string(req.Body))
	})

	t.Run("Add one tag and a date", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usUnsubscribes, 200, fixture(t, "examples/unsubscribes/post-v3-domain-unsubscribes.200.json"))
		require.NoError(t, c.Unsubscribes.Add(ctx, "example.com", mailgun.UnsubscribeInput{
			Address: "bob@example.com", Tags: []string{"news letter"}, CreatedAt: created,
		}))
		req := m.only(t)
		assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
		assert.Equal(t, "address=bob%40example.com&created_at=Thu%2C+13+Oct+2011+18%3A02%3A00+%2B0000&tag=news+letter", string(req.Body))
	})

	t.Run("Add several tags", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usUnsubscribes, 200, fixture(t, "examples/unsubscribes/post-v3-domain-unsubscribes.200.json"))
		require.NoError(t, c.Unsubscribes.Add(ctx, "example.com", mailgun.UnsubscribeInput{
			Address: "bob@example.com", Tags: []string{"news", "promo"},
		}))
		req := m.only(t)
		assert.Equal(t, "/v3/example.com/unsubscribes", req.RequestURI)
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"), "a form holds one tag: a one-record batch")
		assertJSONEqual(t, []byte(`[{"address":"bob@example.com","tags":["news","promo"]}]`), req.Body)
	})

	t.Run("AddMany", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usUnsubscribes, 200, fixture(t, "examples/unsubscribes/post-v3-domain-unsubscribes.200.json"))
		require.NoError(t, c.Unsubscribes.AddMany(ctx, "example.com", []mailgun.UnsubscribeInput{
			{Address: "alice@example.com", Tags: []string{"some tag"}, CreatedAt: time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC)},
			{Address: "bob@example.com", Tags: []string{"*"}},
			{Address: "carol@example.com"},
		}))
		req := m.only(t)
		assert.Equal(t, http.MethodPost, req.Method)
		assert.Equal(t, "/v3/example.com/unsubscribes", req.RequestURI)
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		assertJSONEqual(t, []byte(`[
			{"address":"alice@example.com","tags":["some tag"],"created_at":"Thu, 11 Dec 2025 01:49:40 +0000"},
			{"address":"bob@example.com","tags":["*"]},
			{"address":"carol@example.com","tags":["*"]}]`), req.Body)
		// The same records as the documented batch (dates aside: the doc
		// example writes UTC, the SDK a numeric offset).
		var doc, sent []map[string]any
		require.NoError(t, json.Unmarshal(fixture(t, "examples/unsubscribes/post-v3-domain-unsubscribes.request-json.json"), &doc))
		require.NoError(t, json.Unmarshal(req.Body, &sent))
		for i := range doc {
			delete(doc[i], "created_at")
			delete(sent[i], "created_at")
		}
		assert.Equal(t, doc, sent)
	})

}

func TestUnsubscribesRequestExamples(t *testing.T) {
	k := contracttest.Load(t)
	form := suppressionFormOf(t, "examples/unsubscribes/post-v3-domain-unsubscribes.request-form.json")
	require.NoError(t, k.CheckRequestExample(http.MethodPost, "/v3/example.com/unsubscribes", "application/x-www-form-urlencoded", []byte(form.Encode())))
	require.NoError(t, k.CheckRequestExample(http.MethodPost, "/v3/example.com/unsubscribes", "application/json", fixture(t, "examples/unsubscribes/post-v3-domain-unsubscribes.request-json.json")))
}

func TestUnsubscribesResponseExamples(t *testing.T) {
	ctx := context.Background()
	alice := mailgun.Unsubscribe{Address: "alice@example.com", Tags: []string{"some tag"}, CreatedAt: time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC)}
	nobody := "/v3/example.com/unsubscribes/nobody%40example.com"
	page := func(c *mailgun.Client) (any, error) {
		p, err := c.Unsubscribes.ListPage(ctx, "example.com", nil)
		if err != nil {
			return nil, err
		}
		return mailgun.Page[mailgun.Unsubscribe]{Items: inUTC(p.Items, func(u *mailgun.Unsubscribe) *time.Time { return &u.CreatedAt }), Next: p.Next}, nil
	}
	checkSuppressionExamples(t, "unsubscribes", []string{"post-v3-domain-unsubscribes.request-form.json", "post-v3-domain-unsubscribes.request-json.json"}, []suppressionExample{
		{"get-v3-domain-unsubscribes.200-links.json", "GET", "/v3/example.com/unsubscribes", 200, page, mailgun.Page[mailgun.Unsubscribe]{
			Items: []mailgun.Unsubscribe{alice, {Address: "bob+news@example.com", Tags: []string{"*"}, CreatedAt: time.Date(2011, 10, 21, 11, 2, 55, 0, time.UTC)}},
			Next:  "/v3/example.com/unsubscribes?page=next&address=bob%2Bnews%40example.com&limit=100&term=",
		}, nil},
		// The upstream example's paging links are placeholders ("<next page
		// url>"), which ListPage refuses to take for a link (its items
		// decode: TestUnsubscribeDecode).
		{"get-v3-domain-unsubscribes.200.json", "GET", "/v3/example.com/unsubscribes", 200, page, nil, mailgun.ErrInvalidResponse},
		{"get-v3-domain-unsubscribes-address.200.json", "GET", "/v3/example.com/unsubscribes/alice%40example.com", 200, func(c *mailgun.Client) (any, error) {
			return c.Unsubscribes.Get(ctx, "example.com", "alice@example.com")
		}, &alice, nil},
		{"get-v3-domain-unsubscribes-address.404.json", "GET", nobody, 404, func(c *mailgun.Client) (any, error) {
			return c.Unsubscribes.Get(ctx, "example.com", "nobody@example.com")
		}, nil, mailgun.ErrNotFound},
		{"post-v3-domain-unsubscribes.200.json", "POST", "/v3/example.com/unsubscribes", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Unsubscribes.AddMany(ctx, "example.com", []mailgun.UnsubscribeInput{{Address: "bob@example.com"}}))
		}, nil, nil},
		{"post-v3-domain-unsubscribes.400.json", "POST", "/v3/example.com/unsubscribes", 400, func(c *mailgun.Client) (any, error) {
			return noValue(c.Unsubscribes.AddMany(ctx, "example.com", []mailgun.UnsubscribeInput{{Address: "bob@example.com"}}))
		}, nil, mailgun.ErrBadRequest},
		{"post-v3-domain-unsubscribes-import.202.json", "POST", "/v3/example.com/unsubscribes/import", 202, func(c *mailgun.Client) (any, error) {
			return noValue(c.Unsubscribes.Import(ctx, "example.com", strings.NewReader("address\nbob@example.com\n")))
		}, nil, nil},
		{"post-v3-domain-unsubscribes-import.400.json", "POST", "/v3/example.com/unsubscribes/import", 400, func(c *mailgun.Client) (any, error) {
			return noValue(c.Unsubscribes.Import(ctx, "example.com", strings.NewReader("nonsense")))
		}, nil, mailgun.ErrBadRequest},
		{"delete-v3-domain-unsubscribes-address.200.json", "DELETE", "/v3/example.com/unsubscribes/foo%40bar.com", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Unsubscribes.Delete(ctx, "example.com", "foo@bar.com"))
		}, nil, nil},
		{"delete-v3-domain-unsubscribes-address.404.json", "DELETE", nobody, 404, func(c *mailgun.Client) (any, error) {
			return noValue(c.Unsubscribes.Delete(ctx, "example.com", "nobody@example.com"))
		}, nil, mailgun.ErrNotFound},
		{"delete-v3-domain-unsubscribes.200.json", "DELETE", "/v3/example.com/unsubscribes", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Unsubscribes.DeleteAll(ctx, "example.com"))
		}, nil, nil},
	})
}

func TestUnsubscribeDecode(t *testing.T) {
	utc := time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC)
	for _, tc := range []struct {
		name, in string
		want     mailgun.Unsubscribe
	}{
		{"documented", `{"address":"a@x","tags":["some tag"],"created_at":"Thu, 11 Dec 2025 01:49:40 UTC"}`, mailgun.Unsubscribe{Address: "a@x", Tags: []string{"some tag"}, CreatedAt: utc}},
		{"the upstream list example's item", func() string {
			var doc struct{ Items []json.RawMessage }
			require.NoError(t, json.Unmarshal(fixture(t, "examples/unsubscribes/get-v3-domain-unsubscribes.200.json"), &doc))
			return string(doc.Items[0])
		}(), mailgun.Unsubscribe{Address: "alice@example.com", Tags: []string{"some tag"}, CreatedAt: utc}},
		{"no tags", `{"address":"a@x","tags":[]}`, mailgun.Unsubscribe{Address: "a@x", Tags: []string{}}},
		{"null tags", `{"address":"a@x","tags":null}`, mailgun.Unsubscribe{Address: "a@x"}},
		{"a lone tag string", `{"tags":"*"}`, mailgun.Unsubscribe{Tags: []string{"*"}}},
		{"non-string and blank tags dropped", `{"tags":["a",1,null,{"x":1},""," ","b"]}`, mailgun.Unsubscribe{Tags: []string{"a", "b"}}},
		{"a blank lone tag", `{"tags":""}`, mailgun.Unsubscribe{Tags: []string{}}},
		{"tags an object", `{"address":"a@x","tags":{"a":1}}`, mailgun.Unsubscribe{Address: "a@x"}},
		{"offset and RFC 3339", `{"created_at":"2025-12-11T02:49:40+01:00"}`, mailgun.Unsubscribe{CreatedAt: utc}},
		{"unknown fields", `{"address":"a@x","id":"5f2","count":3}`, mailgun.Unsubscribe{Address: "a@x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got mailgun.Unsubscribe
			require.NoError(t, json.Unmarshal([]byte(tc.in), &got))
			assert.True(t, tc.want.CreatedAt.Equal(got.CreatedAt), "created_at %v", got.CreatedAt)
			got.CreatedAt, tc.want.CreatedAt = time.Time{}, time.Time{}
			assert.Equal(t, tc.want, got)
		})
	}
	var u mailgun.Unsubscribe
	assert.Error(t, json.Unmarshal([]byte(`["a@x"]`), &u))
}

func TestUnsubscribeBlocks(t *testing.T) {
	all := mailgun.Unsubscribe{Tags: []string{mailgun.AllTags}}
	news := mailgun.Unsubscribe{Tags: []string{"news", "promo"}}
	assert.True(t, all.Blocks())
	assert.True(t, all.Blocks("anything"))
	assert.False(t, news.Blocks(), "a message without tags")
	assert.False(t, news.Blocks("billing"))
	assert.True(t, news.Blocks("billing", "promo"))
	assert.False(t, (&mailgun.Unsubscribe{}).Blocks("news"), "no tags blocks nothing")
}

func TestUnsubscribesInvalidTags(t *testing.T) {
	ctx := context.Background()
	c, m := newMockClient(t)
	for name, err := range map[string]error{
		"Add empty tag":              c.Unsubscribes.Add(ctx, "example.com", mailgun.UnsubscribeInput{Address: "a@x.io", Tags: []string{""}}),
		"Add blank tag among others": c.Unsubscribes.Add(ctx, "example.com", mailgun.UnsubscribeInput{Address: "a@x.io", Tags: []string{"news", " "}}),
		"AddMany blank tag":          c.Unsubscribes.AddMany(ctx, "example.com", []mailgun.UnsubscribeInput{{Address: "a@x.io"}, {Address: "b@x.io", Tags: []string{""}}}),
	} {
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, name)
	}
	err := c.Unsubscribes.AddMany(ctx, "example.com", []mailgun.UnsubscribeInput{{Address: "a@x.io"}, {Address: "b@x.io", Tags: []string{""}}})
	assert.Contains(t, err.Error(), "records[1].Tags[0]")
	assert.Empty(t, m.sent())
}

func TestUnsubscribesFakeBehaviour(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))
	const domain = "example.com"

	// Tags accumulate over adds; one form add carries one tag.
	require.NoError(t, c.Unsubscribes.Add(ctx, domain, mailgun.UnsubscribeInput{Address: "bob@example.com", Tags: []string{"news"}}))
	require.NoError(t, c.Unsubscribes.Add(ctx, domain, mailgun.UnsubscribeInput{Address: "bob@example.com", Tags: []string{"promo", "news"}}))
	u, err := c.Unsubscribes.Get(ctx, domain, "bob@example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{"news", "promo"}, u.Tags)
	assert.Equal(t, now, u.CreatedAt.UTC(), "the server's clock")
	assert.True(t, srv.Unsubscribed(domain, "bob@example.com", "promo"))
	assert.False(t, srv.Unsubscribed(domain, "bob@example.com", "billing"))
	assert.False(t, srv.Unsubscribed(domain, "bob@example.com"), "a message without tags still goes out")

	// From all mail, with a date sent with an offset.
	created := time.Date(2024, 7, 1, 9, 30, 0, 0, time.FixedZone("", 2*3600))
	require.NoError(t, c.Unsubscribes.Add(ctx, domain, mailgun.UnsubscribeInput{Address: "carol@example.com", CreatedAt: created}))
	u, err = c.Unsubscribes.Get(ctx, domain, "carol@example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{mailgun.AllTags}, u.Tags)
	assert.True(t, u.CreatedAt.Equal(created))
	assert.True(t, srv.Unsubscribed(domain, "carol@example.com"))
	assert.True(t, srv.Unsubscribed(domain, "carol@example.com", "anything"))
	assert.False(t, srv.Unsubscribed("other.example", "carol@example.com"), "lists are per domain")

	// Batches keep each record's tags.
	require.NoError(t, c.Unsubscribes.AddMany(ctx, domain, []mailgun.UnsubscribeInput{
		{Address: "dan@example.com", Tags: []string{"a", "b"}},
		{Address: "erin@example.com"},
	}))
	got := srv.Unsubscribes(domain)
	require.Len(t, got, 4)
	assert.Equal(t, []string{"a", "b"}, got[2].Tags)
	assert.Equal(t, []string{"*"}, got[3].Tags)

	// Seeded records without tags are from all mail.
	srv.AddUnsubscribes(domain, mailgun.Unsubscribe{Address: "frank@example.com"})
	assert.True(t, srv.Unsubscribed(domain, "frank@example.com", "x"))

	// What Get returns can be sent back as it is.
	u, err = c.Unsubscribes.Get(ctx, domain, "dan@example.com")
	require.NoError(t, err)
	require.NoError(t, c.Unsubscribes.DeleteAll(ctx, "copy.example"))
	require.NoError(t, c.Unsubscribes.Add(ctx, "copy.example", mailgun.UnsubscribeInput{Address: u.Address, Tags: u.Tags, CreatedAt: u.CreatedAt}))
	back, err := c.Unsubscribes.Get(ctx, "copy.example", "dan@example.com")
	require.NoError(t, err)
	assert.Equal(t, u, back)

	// Delete removes every tag.
	require.NoError(t, c.Unsubscribes.Delete(ctx, domain, "bob@example.com"))
	assert.False(t, srv.Unsubscribed(domain, "bob@example.com", "news"))
}

func TestUnsubscribesFakeImport(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))
	csv := "address,tags,created_at\n" +
		"alice@example.com,news,\"Thu, 13 Oct 2011 18:02:00 +0000\"\n" +
		"bob@example.com,,\n" +
		"not-an-address,news,\n" +
		"carol@example.com,x,yesterday\n"
	require.NoError(t, c.Unsubscribes.Import(ctx, "example.com", strings.NewReader(csv)))
	got := srv.Unsubscribes("example.com")
	require.Len(t, got, 2, "bad rows are skipped")
	assert.True(t, got[0].CreatedAt.Equal(time.Date(2011, 10, 13, 18, 2, 0, 0, time.UTC)), "%v", got[0].CreatedAt)
	got[0].CreatedAt = time.Time{}
	assert.Equal(t, []mailgun.Unsubscribe{
		{Address: "alice@example.com", Tags: []string{"news"}},
		{Address: "bob@example.com", Tags: []string{"*"}, CreatedAt: now},
	}, got)
}
