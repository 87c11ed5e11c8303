package mailgun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/mailguntest"
)

const usBounces = "https://api.mailgun.net/v3/example.com/bounces"

// suppressionFormOf turns a documented form example (a JSON object of
// strings) into form values.
func suppressionFormOf(t *testing.T, name string) url.Values {
	t.Helper()
	var fields map[string]string
	require.NoError(t, json.Unmarshal(fixture(t, name), &fields))
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	return form
}

// suppressionMultipartFile returns the file parts of a multipart body.
func suppressionMultipartFile(t *testing.T, req wireRequest) map[string]string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/form-data", mt)
	mr := multipart.NewReader(bytes.NewReader(req.Body), params["boundary"])
	parts := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		require.NoError(t, err)
		b, err := io.ReadAll(p)
		require.NoError(t, err)
		parts[p.FormName()+":"+p.FileName()] = string(b)
	}
}

// suppressionCoverExamples fails if a file in dir is not in covered.
func suppressionCoverExamples(t *testing.T, dir string, covered []string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", "examples", dir))
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			assert.Contains(t, covered, e.Name(), "example %s/%s is not checked", dir, e.Name())
		}
	}
}

func TestBouncesWire(t *testing.T) {
	ctx := context.Background()
	created := time.Date(2011, 10, 13, 18, 2, 0, 0, time.UTC)

	t.Run("List", func(t *testing.T) {
		c, m := newMockClient(t)
		respondOK(m, http.MethodGet, usBounces,
			fixture(t, "examples/bounces/get-v3-domain-bounces.200.json"),
			fixture(t, "examples/bounces/get-v3-domain-bounces.200-empty-page.json"))
		var got []string
		for b, err := range c.Bounces.List(ctx, "example.com", nil) {
			require.NoError(t, err)
			got = append(got, b.Address)
		}
		assert.Equal(t, []string{"alice@example.com", "bob+news@example.com"}, got)
		sent := m.sent()
		require.Len(t, sent, 2)
		assert.Equal(t, http.MethodGet, sent[0].Method)
		assert.Equal(t, "/v3/example.com/bounces?limit=100", sent[0].RequestURI)
		assert.Equal(t, "application/json", sent[0].Header.Get("Accept"))
		assert.Empty(t, sent[0].Body)
		// The paging link is followed verbatim.
		assert.Equal(t, "/v3/example.com/bounces?page=next&address=bob%2Bnews%40example.com&limit=100&term=", sent[1].RequestURI)
	})

	t.Run("ListPage options", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usBounces, 200, fixture(t, "examples/bounces/get-v3-domain-bounces.200.json"))
		page, err := c.Bounces.ListPage(ctx, "example.com", &mailgun.ListOptions{Limit: 1000, Term: "bob+n ws"})
		require.NoError(t, err)
		assert.Equal(t, "/v3/example.com/bounces?limit=1000&term=bob%2Bn+ws", m.only(t).RequestURI)
		require.Len(t, page.Items, 2)
		assert.Equal(t, "/v3/example.com/bounces?page=next&address=bob%2Bnews%40example.com&limit=100&term=", page.Next)
	})

	t.Run("ListPage cursor", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usBounces, 200, fixture(t, "examples/bounces/get-v3-domain-bounces.200-empty-page.json"))
		cursor := "/v3/example.com/bounces?page=next&address=bob%2Bnews%40example.com&limit=100&term="
		// Limit and Term are carried by the cursor, not sent again.
		page, err := c.Bounces.ListPage(ctx, "example.com", &mailgun.ListOptions{Cursor: cursor, Limit: 5, Term: "x"})
		require.NoError(t, err)
		assert.Equal(t, cursor, m.only(t).RequestURI)
		assert.Empty(t, page.Items)
		assert.Empty(t, page.Next, "an empty page is the last one")
	})

	t.Run("paging links are rebased on the client's host", func(t *testing.T) {
		c, m := newMockClient(t, mailgun.WithRegion(mailgun.RegionEU))
		body := []byte(`{"items":[{"address":"a@example.com","code":"550","error":"","created_at":"Thu, 11 Dec 2025 01:49:40 UTC"}],
			"paging":{"first":"","last":"","previous":"","next":"https://elsewhere.example/v3/example.com/bounces?page=next&address=a%40example.com&limit=100&term="}}`)
		respondOK(m, http.MethodGet, "https://api.eu.mailgun.net/v3/example.com/bounces", body, []byte(`{"items":[],"paging":{}}`))
		n := 0
		for _, err := range c.Bounces.List(ctx, "example.com", nil) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, 1, n)
		assert.Len(t, m.sent(), 2, "the next page went to the EU host, not elsewhere.example")
	})

	t.Run("Get", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usBounces+"/bob%2Bnews%40example.com", 200, fixture(t, "examples/bounces/get-v3-domain-bounces-address.200.json"))
		b, err := c.Bounces.Get(ctx, "example.com", "bob+news@example.com")
		require.NoError(t, err)
		req := m.only(t)
		assert.Equal(t, http.MethodGet, req.Method)
		assert.Equal(t, "/v3/example.com/bounces/bob%2Bnews%40example.com", req.RequestURI)
		assert.Equal(t, "application/json", req.Header.Get("Accept"))
		assert.Empty(t, req.Header.Get("Content-Type"))
		assert.Equal(t, "bob+news@example.com", b.Address)
	})

	t.Run("Add", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usBounces, 200, fixture(t, "examples/bounces/post-v3-domain-bounces.200-single.json"))
		err := c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{
			Address: "bob@example.com", Code: "550", Error: "No such mailbox", CreatedAt: created,
		})
		require.NoError(t, err)
		req := m.only(t)
		assert.Equal(t, http.MethodPost, req.Method)
		assert.Equal(t, "/v3/example.com/bounces", req.RequestURI)
		assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
		assert.Equal(t, "address=bob%40example.com&code=550&created_at=Thu%2C+13+Oct+2011+18%3A02%3A00+%2B0000&error=No+such+mailbox", string(req.Body))
		// Same fields as the documented example.
		assert.Equal(t, suppressionFormOf(t, "examples/bounces/post-v3-domain-bounces.request-form.json").Encode(), string(req.Body))
	})

	t.Run("Add address only, time with an offset", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usBounces, 200, fixture(t, "examples/bounces/post-v3-domain-bounces.200-single.json"))
		require.NoError(t, c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{Address: "bob@example.com"}))
		require.NoError(t, c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{
			Address: "bob@example.com", CreatedAt: time.Date(2025, 1, 5, 7, 0, 0, 0, time.FixedZone("EST", -5*3600)),
		}))
		sent := m.sent()
		assert.Equal(t, "address=bob%40example.com", string(sent[0].Body))
		assert.Equal(t, "address=bob%40example.com&created_at=Sun%2C+5+Jan+2025+07%3A00%3A00+-0500", string(sent[1].Body))
	})

	t.Run("AddMany", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usBounces, 200, fixture(t, "examples/bounces/post-v3-domain-bounces.200-batch.json"))
		err := c.Bounces.AddMany(ctx, "example.com", []mailgun.BounceInput{
			{Address: "alice@example.com", Code: "550", Error: "Bounced", CreatedAt: created},
			{Address: "bob@example.com", Code: "550", Error: "Bounced"},
			{Address: "carol@example.com", Code: "550"},
			{Address: "dan@example.com"},
		})
		require.NoError(t, err)
		req := m.only(t)
		assert.Equal(t, http.MethodPost, req.Method)
		assert.Equal(t, "/v3/example.com/bounces", req.RequestURI)
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		assertJSONEqual(t, []byte(`[
			{"address":"alice@example.com","code":"550","error":"Bounced","created_at":"Thu, 13 Oct 2011 18:02:00 +0000"},
			{"address":"bob@example.com","code":"550","error":"Bounced"},
			{"address":"carol@example.com","code":"550"},
			{"address":"dan@example.com"}]`), req.Body)
	})

	t.Run("Import", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usBounces+"/import", 202, fixture(t, "examples/bounces/post-v3-domain-bounces-import.202.json"))
		csv := "address,code,error,created_at\nalice@example.com,550,No such mailbox,\"Thu, 13 Oct 2011 18:02:00 +0000\"\nbob@example.com,,,\n"
		require.NoError(t, c.Bounces.Import(ctx, "example.com", strings.NewReader(csv)))
		req := m.only(t)
		assert.Equal(t, http.MethodPost, req.Method)
		assert.Equal(t, "/v3/example.com/bounces/import", req.RequestURI)
		parts := suppressionMultipartFile(t, req)
		require.Len(t, parts, 1)
		assert.Equal(t, csv, parts["file:bounces.csv"])
	})

	t.Run("Delete", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodDelete, usBounces+"/bob%40example.com", 200, fixture(t, "examples/bounces/delete-v3-domain-bounces-address.200.json"))
		require.NoError(t, c.Bounces.Delete(ctx, "example.com", "bob@example.com"))
		req := m.only(t)
		assert.Equal(t, http.MethodDelete, req.Method)
		assert.Equal(t, "/v3/example.com/bounces/bob%40example.com", req.RequestURI)
		assert.Empty(t, req.Body)
	})

	t.Run("DeleteAll", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodDelete, usBounces, 200, fixture(t, "examples/bounces/delete-v3-domain-bounces.200.json"))
		require.NoError(t, c.Bounces.DeleteAll(ctx, "example.com"))
		req := m.only(t)
		assert.Equal(t, http.MethodDelete, req.Method)
		assert.Equal(t, "/v3/example.com/bounces", req.RequestURI)
	})
}

func TestBouncesRequestExamples(t *testing.T) {
	k := contracttest.Load(t)
	form := suppressionFormOf(t, "examples/bounces/post-v3-domain-bounces.request-form.json")
	require.NoError(t, k.CheckRequestExample(http.MethodPost, "/v3/example.com/bounces", "application/x-www-form-urlencoded", []byte(form.Encode())))
	require.NoError(t, k.CheckRequestExample(http.MethodPost, "/v3/example.com/bounces", "application/json", fixture(t, "examples/bounces/post-v3-domain-bounces.request-json.json")))

	// The documented JSON batch decodes into what AddMany sends.
	var docs []map[string]string
	require.NoError(t, json.Unmarshal(fixture(t, "examples/bounces/post-v3-domain-bounces.request-json.json"), &docs))
	require.Len(t, docs, 4)
	assert.Equal(t, "dan@example.com", docs[3]["address"])
}

func TestBouncesResponseExamples(t *testing.T) {
	ctx := context.Background()
	bob := "/v3/example.com/bounces/bob%2Bnews%40example.com"
	nobody := "/v3/example.com/bounces/nobody%40example.com"
	page := func(c *mailgun.Client) (any, error) {
		p, err := c.Bounces.ListPage(ctx, "example.com", nil)
		if err != nil {
			return nil, err
		}
		return mailgun.Page[mailgun.Bounce]{Items: inUTC(p.Items, func(b *mailgun.Bounce) *time.Time { return &b.CreatedAt }), Next: p.Next}, nil
	}
	checkSuppressionExamples(t, "bounces", []string{"post-v3-domain-bounces.request-form.json", "post-v3-domain-bounces.request-json.json"}, []suppressionExample{
		{"get-v3-domain-bounces.200.json", "GET", "/v3/example.com/bounces", 200, page, mailgun.Page[mailgun.Bounce]{
			Items: []mailgun.Bounce{
				{Address: "alice@example.com", Code: "550", Error: "5.1.1 The email account that you tried to reach does not exist.", CreatedAt: time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC)},
				{Address: "bob+news@example.com", Code: "550", Error: "No such mailbox", CreatedAt: time.Date(2011, 10, 21, 11, 2, 55, 0, time.UTC)},
			},
			Next: "/v3/example.com/bounces?page=next&address=bob%2Bnews%40example.com&limit=100&term=",
		}, nil},
		{"get-v3-domain-bounces.200-empty-page.json", "GET", "/v3/example.com/bounces", 200, page, mailgun.Page[mailgun.Bounce]{Items: []mailgun.Bounce{}}, nil},
		{"get-v3-domain-bounces-address.200.json", "GET", bob, 200, func(c *mailgun.Client) (any, error) {
			return c.Bounces.Get(ctx, "example.com", "bob+news@example.com")
		}, &mailgun.Bounce{Address: "bob+news@example.com", Code: "550", Error: "No such mailbox", CreatedAt: time.Date(2025, 1, 26, 7, 29, 4, 0, time.UTC)}, nil},
		{"get-v3-domain-bounces-address.404.json", "GET", nobody, 404, func(c *mailgun.Client) (any, error) {
			return c.Bounces.Get(ctx, "example.com", "nobody@example.com")
		}, nil, mailgun.ErrNotFound},
		// Successful writes carry only human text, which callers must not parse.
		{"post-v3-domain-bounces.200-single.json", "POST", "/v3/example.com/bounces", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{Address: "bob@example.com"}))
		}, nil, nil},
		{"post-v3-domain-bounces.200-batch.json", "POST", "/v3/example.com/bounces", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Bounces.AddMany(ctx, "example.com", []mailgun.BounceInput{{Address: "bob@example.com"}}))
		}, nil, nil},
		{"post-v3-domain-bounces.400.json", "POST", "/v3/example.com/bounces", 400, func(c *mailgun.Client) (any, error) {
			return noValue(c.Bounces.AddMany(ctx, "example.com", []mailgun.BounceInput{{Address: "bob@example.com"}}))
		}, nil, mailgun.ErrBadRequest},
		{"post-v3-domain-bounces-import.202.json", "POST", "/v3/example.com/bounces/import", 202, func(c *mailgun.Client) (any, error) {
			return noValue(c.Bounces.Import(ctx, "example.com", strings.NewReader("address\nbob@example.com\n")))
		}, nil, nil},
		{"post-v3-domain-bounces-import.400.json", "POST", "/v3/example.com/bounces/import", 400, func(c *mailgun.Client) (any, error) {
			return noValue(c.Bounces.Import(ctx, "example.com", strings.NewReader("nonsense")))
		}, nil, mailgun.ErrBadRequest},
		{"delete-v3-domain-bounces-address.200.json", "DELETE", "/v3/example.com/bounces/bob%40example.com", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Bounces.Delete(ctx, "example.com", "bob@example.com"))
		}, nil, nil},
		{"delete-v3-domain-bounces-address.404.json", "DELETE", nobody, 404, func(c *mailgun.Client) (any, error) {
			return noValue(c.Bounces.Delete(ctx, "example.com", "nobody@example.com"))
		}, nil, mailgun.ErrNotFound},
		{"delete-v3-domain-bounces.200.json", "DELETE", "/v3/example.com/bounces", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Bounces.DeleteAll(ctx, "example.com"))
		}, nil, nil},
	})
}

func TestBounceDecode(t *testing.T) {
	utc := time.Date(2025, 12, 1, 1, 49, 40, 0, time.UTC)
	for _, tc := range []struct {
		name, in string
		want     mailgun.Bounce
	}{
		{"code string", `{"address":"a@x","code":"550","error":"e","created_at":"Mon, 01 Dec 2025 01:49:40 UTC"}`,
			mailgun.Bounce{Address: "a@x", Code: "550", Error: "e", CreatedAt: utc}},
		{"code number", `{"address":"a@x","code":550,"created_at":"Mon, 01 Dec 2025 01:49:40 GMT"}`,
			mailgun.Bounce{Address: "a@x", Code: "550", CreatedAt: utc}},
		{"code float kept as written", `{"code":5.5}`, mailgun.Bounce{Code: "5.5"}},
		{"code null", `{"code":null,"created_at":null}`, mailgun.Bounce{}},
		{"one-digit day and offset", `{"created_at":"Mon, 1 Dec 2025 02:49:40 +0100"}`, mailgun.Bounce{CreatedAt: utc}},
		{"RFC 3339", `{"created_at":"2025-12-01T01:49:40Z"}`, mailgun.Bounce{CreatedAt: utc}},
		{"empty time", `{"created_at":""}`, mailgun.Bounce{}},
		{"unknown fields ignored", `{"address":"a@x","tags":["x"],"MessageHash":"abc"}`, mailgun.Bounce{Address: "a@x", MessageHash: "abc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got mailgun.Bounce
			require.NoError(t, json.Unmarshal([]byte(tc.in), &got))
			assert.True(t, tc.want.CreatedAt.Equal(got.CreatedAt), "created_at %v", got.CreatedAt)
			got.CreatedAt, tc.want.CreatedAt = time.Time{}, time.Time{}
			assert.Equal(t, tc.want, got)
		})
	}
	// A field of an unexpected type is dropped (left zero); the others stay.
	for _, in := range []string{
		`{"address":"a@x","code":true}`,
		`{"address":"a@x","code":{}}`,
		`{"address":"a@x","created_at":"yesterday"}`,
		`{"address":"a@x","created_at":1700000000}`,
		`{"address":"a@x","error":["x"]}`,
	} {
		var b mailgun.Bounce
		require.NoError(t, json.Unmarshal([]byte(in), &b), in)
		assert.Equal(t, mailgun.Bounce{Address: "a@x"}, b, in)
	}
	var b mailgun.Bounce
	require.NoError(t, json.Unmarshal([]byte(`{"address":5,"code":"550"}`), &b))
	assert.Equal(t, mailgun.Bounce{Code: "550"}, b)
	// Only what is not an object is an error.
	for _, in := range []string{`[]`, `"a@x"`, `{"address":`} {
		assert.Error(t, json.Unmarshal([]byte(in), &b), in)
	}
}

func FuzzBounceDecode(f *testing.F) {
	for _, seed := range []string{
		`{"address":"bob+news@example.com","code":"550","error":"No such mailbox","created_at":"Sun, 26 Jan 2025 07:29:04 UTC"}`,
		`{"address":"a@x","code":550,"created_at":"Thu, 13 Oct 2011 18:02:00 +0000"}`,
		`{"code":5.5e2,"created_at":"Mon, 1 Dec 2025 01:49:40 GMT"}`,
		`{"created_at":"2025-12-01T01:49:40.123+02:00"}`,
		`{"code":null,"created_at":null,"error":""}`,
		`{"created_at":"Mon, 01 Dec 2025 01:49:40 EST"}`,
		`{"code":"","created_at":"1 Dec 2025 01:49 +0000"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var b mailgun.Bounce
		if json.Unmarshal(data, &b) != nil {
			return
		}
		// What decodes must survive a round trip through its own JSON.
		enc, err := json.Marshal(b)
		if err != nil {
			return // a year outside 0..9999 has no JSON form
		}
		var back mailgun.Bounce
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("decoding %s: %v", enc, err)
		}
		if !back.CreatedAt.Equal(b.CreatedAt) {
			t.Fatalf("created_at %v became %v", b.CreatedAt, back.CreatedAt)
		}
		back.CreatedAt, b.CreatedAt = time.Time{}, time.Time{}
		if back != b {
			t.Fatalf("%+v became %+v", b, back)
		}
	})
}

func TestBouncesInvalidArguments(t *testing.T) {
	ctx := context.Background()
	c, m := newMockClient(t)
	r := strings.NewReader("address\n")
	list := func(domain string, opts *mailgun.ListOptions) error {
		for _, err := range c.Bounces.List(ctx, domain, opts) {
			return err
		}
		return errors.New("no error yielded")
	}
	page := func(domain string, opts *mailgun.ListOptions) error {
		_, err := c.Bounces.ListPage(ctx, domain, opts)
		return err
	}
	get := func(domain, address string) error {
		_, err := c.Bounces.Get(ctx, domain, address)
		return err
	}
	many := make([]mailgun.BounceInput, 1500)
	for i := range many {
		many[i].Address = fmt.Sprintf("u%d@example.com", i)
	}
	many[1200].Address = "not-an-address"
	for name, err := range map[string]error{
		"List empty domain":          list("", nil),
		"List limit negative":        list("example.com", &mailgun.ListOptions{Limit: -1}),
		"List limit too big":         list("example.com", &mailgun.ListOptions{Limit: 1001}),
		"List foreign cursor":        list("example.com", &mailgun.ListOptions{Cursor: "/v3/example.com/whitelists?page=next&address=a"}),
		"List other domain cursor":   list("example.com", &mailgun.ListOptions{Cursor: "/v3/other.com/bounces?page=next&address=a"}),
		"List absolute cursor":       list("example.com", &mailgun.ListOptions{Cursor: "https://evil.example/v3/example.com/bounces"}),
		"ListPage empty domain":      page(" ", nil),
		"ListPage limit too big":     page("example.com", &mailgun.ListOptions{Limit: 5000}),
		"Get empty domain":           get("", "bob@example.com"),
		"Get empty address":          get("example.com", ""),
		"Get address without @":      get("example.com", "bob"),
		"Add empty domain":           c.Bounces.Add(ctx, "", mailgun.BounceInput{Address: "bob@example.com"}),
		"Add empty address":          c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{}),
		"Add address without @":      c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{Address: "example.com"}),
		"AddMany empty domain":       c.Bounces.AddMany(ctx, "", []mailgun.BounceInput{{Address: "bob@example.com"}}),
		"AddMany nil batch":          c.Bounces.AddMany(ctx, "example.com", nil),
		"AddMany empty batch":        c.Bounces.AddMany(ctx, "example.com", []mailgun.BounceInput{}),
		"AddMany bad record batch 2": c.Bounces.AddMany(ctx, "example.com", many),
		"Import empty domain":        c.Bounces.Import(ctx, "", r),
		"Import nil reader":          c.Bounces.Import(ctx, "example.com", nil),
		"Delete empty domain":        c.Bounces.Delete(ctx, "", "bob@example.com"),
		"Delete empty address":       c.Bounces.Delete(ctx, "example.com", "  "),
		"Delete address without @":   c.Bounces.Delete(ctx, "example.com", "bob"),
		"DeleteAll empty domain":     c.Bounces.DeleteAll(ctx, ""),
	} {
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, name)
	}
	assert.Empty(t, m.sent(), "nothing is sent on bad input")
	assert.Equal(t, len("address\n"), r.Len(), "the CSV was not read")
}

func TestBouncesTruncatedResponse(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodGet, usBounces+"/bob%40example.com", 200, []byte(`{"address":"bob@example.com","code":"55`))
	_, err := c.Bounces.Get(context.Background(), "example.com", "bob@example.com")
	require.ErrorIs(t, err, mailgun.ErrInvalidResponse)

	m.respond(http.MethodGet, usBounces, 200, []byte(`<html><title>Bad gateway</title></html>`))
	for _, err := range c.Bounces.List(context.Background(), "example.com", nil) {
		require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
	}
}

// TestBouncesNullItems checks that a page with items null or missing ends
// the walk, as the API does past the end of a list.
func TestBouncesNullItems(t *testing.T) {
	for _, body := range []string{
		`{"items":null,"paging":{"next":"https://api.mailgun.net/v3/example.com/bounces?page=next&address=z%40x&limit=100&term="}}`,
		`{"paging":{"next":"https://api.mailgun.net/v3/example.com/bounces?page=next&address=z%40x&limit=100&term="}}`,
	} {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usBounces, 200, []byte(body))
		n := 0
		for _, err := range c.Bounces.List(context.Background(), "example.com", nil) {
			require.NoError(t, err)
			n++
		}
		assert.Zero(t, n)
		assert.Len(t, m.sent(), 1)
	}
}

func TestBouncesFakeRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	for _, tc := range []struct{ address, escaped string }{
		{"bob+news@example.com", "bob%2Bnews%40example.com"},
		{"a/b@example.com", "a%2Fb%40example.com"},
		{"100%@example.com", "100%25%40example.com"},
		{"first last@example.com", "first%20last%40example.com"},
		{"josé.müller@exämple.com", "jos%C3%A9.m%C3%BCller%40ex%C3%A4mple.com"},
		{"我@例子.中国", "%E6%88%91%40%E4%BE%8B%E5%AD%90.%E4%B8%AD%E5%9B%BD"},
		{"?#&=@example.com", "%3F%23%26%3D%40example.com"},
	} {
		t.Run(tc.address, func(t *testing.T) {
			srv.ResetRequests()
			require.NoError(t, c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{Address: tc.address, Error: "test"}))
			b, err := c.Bounces.Get(ctx, "example.com", tc.address)
			require.NoError(t, err)
			assert.Equal(t, tc.address, b.Address)
			assert.Equal(t, "550", b.Code, "the API's default code")

			var listed []string
			for b, err := range c.Bounces.List(ctx, "example.com", nil) {
				require.NoError(t, err)
				listed = append(listed, b.Address)
			}
			assert.Contains(t, listed, tc.address)

			require.NoError(t, c.Bounces.Delete(ctx, "example.com", tc.address))
			_, err = c.Bounces.Get(ctx, "example.com", tc.address)
			require.ErrorIs(t, err, mailgun.ErrNotFound)

			var paths []string
			for _, r := range srv.Requests() {
				if r.Method != http.MethodPost && r.RawQuery == "" {
					paths = append(paths, r.Method+" "+r.Path)
				}
			}
			want := "/v3/example.com/bounces/" + tc.escaped
			assert.Equal(t, []string{"GET " + want, "DELETE " + want, "GET " + want}, paths)
		})
	}
}

func TestBouncesFakeBehaviour(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }))
	const domain = "example.com"

	// Add replaces; created_at sent with an offset is kept.
	require.NoError(t, c.Bounces.Add(ctx, domain, mailgun.BounceInput{Address: "bob@example.com", Code: "554", Error: "first"}))
	created := time.Date(2024, 7, 1, 9, 30, 0, 0, time.FixedZone("", 2*3600))
	require.NoError(t, c.Bounces.Add(ctx, domain, mailgun.BounceInput{Address: "bob@example.com", Code: "551", Error: "second", CreatedAt: created}))
	b, err := c.Bounces.Get(ctx, domain, "bob@example.com")
	require.NoError(t, err)
	assert.Equal(t, "551", b.Code)
	assert.Equal(t, "second", b.Error)
	assert.True(t, b.CreatedAt.Equal(created), "%v", b.CreatedAt)
	assert.Len(t, srv.Bounces(domain), 1)

	// Lists are per domain.
	_, err = c.Bounces.Get(ctx, "other.example", "bob@example.com")
	require.ErrorIs(t, err, mailgun.ErrNotFound)

	// Delete, then add again: visible again.
	require.NoError(t, c.Bounces.Delete(ctx, domain, "bob@example.com"))
	require.ErrorIs(t, c.Bounces.Delete(ctx, domain, "bob@example.com"), mailgun.ErrNotFound)
	require.NoError(t, c.Bounces.Add(ctx, domain, mailgun.BounceInput{Address: "bob@example.com"}))
	b, err = c.Bounces.Get(ctx, domain, "bob@example.com")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), b.CreatedAt.UTC(), "the server's clock")

	// DeleteAll empties the list; on an empty list it is not an error.
	require.NoError(t, c.Bounces.AddMany(ctx, domain, []mailgun.BounceInput{{Address: "a@example.com"}, {Address: "c@example.com"}}))
	assert.Len(t, srv.Bounces(domain), 3)
	require.NoError(t, c.Bounces.DeleteAll(ctx, domain))
	assert.Empty(t, srv.Bounces(domain))
	require.NoError(t, c.Bounces.DeleteAll(ctx, domain))
	page, err := c.Bounces.ListPage(ctx, domain, nil)
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Empty(t, page.Next)
}

func TestBouncesFakePaging(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	const domain = "example.com"
	var want []string
	for i := range 25 {
		want = append(want, fmt.Sprintf("user%02d@example.com", i))
	}
	seed := slices.Clone(want)
	slices.Reverse(seed) // insertion order does not matter: the list is by address
	for _, a := range seed {
		srv.AddBounces(domain, mailgun.Bounce{Address: a})
	}
	srv.AddBounces(domain, mailgun.Bounce{Address: "admin@example.com"})

	// Pages of 10 with a prefix filter: 10, 10, 5, then an empty last page.
	opts := &mailgun.ListOptions{Limit: 10, Term: "user"}
	var got []string
	var sizes []int
	for {
		page, err := c.Bounces.ListPage(ctx, domain, opts)
		require.NoError(t, err)
		sizes = append(sizes, len(page.Items))
		for _, b := range page.Items {
			got = append(got, b.Address)
		}
		if page.Next == "" {
			break
		}
		opts = &mailgun.ListOptions{Cursor: page.Next}
	}
	assert.Equal(t, []int{10, 10, 5, 0}, sizes)
	assert.Equal(t, want, got)

	// A cursor survives the client: a new client resumes where the old one stopped.
	first, err := c.Bounces.ListPage(ctx, domain, &mailgun.ListOptions{Limit: 3})
	require.NoError(t, err)
	assert.Equal(t, "admin@example.com", first.Items[0].Address)
	var rest []string
	for b, err := range srv.Client().Bounces.List(ctx, domain, &mailgun.ListOptions{Cursor: first.Next}) {
		require.NoError(t, err)
		rest = append(rest, b.Address)
	}
	assert.Equal(t, want[2:], rest)

	// Breaking out of the loop stops fetching.
	srv.ResetRequests()
	n := 0
	for _, err := range c.Bounces.List(ctx, domain, &mailgun.ListOptions{Limit: 5}) {
		require.NoError(t, err)
		if n++; n == 7 {
			break
		}
	}
	assert.Len(t, srv.Requests(), 2)

	// An error ends the walk after the items already read.
	srv.Fail(http.MethodGet, "/v3/example.com/bounces", mailguntest.Fault{Status: http.StatusForbidden}, 1)
	var errs []error
	for _, err := range c.Bounces.List(ctx, domain, nil) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], mailgun.ErrForbidden)
}

// TestBouncesFakePastTheEnd walks from a cursor that lies beyond the list,
// where the fake answers "items": null like the real API. The contract
// declares items as an array, so this test's client does not validate.
func TestBouncesFakePastTheEnd(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.AddBounces("example.com", mailgun.Bounce{Address: "a@example.com"})
	c := srv.Client()
	page, err := c.Bounces.ListPage(context.Background(), "example.com", &mailgun.ListOptions{
		Cursor: "/v3/example.com/bounces?page=next&address=zz%40example.com&limit=100&term=",
	})
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Empty(t, page.Next)
}

// suppressionBatchSizes returns the record counts of the JSON batches the fake received.
func suppressionBatchSizes(t *testing.T, srv *mailguntest.Server) []int {
	t.Helper()
	var sizes []int
	for _, r := range srv.Requests() {
		if r.Method != http.MethodPost {
			continue
		}
		require.Equal(t, int64(len(r.Body)), r.BodySize, "the whole batch was logged")
		var batch []map[string]string
		require.NoError(t, json.Unmarshal(r.Body, &batch))
		sizes = append(sizes, len(batch))
	}
	return sizes
}

func TestBouncesAddManySplits(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	records := make([]mailgun.BounceInput, 2500)
	for i := range records {
		records[i] = mailgun.BounceInput{Address: fmt.Sprintf("u%04d@x.io", i)}
	}
	require.NoError(t, c.Bounces.AddMany(ctx, "example.com", records))
	assert.Equal(t, []int{999, 999, 502}, suppressionBatchSizes(t, srv))

	stored := srv.Bounces("example.com")
	require.Len(t, stored, 2500)
	assert.Equal(t, "u0000@x.io", stored[0].Address)
	assert.Equal(t, "u2499@x.io", stored[2499].Address)

	// The batches went in order: the first request holds the first records.
	reqs := srv.Requests()
	assert.Contains(t, string(reqs[0].Body), `"u0998@x.io"`)
	assert.Contains(t, string(reqs[1].Body), `"u0999@x.io"`)
	assert.Contains(t, string(reqs[2].Body), `"u2499@x.io"`)
}

func TestBouncesAddManyFailsInSecondBatch(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	records := make([]mailgun.BounceInput, 2500)
	for i := range records {
		records[i] = mailgun.BounceInput{Address: fmt.Sprintf("u%04d@x.io", i)}
	}
	srv.Fail(http.MethodPost, "/v3/example.com/bounces", mailguntest.Fault{}, 1) // the first batch passes
	srv.Fail(http.MethodPost, "/v3/example.com/bounces", mailguntest.Fault{Status: http.StatusInternalServerError}, 1)

	err := c.Bounces.AddMany(ctx, "example.com", records)
	var batchErr *mailgun.BatchError
	require.ErrorAs(t, err, &batchErr)
	assert.Equal(t, 999, batchErr.Accepted)
	assert.ErrorIs(t, err, mailgun.ErrServer, "the request's error is wrapped")
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
	assert.Contains(t, err.Error(), "999 accepted")

	assert.Len(t, srv.Requests(), 2, "a POST is not retried on 500, and the third batch is not sent")
	assert.Len(t, srv.Bounces("example.com"), 999)

	// Retrying the rest completes the list.
	require.NoError(t, c.Bounces.AddMany(ctx, "example.com", records[batchErr.Accepted:]))
	assert.Len(t, srv.Bounces("example.com"), 2500)
}

func TestBouncesAddManyFirstBatchFails(t *testing.T) {
	srv, c := newFake(t)
	srv.Fail(http.MethodPost, "/v3/example.com/bounces", mailguntest.Fault{Status: http.StatusBadRequest}, 1)
	err := c.Bounces.AddMany(context.Background(), "example.com", []mailgun.BounceInput{{Address: "a@example.com"}})
	var batchErr *mailgun.BatchError
	require.ErrorAs(t, err, &batchErr)
	assert.Zero(t, batchErr.Accepted)
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)
}

func TestBouncesFakeBatchLimit(t *testing.T) {
	_, c := newFake(t)
	batch := make([]map[string]string, 1000)
	for i := range batch {
		batch[i] = map[string]string{"address": fmt.Sprintf("u%d@example.com", i)}
	}
	err := c.Do(context.Background(), http.MethodPost, "/v3/example.com/bounces", batch, nil)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "Batch size should be less than 1000", apiErr.Message)

	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/v3/example.com/bounces", batch[:999], nil))
}

func TestBouncesFakeImport(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }))
	csv := "address,code,error,created_at\n" +
		"alice@example.com,550,No such mailbox,\"Thu, 13 Oct 2011 18:02:00 +0000\"\n" +
		"bob@example.com,,,\n" +
		"\"comma, inside@example.com\",554,\"multi\nline\",\n" +
		"not-an-address,550,,\n"
	require.NoError(t, c.Bounces.Import(ctx, "example.com", strings.NewReader(csv)))
	got := srv.Bounces("example.com")
	require.Len(t, got, 3, "the row without an address is skipped")
	alice, bob, comma := got[0], got[1], got[2]
	assert.Equal(t, "alice@example.com", alice.Address)
	assert.Equal(t, "550", alice.Code)
	assert.Equal(t, "No such mailbox", alice.Error)
	assert.Equal(t, time.Date(2011, 10, 13, 18, 2, 0, 0, time.UTC), alice.CreatedAt.UTC())
	assert.Equal(t, "bob@example.com", bob.Address)
	assert.Equal(t, "550", bob.Code, "the default code")
	assert.Equal(t, time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), bob.CreatedAt, "the default time")
	assert.Equal(t, "comma, inside@example.com", comma.Address)
	assert.Equal(t, "554", comma.Code)
	assert.Equal(t, "multi\nline", comma.Error)

	// A file from disk is an io.Seeker, so a 429 is retried with the whole file.
	path := filepath.Join(t.TempDir(), "bounces.csv")
	require.NoError(t, os.WriteFile(path, []byte("address\ncarol@example.com\n"), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	srv.ResetRequests()
	srv.Fail(http.MethodPost, "/v3/example.com/bounces/import", mailguntest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"}, 1)
	require.NoError(t, c.Bounces.Import(ctx, "example.com", f))
	assert.Len(t, srv.Requests(), 2)
	_, err = c.Bounces.Get(ctx, "example.com", "carol@example.com")
	require.NoError(t, err)

	// A file without the header row is refused as the API does.
	err = c.Bounces.Import(ctx, "example.com", strings.NewReader("dan@example.com,550\n"))
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "while reading csv header", apiErr.Message)
}

// suppressionHeap returns the live heap after a collection. The second
// collection frees what other goroutines allocated during the first.
func suppressionHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func TestBouncesListWalkMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("walks 10,000 bounces")
	}
	srv := mailguntest.NewServer(t)
	const n, limit = 10_000, 100
	pad := strings.Repeat("x", 1000) // each record is about 1 KiB
	seed := make([]mailgun.Bounce, n)
	for i := range seed {
		seed[i] = mailgun.Bounce{Address: fmt.Sprintf("user%05d@example.com", i), Error: pad}
	}
	srv.AddBounces("example.com", seed...)
	seed = nil
	c := srv.Client()

	// Warm up first: the connection, type caches and the fake's sorted index
	// of 10,000 addresses are not the walk's memory. Nor is the fake's
	// request log, which is emptied at each sample.
	_, err := c.Bounces.ListPage(context.Background(), "example.com", &mailgun.ListOptions{Limit: 1})
	require.NoError(t, err)
	srv.ResetRequests()
	base := suppressionHeap()
	var peak uint64
	count := 0
	for b, err := range c.Bounces.List(context.Background(), "example.com", &mailgun.ListOptions{Limit: limit}) {
		require.NoError(t, err)
		if b.Address != fmt.Sprintf("user%05d@example.com", count) {
			t.Fatalf("item %d is %s", count, b.Address)
		}
		count++
		if count%250 == 0 {
			srv.ResetRequests()
			if h := suppressionHeap(); h > base {
				peak = max(peak, h-base)
			}
		}
	}
	require.Equal(t, n, count)
	// A page is about 107 KiB; the whole list is about 10 MiB.
	const onePage = limit * 1100
	t.Logf("live heap growth during the walk: peak %d KiB (one page ≈ %d KiB)", peak>>10, onePage>>10)
	assert.Less(t, peak, uint64(2*onePage), "the walk keeps about one page in memory")
}

// suppressionCSV generates a bounce CSV of about size bytes on the fly,
// calling sample every sampleEvery bytes. Rows repeat 1000 addresses, so
// the fake's state stays small while the upload is large.
type suppressionCSV struct {
	size, sampleEvery int64
	sample            func()

	mu                   sync.Mutex // Read runs on the transport's goroutine
	produced, nextSample int64
	rows                 int
	pending              []byte
}

func (s *suppressionCSV) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		if s.produced >= s.size {
			return 0, io.EOF
		}
		if s.produced == 0 {
			s.pending = []byte("address,code,error,created_at\n")
		} else {
			s.pending = fmt.Appendf(s.pending[:0], "user%04d@example.com,550,%s row %d,\"Thu, 13 Oct 2011 18:02:00 +0000\"\n",
				s.rows%1000, strings.Repeat("z", 400), s.rows)
			s.rows++
		}
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	s.produced += int64(n)
	if s.produced >= s.nextSample {
		s.nextSample += s.sampleEvery
		s.sample()
	}
	return n, nil
}

func (s *suppressionCSV) counts() (produced int64, rows int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.produced, s.rows
}

func TestBouncesImportStreams50MB(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 50 MB")
	}
	// Not newFake: its contract check reads a large body whole (kin-openapi's
	// security validation buffers it), which would defeat the measurement.
	srv := mailguntest.NewServer(t)
	c := srv.Client()
	const size = 50 << 20
	base := suppressionHeap()
	var peak uint64 // written under src.mu
	src := &suppressionCSV{size: size, sampleEvery: 4 << 20}
	src.sample = func() {
		if h := suppressionHeap(); h > base {
			peak = max(peak, h-base)
		}
	}
	require.NoError(t, c.Bounces.Import(context.Background(), "example.com", src))
	produced, rows := src.counts()
	src.mu.Lock()
	growth := peak
	src.mu.Unlock()

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Greater(t, reqs[0].BodySize, int64(size), "the whole file was sent")
	stored := srv.Bounces("example.com")
	require.Len(t, stored, 1000, "every row was parsed (addresses repeat every 1000 rows)")
	last := (rows - 1) % 1000
	assert.True(t, strings.HasSuffix(stored[last].Error, fmt.Sprintf(" row %d", rows-1)), "the last row was stored")
	t.Logf("uploaded %d MiB in %d rows; peak live heap growth %d KiB", produced>>20, rows, growth>>10)
	assert.Less(t, growth, uint64(10<<20), "the upload is streamed, not buffered")
}
