package mailgun_test

//lint:file-ignore SA1019 the Tags API is deprecated upstream but still served; these tests cover it.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

const (
	usTags = "https://api.mailgun.net/v3/example.com/tags"
	usTag  = "https://api.mailgun.net/v3/example.com/tag"
)

func TestTagsWire(t *testing.T) {
	ctx := context.Background()

	t.Run("List follows next until its tag is empty", func(t *testing.T) {
		c, m := newMockClient(t)
		respondOK(m, http.MethodGet, usTags,
			[]byte(`{"items":[{"tag":"alpha"},{"tag":"beta"}],"paging":{"first":"","last":"","previous":"",
				"next":"https://api.mailgun.net/v3/example.com/tags?limit=2&page=next&tag=beta"}}`),
			fixture(t, "examples/tags/get-v3-domain-tags.200-last-page.json"))
		var got []string
		for tag, err := range c.Tags.List(ctx, "example.com", &mailgun.TagListOptions{Limit: 2}) {
			require.NoError(t, err)
			got = append(got, tag.Name)
		}
		assert.Equal(t, []string{"alpha", "beta", "newsletter", "welcome"}, got)
		sent := m.sent()
		require.Len(t, sent, 2, "a next link with an empty tag ends the walk")
		assert.Equal(t, "/v3/example.com/tags?limit=2", sent[0].RequestURI)
		assert.Equal(t, "/v3/example.com/tags?limit=2&page=next&tag=beta", sent[1].RequestURI)
		assert.Equal(t, "application/json", sent[0].Header.Get("Accept"))
		assert.Empty(t, sent[0].Body)
	})

	t.Run("ListPage options", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usTags, 200, fixture(t, "examples/tags/get-v3-domain-tags.200.json"))
		page, err := c.Tags.ListPage(ctx, "example.com", &mailgun.TagListOptions{Limit: 1000, Prefix: "news+ letter"})
		require.NoError(t, err)
		assert.Equal(t, "/v3/example.com/tags?limit=1000&prefix=news%2B+letter", m.only(t).RequestURI)
		assert.Len(t, page.Items, 2)
		assert.Empty(t, page.Next, "the documented example's next link has an empty tag")
	})

	t.Run("ListPage cursor", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usTags, 200, []byte(`{"items":[],"paging":{"next":"https://api.mailgun.net/v3/example.com/tags?limit=2&page=next&tag=beta"}}`))
		cursor := "/v3/example.com/tags?limit=2&page=next&tag=beta"
		page, err := c.Tags.ListPage(ctx, "example.com", &mailgun.TagListOptions{Cursor: cursor, Limit: 7, Prefix: "x"})
		require.NoError(t, err)
		assert.Equal(t, cursor, m.only(t).RequestURI, "limit and prefix come from the cursor")
		assert.Empty(t, page.Items)
		assert.Empty(t, page.Next, "an empty page is the last")
	})

	t.Run("paging links are rebased on the client's host", func(t *testing.T) {
		c, m := newMockClient(t, mailgun.WithRegion(mailgun.RegionEU))
		respondOK(m, http.MethodGet, "https://api.eu.mailgun.net/v3/example.com/tags",
			[]byte(`{"items":[{"tag":"a"}],"paging":{"next":"https://elsewhere.example/v3/example.com/tags?page=next&tag=a"}}`),
			[]byte(`{"items":[],"paging":{}}`))
		n := 0
		for _, err := range c.Tags.List(ctx, "example.com", nil) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, 1, n)
		assert.Len(t, m.sent(), 2, "the second page was asked of the EU host")
	})

	t.Run("Get", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usTag, 200, fixture(t, "examples/tags/get-v3-domain-tag.200.json"))
		tag, err := c.Tags.Get(ctx, "example.com", "a+b c/d&e")
		require.NoError(t, err)
		onlySent(t, m, http.MethodGet, "/v3/example.com/tag?tag=a%2Bb+c%2Fd%26e")
		assert.Equal(t, "my-tag-1", tag.Name)
	})

	t.Run("Update", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPut, usTag, 200, fixture(t, "examples/tags/put-v3-domain-tag.200.json"))
		require.NoError(t, c.Tags.Update(ctx, "example.com", "welcome", "Sign-up mail & more"))
		require.NoError(t, c.Tags.Update(ctx, "example.com", "welcome", ""))
		sent := m.sent()
		assert.Equal(t, http.MethodPut, sent[0].Method)
		assert.Equal(t, "/v3/example.com/tag?description=Sign-up+mail+%26+more&tag=welcome", sent[0].RequestURI)
		assert.Empty(t, sent[0].Body, "the description is a query parameter")
		assert.Empty(t, sent[0].Header.Get("Content-Type"))
		assert.Equal(t, "/v3/example.com/tag?description=&tag=welcome", sent[1].RequestURI, "an empty description clears it")
	})

	t.Run("Delete", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodDelete, usTag, 200, fixture(t, "examples/tags/delete-v3-domain-tag.200.json"))
		require.NoError(t, c.Tags.Delete(ctx, "example.com", "welcome"))
		assert.Empty(t, onlySent(t, m, http.MethodDelete, "/v3/example.com/tag?tag=welcome").Body)
	})

	t.Run("Stats", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usTag+"/stats", 200, fixture(t, "examples/tags/get-v3-domain-tag-stats.200.json"))
		r, err := c.Tags.Stats(ctx, "example.com", "tag1", mailgun.TagStatsQuery{
			Events: []mailgun.EventName{mailgun.EventAccepted, mailgun.EventDelivered},
			Start:  time.Unix(1700000000, 0), End: time.Unix(1700086400, 500),
			Resolution: mailgun.ResolutionHour, Duration: mailgun.Days(1),
			Provider: "gmail.com", Device: "mobile", Country: "us",
		})
		require.NoError(t, err)
		onlySent(t, m, http.MethodGet, "/v3/example.com/tag/stats?country=us&device=mobile&duration=1d&end=1700086401&event=accepted&event=delivered&provider=gmail.com&resolution=hour&start=1700000000&tag=tag1")
		assert.Equal(t, "tag1", r.Tag)
	})

	t.Run("Stats, the minimum", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usTag+"/stats", 200, fixture(t, "examples/tags/get-v3-domain-tag-stats.200-day.json"))
		_, err := c.Tags.Stats(ctx, "example.com", "welcome", mailgun.TagStatsQuery{Events: []mailgun.EventName{mailgun.EventAccepted}})
		require.NoError(t, err)
		assert.Equal(t, "/v3/example.com/tag/stats?event=accepted&tag=welcome", m.only(t).RequestURI)
	})
}

func TestTagsResponseExamples(t *testing.T) {
	ctx := context.Background()
	var covered []string
	seen := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}

	t.Run("list", func(t *testing.T) {
		c := exampleClient(t, &covered, "tags", "GET", "/v3/example.com/tags", "get-v3-domain-tags.200.json")
		page, err := c.Tags.ListPage(ctx, "example.com", nil)
		require.NoError(t, err)
		want := mailgun.Tag{Name: "my-tag-1", Description: "Optional description", FirstSeen: seen("2023-01-02T02:14:27Z"), LastSeen: seen("2023-09-06T18:45:51Z")}
		assert.Equal(t, []mailgun.Tag{want, {Name: "my-tag-2", Description: want.Description, FirstSeen: want.FirstSeen, LastSeen: want.LastSeen}}, page.Items)
	})

	t.Run("list, last page with milliseconds", func(t *testing.T) {
		c := exampleClient(t, &covered, "tags", "GET", "/v3/example.com/tags", "get-v3-domain-tags.200-last-page.json")
		page, err := c.Tags.ListPage(ctx, "example.com", nil)
		require.NoError(t, err)
		require.Len(t, page.Items, 2)
		assert.Equal(t, seen("2024-03-09T17:40:02.093Z"), page.Items[0].LastSeen)
		assert.Equal(t, "sign-up mail", page.Items[1].Description)
		assert.Empty(t, page.Next)
	})

	t.Run("get", func(t *testing.T) {
		c := exampleClient(t, &covered, "tags", "GET", "/v3/example.com/tag?tag=my-tag-1", "get-v3-domain-tag.200.json")
		tag, err := c.Tags.Get(ctx, "example.com", "my-tag-1")
		require.NoError(t, err)
		assert.Equal(t, &mailgun.Tag{Name: "my-tag-1", Description: "Optional description", FirstSeen: seen("2023-01-02T02:14:27Z"), LastSeen: seen("2023-09-06T18:45:51Z")}, tag)
	})

	t.Run("get, Go time.String layout", func(t *testing.T) {
		// The reference's examples printed this layout before the
		// contract's errata rewrote them as RFC 3339; not contract-checked.
		name := "get-v3-domain-tag.200-go-time-string.json"
		covered = append(covered, name)
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usTag, 200, fixture(t, "examples/tags/"+name))
		tag, err := c.Tags.Get(ctx, "example.com", "my-tag-1")
		require.NoError(t, err)
		assert.True(t, tag.FirstSeen.Equal(time.Date(2023, 1, 2, 2, 14, 27, 0, time.UTC)))
		assert.True(t, tag.LastSeen.Equal(time.Date(2023, 9, 6, 18, 45, 51, 123456789, time.UTC)))
	})

	t.Run("stats", func(t *testing.T) {
		c := exampleClient(t, &covered, "tags", "GET", "/v3/example.com/tag/stats?tag=tag1&event=accepted", "get-v3-domain-tag-stats.200.json")
		r, err := c.Tags.Stats(ctx, "example.com", "tag1", mailgun.TagStatsQuery{Events: []mailgun.EventName{mailgun.EventAccepted}})
		require.NoError(t, err)
		assert.Equal(t, "tag1", r.Tag)
		assert.Equal(t, "Optional Description", r.Description)
		assert.Equal(t, mailgun.ResolutionMonth, r.Resolution)
		assert.True(t, r.Start.Equal(time.Date(2012, 2, 14, 0, 0, 0, 0, time.UTC)))
		require.Len(t, r.Stats, 1)
		it := r.Stats[0]
		assert.Equal(t, &mailgun.StatsAccepted{Incoming: 2, Outgoing: 1, Total: 3}, it.Accepted)
		assert.Equal(t, &mailgun.StatsDelivered{SMTP: ptr[int64](15), HTTP: ptr[int64](10), Optimized: ptr[int64](5), Total: 20}, it.Delivered)
		assert.Equal(t, &mailgun.StatsEngagement{Total: 20, Unique: ptr[int64](1)}, it.Opened)
		assert.Equal(t, &mailgun.StatsEngagement{Total: 1, Unique: ptr[int64](1)}, it.Clicked)
		assert.Nil(t, it.Failed)
	})

	t.Run("stats by day", func(t *testing.T) {
		c := exampleClient(t, &covered, "tags", "GET", "/v3/example.com/tag/stats?tag=welcome&event=accepted", "get-v3-domain-tag-stats.200-day.json")
		r, err := c.Tags.Stats(ctx, "example.com", "welcome", mailgun.TagStatsQuery{Events: []mailgun.EventName{mailgun.EventAccepted}})
		require.NoError(t, err)
		require.Len(t, r.Stats, 3)
		assert.Equal(t, int64(2), r.Stats[1].Accepted.Outgoing)
		assert.True(t, r.Stats[2].Time.Equal(time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)))
	})

	for _, tc := range []struct {
		name, method, path string
		call               func(c *mailgun.Client) error
	}{
		{"put-v3-domain-tag.200.json", "PUT", "/v3/example.com/tag?tag=t", func(c *mailgun.Client) error {
			return c.Tags.Update(ctx, "example.com", "t", "d")
		}},
		{"delete-v3-domain-tag.200.json", "DELETE", "/v3/example.com/tag?tag=t", func(c *mailgun.Client) error {
			return c.Tags.Delete(ctx, "example.com", "t")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := exampleClient(t, &covered, "tags", tc.method, tc.path, tc.name)
			require.NoError(t, tc.call(c))
		})
	}

	statsQuery := mailgun.TagStatsQuery{Events: []mailgun.EventName{"accepted"}}
	covered = append(covered, checkErrorExamples(t, "tags", []errorExample{
		{"get-v3-domain-tags.400.json", "GET", "/v3/example.com/tags", 400, mailgun.ErrBadRequest, func(c *mailgun.Client) error {
			_, err := c.Tags.ListPage(ctx, "example.com", nil)
			return err
		}},
		{"get-v3-domain-tag.400.json", "GET", "/v3/example.com/tag?tag=t", 400, mailgun.ErrBadRequest, func(c *mailgun.Client) error {
			_, err := c.Tags.Get(ctx, "example.com", "t")
			return err
		}},
		{"put-v3-domain-tag.400.json", "PUT", "/v3/example.com/tag?tag=t", 400, mailgun.ErrBadRequest, func(c *mailgun.Client) error {
			return c.Tags.Update(ctx, "example.com", "t", "d")
		}},
		{"delete-v3-domain-tag.400.json", "DELETE", "/v3/example.com/tag?tag=t", 400, mailgun.ErrBadRequest, func(c *mailgun.Client) error {
			return c.Tags.Delete(ctx, "example.com", "t")
		}},
		{"get-v3-domain-tag-stats.400.json", "GET", "/v3/example.com/tag/stats?tag=t&event=accepted", 400, mailgun.ErrBadRequest, func(c *mailgun.Client) error {
			_, err := c.Tags.Stats(ctx, "example.com", "t", statsQuery)
			return err
		}},
	})...)

	suppressionCoverExamples(t, "tags", covered)
}

func TestTagTimeDecode(t *testing.T) {
	ctx := context.Background()
	utc := time.Date(2023, 1, 2, 2, 14, 27, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{`"2023-01-02T02:14:27Z"`, utc},
		{`"2023-01-02T03:14:27+01:00"`, utc},
		{`"2023-01-02T02:14:27.000Z"`, utc},
		{`"2023-01-02 02:14:27 +0000 UTC"`, utc},
		{`"2023-01-02 03:14:27 +0100 CET"`, utc},
		{`"2023-01-02 02:14:27.5 +0000 UTC m=+12.000000001"`, utc.Add(500 * time.Millisecond)},
		{`"Mon, 02 Jan 2023 02:14:27 UTC"`, utc},
		{`""`, time.Time{}},
		{`null`, time.Time{}},
		{`"yesterday"`, time.Time{}}, // dropped, the tag is kept
		{`1672625667`, time.Time{}},  // dropped too
	} {
		t.Run(tc.in, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, usTag, 200, []byte(`{"tag":"t","description":"d","first-seen":`+tc.in+`,"last-seen":"2023-01-02T02:14:27Z"}`))
			tag, err := c.Tags.Get(ctx, "example.com", "t")
			require.NoError(t, err)
			assert.True(t, tc.want.Equal(tag.FirstSeen), "got %v", tag.FirstSeen)
			assert.Equal(t, "d", tag.Description)
			assert.True(t, tag.LastSeen.Equal(utc))
		})
	}
}

// TestTagsTolerance gives each field of a listed tag a value of the wrong
// type: the page still decodes, every item is kept, only that field is lost.
func TestTagsTolerance(t *testing.T) {
	ctx := context.Background()
	item := map[string]any{"tag": "welcome", "description": "d", "first-seen": "2023-01-02T02:14:27Z", "last-seen": "2023-09-06T18:45:51Z"}
	for field := range item {
		for _, bad := range []any{17, true, []string{"x"}, map[string]int{"a": 1}} {
			t.Run(field, func(t *testing.T) {
				mutated := map[string]any{}
				for k, v := range item {
					mutated[k] = v
				}
				mutated[field] = bad
				body, err := json.Marshal(map[string]any{"items": []any{mutated, item, nil}, "paging": map[string]string{}})
				require.NoError(t, err)
				c, m := newMockClient(t)
				m.respond(http.MethodGet, usTags, 200, body)
				page, err := c.Tags.ListPage(ctx, "example.com", nil)
				require.NoError(t, err)
				require.Len(t, page.Items, 2, "the null item is skipped, the others kept")
				assert.NotEqual(t, page.Items[1], page.Items[0])
				assert.Equal(t, "welcome", page.Items[1].Name)
				if field != "tag" {
					assert.Equal(t, "welcome", page.Items[0].Name)
				}
			})
		}
	}
}

func TestTagsMalformedResponses(t *testing.T) {
	ctx := context.Background()
	for name, body := range map[string]string{
		"truncated":          `{"items":[{"tag":"a`,
		"HTML":               `<!DOCTYPE html><html><title>Gateway Timeout</title></html>`,
		"items not an array": `{"items":{"tag":"a"},"paging":{}}`,
		"bad next link":      `{"items":[{"tag":"a"}],"paging":{"next":"https://api.mailgun.net/tags?page=next&tag=a"}}`,
		// As on every link-paged list (getLinkPage):
		"items without paging":      `{"items":[{"tag":"a"}]}`,
		"next link to another list": `{"items":[{"tag":"a"}],"paging":{"next":"https://api.mailgun.net/v3/example.com/bounces?page=next&address=a"}}`,
	} {
		t.Run("list "+name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, usTags, 200, []byte(body))
			_, err := c.Tags.ListPage(ctx, "example.com", nil)
			require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
		})
	}
	t.Run("an item that is not an object is skipped", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usTags, 200, []byte(`{"items":["a",{"tag":"b"}],"paging":{}}`))
		page, err := c.Tags.ListPage(ctx, "example.com", nil)
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "b", page.Items[0].Name)
	})
	t.Run("a repeating next link is an error, not a loop", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usTags, 200, []byte(`{"items":[{"tag":"a"}],"paging":{"next":"https://api.mailgun.net/v3/example.com/tags?page=next&tag=a"}}`))
		var errs []error
		n := 0
		for _, err := range c.Tags.List(ctx, "example.com", nil) {
			if err != nil {
				errs = append(errs, err)
			}
			n++
		}
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], mailgun.ErrInvalidResponse)
		assert.Len(t, m.sent(), 2)
	})
	for name, body := range map[string]string{
		"not an object": `["welcome"]`,
		"not JSON":      `tag found`,
	} {
		t.Run("get "+name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, usTag, 200, []byte(body))
			_, err := c.Tags.Get(ctx, "example.com", "welcome")
			require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
		})
	}
	t.Run("stats truncated", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usTag+"/stats", 200, []byte(`{"tag":"t","start":"Tue, 14 Feb 2012 00:00:00 UTC","stats":[{"time":`))
		_, err := c.Tags.Stats(ctx, "example.com", "t", mailgun.TagStatsQuery{Events: []mailgun.EventName{"accepted"}})
		require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
	})
	t.Run("update answered with HTML", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPut, usTag, 200, []byte(`<html>OK</html>`))
		require.ErrorIs(t, c.Tags.Update(ctx, "example.com", "t", "d"), mailgun.ErrInvalidResponse)
	})
}

func TestTagsInvalidArguments(t *testing.T) {
	ctx := context.Background()
	c, m := newMockClient(t)
	list := func(domain string, opts *mailgun.TagListOptions) error {
		for _, err := range c.Tags.List(ctx, domain, opts) {
			return err
		}
		return errors.New("no error yielded")
	}
	page := func(domain string, opts *mailgun.TagListOptions) error {
		_, err := c.Tags.ListPage(ctx, domain, opts)
		return err
	}
	get := func(domain, tag string) error { _, err := c.Tags.Get(ctx, domain, tag); return err }
	stats := func(domain, tag string, q mailgun.TagStatsQuery) error {
		_, err := c.Tags.Stats(ctx, domain, tag, q)
		return err
	}
	ev := []mailgun.EventName{mailgun.EventAccepted}
	now := time.Now()
	for name, err := range map[string]error{
		"List empty domain":        list("", nil),
		"List limit negative":      list("example.com", &mailgun.TagListOptions{Limit: -1}),
		"List limit too big":       list("example.com", &mailgun.TagListOptions{Limit: 1001}),
		"List foreign cursor":      list("example.com", &mailgun.TagListOptions{Cursor: "/v3/example.com/bounces?page=next"}),
		"List other domain cursor": list("example.com", &mailgun.TagListOptions{Cursor: "/v3/other.com/tags?page=next&tag=a"}),
		"ListPage absolute cursor": page("example.com", &mailgun.TagListOptions{Cursor: "https://evil.example/v3/example.com/tags"}),
		"ListPage empty domain":    page(" ", nil),
		"Get empty domain":         get("", "t"),
		"Get empty tag":            get("example.com", ""),
		"Get blank tag":            get("example.com", "  "),
		"Update empty tag":         c.Tags.Update(ctx, "example.com", "", "d"),
		"Update empty domain":      c.Tags.Update(ctx, "", "t", "d"),
		"Delete empty tag":         c.Tags.Delete(ctx, "example.com", ""),
		"Delete dot-dot domain":    c.Tags.Delete(ctx, "..", "t"),
		"Stats empty tag":          stats("example.com", "", mailgun.TagStatsQuery{Events: ev}),
		"Stats empty domain":       stats("", "t", mailgun.TagStatsQuery{Events: ev}),
		"Stats no events":          stats("example.com", "t", mailgun.TagStatsQuery{}),
		"Stats empty event":        stats("example.com", "t", mailgun.TagStatsQuery{Events: []mailgun.EventName{""}}),
		"Stats end before start":   stats("example.com", "t", mailgun.TagStatsQuery{Events: ev, Start: now, End: now.Add(-time.Hour)}),
		"Stats bad resolution":     stats("example.com", "t", mailgun.TagStatsQuery{Events: ev, Resolution: "week"}),
		"Stats bad duration":       stats("example.com", "t", mailgun.TagStatsQuery{Events: ev, Duration: "7w"}),
	} {
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, name)
	}
	assert.Empty(t, m.sent(), "nothing is sent on bad input")
}

func TestTagsFakeRoundTrip(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC)
	now := day.Add(20 * time.Hour)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))
	plain := srv.Client() // for answers the contract does not declare (404)

	send := func(at time.Time, recipient string, ev mailgun.EventName, tags ...string) {
		srv.AddEvents("example.com", mailgun.Event{Event: ev, Timestamp: at, Recipient: recipient, Tags: tags})
	}
	send(day.Add(1*time.Hour), "a@gmail.com", mailgun.EventAccepted, "welcome", "b2b")
	send(day.Add(2*time.Hour), "a@gmail.com", mailgun.EventDelivered, "welcome", "b2b")
	send(day.Add(3*time.Hour), "b@yahoo.com", mailgun.EventAccepted, "welcome")
	send(day.Add(4*time.Hour), "b@yahoo.com", mailgun.EventDelivered, "welcome")
	send(day.Add(5*time.Hour), "c@gmail.com", mailgun.EventAccepted, "newsletter")
	send(day.Add(6*time.Hour), "c@gmail.com", mailgun.EventAccepted, "alpha")
	srv.AddEvents("other.com", mailgun.Event{Event: mailgun.EventAccepted, Timestamp: day, Tags: []string{"welcome", "zeta"}})

	// The list is derived from the events' tags, alphabetically, paged.
	var names []string
	for tag, err := range c.Tags.List(ctx, "example.com", &mailgun.TagListOptions{Limit: 2}) {
		require.NoError(t, err)
		names = append(names, tag.Name)
	}
	assert.Equal(t, []string{"alpha", "b2b", "newsletter", "welcome"}, names)
	page, err := c.Tags.ListPage(ctx, "example.com", &mailgun.TagListOptions{Limit: 3})
	require.NoError(t, err)
	assert.Len(t, page.Items, 3)
	page, err = c.Tags.ListPage(ctx, "example.com", &mailgun.TagListOptions{Cursor: page.Next})
	require.NoError(t, err)
	assert.Equal(t, []string{"welcome"}, tagNames(page.Items))
	assert.Empty(t, page.Next)
	page, err = c.Tags.ListPage(ctx, "example.com", &mailgun.TagListOptions{Prefix: "w"})
	require.NoError(t, err)
	assert.Equal(t, []string{"welcome"}, tagNames(page.Items))

	tag, err := c.Tags.Get(ctx, "example.com", "welcome")
	require.NoError(t, err)
	assert.Equal(t, &mailgun.Tag{Name: "welcome", FirstSeen: day.Add(time.Hour), LastSeen: day.Add(4 * time.Hour)}, tag)

	require.NoError(t, c.Tags.Update(ctx, "example.com", "welcome", "sign-up mail"))
	tag, err = c.Tags.Get(ctx, "example.com", "welcome")
	require.NoError(t, err)
	assert.Equal(t, "sign-up mail", tag.Description)
	assert.Equal(t, []mailgun.Tag{*tag}, srv.Tags("example.com")[3:])

	// Stats count the tag's events, in the Stats API's shape and numbers.
	q := mailgun.TagStatsQuery{Events: []mailgun.EventName{mailgun.EventAccepted, mailgun.EventDelivered}, Start: day, End: day.Add(24 * time.Hour)}
	r, err := c.Tags.Stats(ctx, "example.com", "welcome", q)
	require.NoError(t, err)
	assert.Equal(t, "welcome", r.Tag)
	assert.Equal(t, "sign-up mail", r.Description)
	require.Len(t, r.Stats, 1)
	assert.Equal(t, int64(2), r.Stats[0].Accepted.Total)
	assert.Equal(t, int64(2), r.Stats[0].Delivered.Total)
	gmail := q
	gmail.Provider = "gmail.com"
	r, err = c.Tags.Stats(ctx, "example.com", "welcome", gmail)
	require.NoError(t, err)
	assert.Equal(t, int64(1), r.Stats[0].Accepted.Total)
	// The same events through Stats agree: "b2b" is on a@gmail.com only.
	b2b, err := c.Tags.Stats(ctx, "example.com", "b2b", q)
	require.NoError(t, err)
	filtered, err := c.Stats.Filter(ctx, mailgun.StatsFilterQuery{StatsQuery: mailgun.StatsQuery{Events: q.Events, Start: q.Start, End: q.End}, Filter: "domain:example.com", Group: "tag"})
	require.NoError(t, err)
	var groups struct {
		Stats []struct {
			Tag      string `json:"tag"`
			Accepted struct{ Total int64 }
		} `json:"stats"`
	}
	require.NoError(t, json.Unmarshal(filtered.Raw, &groups))
	found := false
	for _, g := range groups.Stats {
		if g.Tag == "b2b" {
			found = true
			assert.Equal(t, g.Accepted.Total, b2b.Stats[0].Accepted.Total)
		}
	}
	assert.True(t, found, "Stats grouped by tag has b2b")
	assert.Equal(t, int64(1), b2b.Stats[0].Accepted.Total)
	_, err = c.Tags.Stats(ctx, "example.com", "welcome", mailgun.TagStatsQuery{Events: []mailgun.EventName{"bounced"}})
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)

	// Delete: gone, then back with the next event that carries it.
	require.NoError(t, c.Tags.Delete(ctx, "example.com", "welcome"))
	_, err = plain.Tags.Get(ctx, "example.com", "welcome")
	assert.ErrorIs(t, err, mailgun.ErrNotFound)
	assert.ErrorIs(t, plain.Tags.Delete(ctx, "example.com", "welcome"), mailgun.ErrNotFound)
	assert.ErrorIs(t, plain.Tags.Update(ctx, "example.com", "welcome", "x"), mailgun.ErrNotFound)
	_, err = plain.Tags.Stats(ctx, "example.com", "welcome", q)
	assert.ErrorIs(t, err, mailgun.ErrNotFound)
	_, err = c.Tags.Get(ctx, "other.com", "welcome")
	require.NoError(t, err, "tags are per domain")

	send(day.Add(7*time.Hour), "d@example.org", mailgun.EventAccepted, "welcome")
	tag, err = c.Tags.Get(ctx, "example.com", "welcome")
	require.NoError(t, err)
	assert.Equal(t, &mailgun.Tag{Name: "welcome", FirstSeen: day.Add(7 * time.Hour), LastSeen: day.Add(7 * time.Hour)}, tag)
	r, err = c.Tags.Stats(ctx, "example.com", "welcome", q)
	require.NoError(t, err)
	assert.Equal(t, int64(1), r.Stats[0].Accepted.Total, "events before the delete no longer count")
}

// TestTagsFakePages checks the fake's other page directions (the SDK
// walks forwards only).
func TestTagsFakePages(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	for _, tag := range []string{"a", "b", "c", "d", "e"} {
		srv.AddEvents("example.com", mailgun.Event{Event: mailgun.EventAccepted, Tags: []string{tag}})
	}
	type page struct {
		Items []struct {
			Tag string `json:"tag"`
		} `json:"items"`
		Paging map[string]string `json:"paging"`
	}
	get := func(query string) ([]string, url.Values, url.Values) {
		var p page
		require.NoError(t, c.Do(ctx, http.MethodGet, "/v3/example.com/tags?"+query, nil, &p))
		var tags []string
		for _, it := range p.Items {
			tags = append(tags, it.Tag)
		}
		next, err := url.Parse(p.Paging["next"])
		require.NoError(t, err)
		prev, err := url.Parse(p.Paging["previous"])
		require.NoError(t, err)
		return tags, next.Query(), prev.Query()
	}
	tags, next, prev := get("limit=2&page=last")
	assert.Equal(t, []string{"d", "e"}, tags)
	assert.Empty(t, next.Get("tag"))
	assert.Equal(t, "d", prev.Get("tag"))
	tags, next, prev = get("limit=2&page=prev&tag=d")
	assert.Equal(t, []string{"b", "c"}, tags)
	assert.Equal(t, "c", next.Get("tag"))
	assert.Equal(t, "b", prev.Get("tag"))
	tags, _, prev = get("limit=2&page=prev&tag=b")
	assert.Equal(t, []string{"a"}, tags)
	assert.Empty(t, prev.Get("tag"))
	tags, next, _ = get("limit=2&page=next&tag=c")
	assert.Equal(t, []string{"d", "e"}, tags)
	assert.Empty(t, next.Get("tag"))
	assert.Equal(t, "2", next.Get("limit"))
	err := srv.Client().Do(ctx, http.MethodGet, "/v3/example.com/tags?page=sideways", nil, nil)
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)
}

func tagNames(ts []mailgun.Tag) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}
