package mailgun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

const usTemplates = "https://api.mailgun.net/v3/example.com/templates"

func templateExample(t *testing.T, name string) []byte {
	return fixture(t, "examples/templates/"+name)
}

var welcomeV1 = mailgun.TemplateVersionInput{
	Tag:      "v1",
	Template: "<p>Hi {{name}}</p>",
	Comment:  "first draft",
	Headers:  mailgun.TemplateHeaders{From: "Shop <shop@example.com>", Subject: "Welcome, {{name}}"},
}

func TestTemplatesWire(t *testing.T) {
	ctx := context.Background()
	headersJSON := url.QueryEscape(`{"From":"Shop <shop@example.com>","Subject":"Welcome, {{name}}"}`)
	// "Wel come/ü+1" reaches the API as one escaped segment.
	const odd, oddEsc = "Wel come/ü+1", "Wel%20come%2F%C3%BC%2B1"
	runWireCases(t, []wireCase{
		{
			name: "create", method: "POST", url: usTemplates,
			body: templateExample(t, "post-v3-domain-templates.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: "Welcome", Description: "new users", CreatedBy: "ops"})
				return err
			},
			wantURI:  "/v3/example.com/templates",
			wantForm: "createdBy=ops&description=new+users&name=Welcome",
		},
		{
			name: "create with a version", method: "POST", url: usTemplates,
			body: templateExample(t, "post-v3-domain-templates.200.json"),
			call: func(c *mailgun.Client) error {
				v := welcomeV1
				v.Active = true // the form has no such field: the first version is active anyway
				_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: "welcome", Version: &v})
				return err
			},
			wantURI:  "/v3/example.com/templates",
			wantForm: "comment=first+draft&headers=" + headersJSON + "&name=welcome&tag=v1&template=%3Cp%3EHi+%7B%7Bname%7D%7D%3C%2Fp%3E",
		},
		{
			name: "create with an untagged version", method: "POST", url: usTemplates,
			body: templateExample(t, "post-v3-domain-templates.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: "welcome", Version: &mailgun.TemplateVersionInput{Template: "x"}})
				return err
			},
			wantURI:  "/v3/example.com/templates",
			wantForm: "name=welcome&template=x",
		},
		{
			name: "get", method: "GET", url: usTemplates + "/" + oddEsc,
			body: templateExample(t, "get-v3-domain-templates-name.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.Get(ctx, "example.com", odd)
				return err
			},
			wantURI: "/v3/example.com/templates/" + oddEsc,
		},
		{
			name: "get active", method: "GET", url: usTemplates + "/welcome",
			body: templateExample(t, "get-v3-domain-templates-name.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.GetActive(ctx, "example.com", "welcome")
				return err
			},
			wantURI: "/v3/example.com/templates/welcome?active=yes",
		},
		{
			name: "update", method: "PUT", url: usTemplates + "/welcome",
			body: templateExample(t, "put-v3-domain-templates-name.200.json"),
			call: func(c *mailgun.Client) error {
				return c.Templates.Update(ctx, "example.com", "welcome", "for new users")
			},
			wantURI:  "/v3/example.com/templates/welcome",
			wantForm: "description=for+new+users",
		},
		{
			name: "update clears the description", method: "PUT", url: usTemplates + "/welcome",
			body:     templateExample(t, "put-v3-domain-templates-name.200.json"),
			call:     func(c *mailgun.Client) error { return c.Templates.Update(ctx, "example.com", "welcome", "") },
			wantURI:  "/v3/example.com/templates/welcome",
			wantForm: "description=",
		},
		{
			name: "delete", method: "DELETE", url: usTemplates + "/" + oddEsc,
			body:    templateExample(t, "delete-v3-domain-templates-name.200.json"),
			call:    func(c *mailgun.Client) error { return c.Templates.Delete(ctx, "example.com", odd) },
			wantURI: "/v3/example.com/templates/" + oddEsc,
		},
		{
			name: "delete all", method: "DELETE", url: usTemplates,
			body:    templateExample(t, "delete-v3-domain-templates.200.json"),
			call:    func(c *mailgun.Client) error { return c.Templates.DeleteAll(ctx, "example.com") },
			wantURI: "/v3/example.com/templates",
		},
		{
			name: "list page", method: "GET", url: usTemplates,
			body: templateExample(t, "get-v3-domain-templates.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.ListPage(ctx, "example.com", &mailgun.TemplateListOptions{Limit: 10})
				return err
			},
			wantURI: "/v3/example.com/templates?limit=10",
		},
		{
			name: "list page with defaults", method: "GET", url: usTemplates,
			body: templateExample(t, "get-v3-domain-templates.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.ListPage(ctx, "example.com", nil)
				return err
			},
			wantURI: "/v3/example.com/templates",
		},
		{
			name: "list page at a cursor", method: "GET", url: usTemplates,
			body: templateExample(t, "get-v3-domain-templates.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.ListPage(ctx, "example.com", &mailgun.TemplateListOptions{Cursor: "/v3/example.com/templates?limit=10&p=template.2&page=next", Limit: 50})
				return err
			},
			wantURI: "/v3/example.com/templates?limit=10&p=template.2&page=next",
		},
		{
			name: "create version", method: "POST", url: usTemplates + "/welcome/versions",
			body: templateExample(t, "post-v3-domain-templates-name-versions.200.json"),
			call: func(c *mailgun.Client) error {
				v := welcomeV1
				v.Active = true
				_, err := c.Templates.CreateVersion(ctx, "example.com", "welcome", v)
				return err
			},
			wantURI:  "/v3/example.com/templates/welcome/versions",
			wantForm: "active=yes&comment=first+draft&headers=" + headersJSON + "&tag=v1&template=%3Cp%3EHi+%7B%7Bname%7D%7D%3C%2Fp%3E",
		},
		{
			name: "get version", method: "GET", url: usTemplates + "/welcome/versions/v%2F1",
			body: templateExample(t, "get-v3-domain-templates-name-versions-tag.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.GetVersion(ctx, "example.com", "welcome", "v/1")
				return err
			},
			wantURI: "/v3/example.com/templates/welcome/versions/v%2F1",
		},
		{
			name: "update version", method: "PUT", url: usTemplates + "/welcome/versions/v1",
			body: templateExample(t, "put-v3-domain-templates-name-versions-tag.200.json"),
			call: func(c *mailgun.Client) error {
				return c.Templates.UpdateVersion(ctx, "example.com", "welcome", mailgun.TemplateVersionInput{Tag: "v1", Comment: "typo fixed"})
			},
			wantURI:  "/v3/example.com/templates/welcome/versions/v1",
			wantForm: "comment=typo+fixed",
		},
		{
			name: "set active", method: "PUT", url: usTemplates + "/welcome/versions/v2",
			body:     templateExample(t, "put-v3-domain-templates-name-versions-tag.200.json"),
			call:     func(c *mailgun.Client) error { return c.Templates.SetActive(ctx, "example.com", "welcome", "v2") },
			wantURI:  "/v3/example.com/templates/welcome/versions/v2",
			wantForm: "active=yes",
		},
		{
			name: "delete version", method: "DELETE", url: usTemplates + "/welcome/versions/v1",
			body:    templateExample(t, "delete-v3-domain-templates-name-versions-tag.200.json"),
			call:    func(c *mailgun.Client) error { return c.Templates.DeleteVersion(ctx, "example.com", "welcome", "v1") },
			wantURI: "/v3/example.com/templates/welcome/versions/v1",
		},
		{
			name: "list versions page", method: "GET", url: usTemplates + "/welcome/versions",
			body: templateExample(t, "get-v3-domain-templates-name-versions.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.ListVersionsPage(ctx, "example.com", "welcome", &mailgun.TemplateListOptions{Limit: 100})
				return err
			},
			wantURI: "/v3/example.com/templates/welcome/versions?limit=100",
		},
		{
			name: "copy version", method: "PUT", url: usTemplates + "/welcome/versions/v1/copy/v1%20copy",
			body: templateExample(t, "put-v3-domain-templates-name-versions-tag-copy-newtag.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.CopyVersion(ctx, "example.com", "welcome", "v1", "v1 copy", "from v1 & co")
				return err
			},
			wantURI: "/v3/example.com/templates/welcome/versions/v1/copy/v1%20copy?comment=from+v1+%26+co",
		},
		{
			name: "copy version without comment", method: "PUT", url: usTemplates + "/welcome/versions/v1/copy/v2",
			body: templateExample(t, "put-v3-domain-templates-name-versions-tag-copy-newtag.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Templates.CopyVersion(ctx, "example.com", "welcome", "v1", "v2", "")
				return err
			},
			wantURI: "/v3/example.com/templates/welcome/versions/v1/copy/v2",
		},
	})
}

func TestTemplatesResponseExamples(t *testing.T) {
	ctx := context.Background()
	date := time.Date(1955, 11, 12, 6, 38, 0, 0, time.UTC)
	exampleVersion := mailgun.TemplateVersion{
		Tag: "tag", Template: "<html>template content</html>", Engine: "handlebars", Comment: "Version comment",
		Active: true, ID: "3efd2b85-0f41-4a1d-9898-05d7e7459c4a", CreatedAt: date,
		Headers: mailgun.TemplateHeaders{From: "from@header.tld", Subject: "Subject Value", ReplyTo: "reply-to@header.tld"},
	}
	exampleTemplate := mailgun.Template{
		Name: "template_name", Description: "This is the description of the template", CreatedBy: "user-supplied-value",
		ID: "46565d87-68b6-4edb-8b3c-34554af4bb77", CreatedAt: date, Version: &exampleVersion,
	}
	var covered []string
	respond := func(t *testing.T, file, method, path string) *mailgun.Client {
		t.Helper()
		covered = append(covered, file)
		body := example(t, "templates/"+file, method, path, 200)
		c, m := newMockClient(t)
		m.respond(method, "https://api.mailgun.net"+path, 200, body)
		return c
	}
	const base = "/v3/example.com/templates"

	t.Run("create", func(t *testing.T) {
		c := respond(t, "post-v3-domain-templates.200.json", "POST", base)
		got, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: "template_name", Version: &welcomeV1})
		require.NoError(t, err)
		assert.Equal(t, &exampleTemplate, got)
	})
	t.Run("get", func(t *testing.T) {
		c := respond(t, "get-v3-domain-templates-name.200.json", "GET", base+"/template_name")
		got, err := c.Templates.GetActive(ctx, "example.com", "template_name")
		require.NoError(t, err)
		assert.Equal(t, &exampleTemplate, got)
	})
	t.Run("create version", func(t *testing.T) {
		c := respond(t, "post-v3-domain-templates-name-versions.200.json", "POST", base+"/template_name/versions")
		got, err := c.Templates.CreateVersion(ctx, "example.com", "template_name", welcomeV1)
		require.NoError(t, err)
		assert.Equal(t, &exampleVersion, got)
	})
	t.Run("get version", func(t *testing.T) {
		c := respond(t, "get-v3-domain-templates-name-versions-tag.200.json", "GET", base+"/template_name/versions/tag")
		got, err := c.Templates.GetVersion(ctx, "example.com", "template_name", "tag")
		require.NoError(t, err)
		assert.Equal(t, &exampleVersion, got)
	})
	t.Run("copy version", func(t *testing.T) {
		c := respond(t, "put-v3-domain-templates-name-versions-tag-copy-newtag.200.json", "PUT", base+"/template_name/versions/tag/copy/cloned%20version")
		got, err := c.Templates.CopyVersion(ctx, "example.com", "template_name", "tag", "cloned version", "a comment value from copy")
		require.NoError(t, err)
		assert.Equal(t, &mailgun.TemplateVersion{
			Tag: "cloned version", Template: "<p>{{firstname}} {{lastname}}</p>", Engine: "handlebars",
			CreatedAt: time.Date(2025, 3, 21, 15, 0, 44, 0, time.UTC), Comment: "a comment value from copy",
			ID: "95658c55-e93a-40d5-a02f-a4fadfbbb3ca",
		}, got)
	})
	t.Run("list", func(t *testing.T) {
		c := respond(t, "get-v3-domain-templates.200.json", "GET", base)
		page, err := c.Templates.ListPage(ctx, "example.com", nil)
		require.NoError(t, err)
		assert.Equal(t, []mailgun.Template{
			{Name: "template.0", Description: "Description for template 0", CreatedAt: date, ID: "48d63154-8c8f-4104-ab14-687d01dbf296"},
			{Name: "template.1", Description: "Description for template 1", CreatedAt: date, ID: "8d9c0f0d-7bf7-43a4-92a9-791a854d12a4"},
		}, page.Items)
		// The link's paging parameters, on the list's own path and host.
		assert.Equal(t, "/v3/example.com/templates?limit=10&p=template.2&page=next", page.Next)
	})
	t.Run("list versions", func(t *testing.T) {
		c := respond(t, "get-v3-domain-templates-name-versions.200.json", "GET", base+"/template_name/versions")
		page, err := c.Templates.ListVersionsPage(ctx, "example.com", "template_name", nil)
		require.NoError(t, err)
		require.Len(t, page.Items, 3)
		assert.Equal(t, mailgun.TemplateVersion{
			Tag: "v0", Engine: "handlebars", CreatedAt: date, Comment: "version comment", ID: "71bd07b8-fe81-4199-8fcf-67c956ccdc34",
		}, page.Items[0])
		assert.True(t, page.Items[1].Active)
		assert.Equal(t, []string{"v0", "v1", "v2"}, []string{page.Items[0].Tag, page.Items[1].Tag, page.Items[2].Tag})
		// The link names the template by id; the cursor keeps the name asked for.
		assert.Equal(t, "/v3/example.com/templates/template_name/versions?limit=10&p=v2&page=next", page.Next)
	})
	for _, tt := range []struct {
		file, method, path string
		call               func(c *mailgun.Client) error
	}{
		{"put-v3-domain-templates-name.200.json", "PUT", base + "/template_name",
			func(c *mailgun.Client) error { return c.Templates.Update(ctx, "example.com", "template_name", "d") }},
		{"delete-v3-domain-templates-name.200.json", "DELETE", base + "/template_name",
			func(c *mailgun.Client) error { return c.Templates.Delete(ctx, "example.com", "template_name") }},
		{"delete-v3-domain-templates.200.json", "DELETE", base,
			func(c *mailgun.Client) error { return c.Templates.DeleteAll(ctx, "example.com") }},
		{"put-v3-domain-templates-name-versions-tag.200.json", "PUT", base + "/template_name/versions/tag",
			func(c *mailgun.Client) error {
				return c.Templates.SetActive(ctx, "example.com", "template_name", "tag")
			}},
		{"delete-v3-domain-templates-name-versions-tag.200.json", "DELETE", base + "/template_name/versions/tag",
			func(c *mailgun.Client) error {
				return c.Templates.DeleteVersion(ctx, "example.com", "template_name", "tag")
			}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			require.NoError(t, tt.call(respond(t, tt.file, tt.method, tt.path)))
		})
	}
	suppressionCoverExamples(t, "templates", covered)
}

// TestTemplatesLenientDecode: a field of an unexpected type is dropped and
// the item kept; only the structure of a reply can fail it.
func TestTemplatesLenientDecode(t *testing.T) {
	ctx := context.Background()
	c, m := newMockClient(t)
	m.respond("GET", usTemplates, 200, []byte(`{"items": [
		{"name": "a", "description": 5, "createdAt": "not a date", "createdBy": ["x"], "id": {"k": 1}, "version": "v1"},
		null,
		{"name": "b", "createdAt": "2025-01-02T03:04:05Z", "version": {"tag": "t", "active": "yes", "headers": "{\"subject\": \"Hi\", \"X-Other\": \"dropped\"}"}},
		{"name": "c", "version": {"tag": 7, "active": 1, "headers": {"From": 5, "Reply-To": "r@example.com"}, "createdAt": 17}}
	], "paging": {"next": "https://api.mailgun.net/v3/example.com/templates?page=next&p=c&limit=3"}}`))
	page, err := c.Templates.ListPage(ctx, "example.com", nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 3, "the null item is skipped")
	assert.Equal(t, mailgun.Template{Name: "a", Description: "5"}, page.Items[0])
	assert.Equal(t, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), page.Items[1].CreatedAt)
	assert.Equal(t, &mailgun.TemplateVersion{Tag: "t", Active: true, Headers: mailgun.TemplateHeaders{Subject: "Hi"}}, page.Items[1].Version)
	assert.Equal(t, &mailgun.TemplateVersion{Tag: "7", Headers: mailgun.TemplateHeaders{From: "5", ReplyTo: "r@example.com"}}, page.Items[2].Version, "numbers are read as text")
	assert.Equal(t, "/v3/example.com/templates?limit=3&p=c&page=next", page.Next)

	// An item that is not an object is skipped, as in every list.
	m.respond("GET", usTemplates+"/a/versions", 200, []byte(`{"template": {"name": "a", "versions": [{"tag": "v"}, "w", 7, []]}, "paging": {"next": ""}}`))
	vp, err := c.Templates.ListVersionsPage(ctx, "example.com", "a", nil)
	require.NoError(t, err)
	assert.Equal(t, []mailgun.TemplateVersion{{Tag: "v"}}, vp.Items)
	m.respond("GET", usTemplates, 200, []byte(`{"items": [{"name": "a"}, "b"], "paging": {"next": ""}}`))
	page, err = c.Templates.ListPage(ctx, "example.com", nil)
	require.NoError(t, err)
	assert.Equal(t, []mailgun.Template{{Name: "a"}}, page.Items)

	// Structural problems fail the call.
	for name, tc := range map[string]struct{ url, body string }{
		"items not an array":        {usTemplates, `{"items": {"name": "a"}, "paging": {}}`},
		"no paging":                 {usTemplates, `{"items": [{"name": "a"}]}`},
		"next without a pivot":      {usTemplates, `{"items": [{"name": "a"}], "paging": {"next": "https://api.mailgun.net/v3/example.com/templates?page=next"}}`},
		"next that does not parse":  {usTemplates, `{"items": [{"name": "a"}], "paging": {"next": "http://[::1"}}`},
		"html page":                 {usTemplates, `<!DOCTYPE html><html><title>Portal</title></html>`},
		"truncated":                 {usTemplates, `{"items": [{"name": "a"`},
		"versions without template": {usTemplates + "/a/versions", `{"paging": {"next": ""}}`},
	} {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond("GET", tc.url, 200, []byte(tc.body))
			var err error
			if tc.url == usTemplates {
				_, err = c.Templates.ListPage(ctx, "example.com", nil)
			} else {
				_, err = c.Templates.ListVersionsPage(ctx, "example.com", "a", nil)
			}
			assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
		})
	}

	// A page without items ends the walk, whatever its paging says.
	for _, body := range []string{`{"items": null}`, `{"items": []}`, `{}`, `{"items": [null], "paging": {"next": "https://x/v3/example.com/templates?p=z&page=next"}}`} {
		c, m := newMockClient(t)
		m.respond("GET", usTemplates, 200, []byte(body))
		page, err := c.Templates.ListPage(ctx, "example.com", nil)
		require.NoError(t, err, body)
		assert.Empty(t, page.Items)
		assert.Empty(t, page.Next)
	}
	c, m = newMockClient(t)
	m.respond("GET", usTemplates+"/a/versions", 200, []byte(`{"template": {"name": "a", "versions": null}, "paging": {}}`))
	vpage, err := c.Templates.ListVersionsPage(ctx, "example.com", "a", nil)
	require.NoError(t, err)
	assert.Empty(t, vpage.Items)

	// Replies without what the call returns.
	for name, tc := range map[string]struct {
		method, url, body string
		call              func(c *mailgun.Client) error
	}{
		"get without template": {"GET", usTemplates + "/a", `{"message": "ok"}`, func(c *mailgun.Client) error {
			_, err := c.Templates.Get(ctx, "example.com", "a")
			return err
		}},
		"template not an object": {"GET", usTemplates + "/a", `{"template": "a"}`, func(c *mailgun.Client) error {
			_, err := c.Templates.Get(ctx, "example.com", "a")
			return err
		}},
		"get version without version": {"GET", usTemplates + "/a/versions/v", `{"template": {"name": "a"}}`, func(c *mailgun.Client) error {
			_, err := c.Templates.GetVersion(ctx, "example.com", "a", "v")
			return err
		}},
		"create version without version": {"POST", usTemplates + "/a/versions", `{"message": "ok", "template": {"name": "a"}}`, func(c *mailgun.Client) error {
			_, err := c.Templates.CreateVersion(ctx, "example.com", "a", welcomeV1)
			return err
		}},
		"copy without version": {"PUT", usTemplates + "/a/versions/v/copy/w", `{"message": "ok"}`, func(c *mailgun.Client) error {
			_, err := c.Templates.CopyVersion(ctx, "example.com", "a", "v", "w", "")
			return err
		}},
		"update with an empty body": {"PUT", usTemplates + "/a", ``, func(c *mailgun.Client) error {
			return c.Templates.Update(ctx, "example.com", "a", "d")
		}},
		"delete all answered with a page": {"DELETE", usTemplates, `<html>OK</html>`, func(c *mailgun.Client) error {
			return c.Templates.DeleteAll(ctx, "example.com")
		}},
	} {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(tc.method, tc.url, 200, []byte(tc.body))
			assert.ErrorIs(t, tc.call(c), mailgun.ErrInvalidResponse)
		})
	}

	// The deprecated "template" of a copy reply is read when "version" is missing.
	c, m = newMockClient(t)
	m.respond("PUT", usTemplates+"/a/versions/v/copy/w", 200, []byte(`{"message": "ok", "template": {"tag": "w", "engine": "handlebars"}}`))
	v, err := c.Templates.CopyVersion(ctx, "example.com", "a", "v", "w", "")
	require.NoError(t, err)
	assert.Equal(t, "w", v.Tag)
}

func TestTemplateHeadersJSON(t *testing.T) {
	var h mailgun.TemplateHeaders
	require.NoError(t, json.Unmarshal([]byte(`{"from": "a@example.com", "SUBJECT": "s", "reply-to": "r@example.com", "Cc": "x"}`), &h))
	assert.Equal(t, mailgun.TemplateHeaders{From: "a@example.com", Subject: "s", ReplyTo: "r@example.com"}, h)
	require.NoError(t, json.Unmarshal([]byte(`null`), &h))
	assert.True(t, h.IsZero())
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &h))
	b, err := json.Marshal(mailgun.TemplateHeaders{ReplyTo: "r@example.com"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Reply-To": "r@example.com"}`, string(b))

	// A Template survives a JSON round trip of its own encoding.
	tpl := mailgun.Template{Name: "a", CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Version: &mailgun.TemplateVersion{Tag: "v", Active: true, Headers: h}}
	b, err = json.Marshal(tpl)
	require.NoError(t, err)
	var back mailgun.Template
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, tpl, back)
}

// TestTemplatesDecodeRepeatedMembers: names are matched as encoding/json
// matches them, the last spelling of a header winning, and a member
// repeated with a value of an unexpected type reads as absent (the list
// rule), so the value before it stands.
func TestTemplatesDecodeRepeatedMembers(t *testing.T) {
	var h mailgun.TemplateHeaders
	require.NoError(t, json.Unmarshal([]byte(`{"from": "a@example.com", "FROM": "b@example.com", "subject": "s", "Subject": true}`), &h))
	assert.Equal(t, mailgun.TemplateHeaders{From: "b@example.com", Subject: "s"}, h)
	require.NoError(t, json.Unmarshal([]byte(`""`), &h))
	assert.True(t, h.IsZero(), "an empty headers string is no headers")

	var tpl mailgun.Template
	require.NoError(t, json.Unmarshal([]byte(`{"name": "a", "name": true, "version": {"tag": "v", "active": true, "active": 3}, "version": "x"}`), &tpl))
	assert.Equal(t, mailgun.Template{Name: "a", Version: &mailgun.TemplateVersion{Tag: "v", Active: true}}, tpl)
}

// FuzzTemplateDecode: a template or version that is a JSON object always
// decodes, whatever its members hold; anything else fails without panic.
func FuzzTemplateDecode(f *testing.F) {
	for _, seed := range []string{
		`{"name": "a", "description": 5, "createdAt": "Sat, 12 Nov 1955 06:38:00 UTC", "version": {"tag": 7, "active": "yes", "headers": "{\"From\": 1}"}}`,
		`{"tag": "t", "headers": {"reply-to": ["x"]}, "createdAt": [], "active": {}}`,
		`{"version": [], "name": {"x": null}}`,
		`[1]`, `"x"`, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		object := bytes.HasPrefix(bytes.TrimSpace(data), []byte("{"))
		var tpl mailgun.Template
		if err := json.Unmarshal(data, &tpl); object && err != nil {
			t.Fatalf("template %s: %v", data, err)
		}
		var v mailgun.TemplateVersion
		if err := json.Unmarshal(data, &v); object && err != nil {
			t.Fatalf("version %s: %v", data, err)
		}
	})
}

func TestTemplatesBadInput(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(c *mailgun.Client) error{
		"create empty domain": func(c *mailgun.Client) error {
			_, err := c.Templates.Create(ctx, "", mailgun.TemplateInput{Name: "a"})
			return err
		},
		"create empty name": func(c *mailgun.Client) error {
			_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{})
			return err
		},
		"create blank name": func(c *mailgun.Client) error {
			_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: "  "})
			return err
		},
		"create dot-dot name": func(c *mailgun.Client) error {
			_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: ".."})
			return err
		},
		"create version without content": func(c *mailgun.Client) error {
			_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: "a", Version: &mailgun.TemplateVersionInput{Tag: "v"}})
			return err
		},
		"create header with a line break": func(c *mailgun.Client) error {
			_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: "a", Version: &mailgun.TemplateVersionInput{
				Template: "x", Headers: mailgun.TemplateHeaders{Subject: "Hi\r\nBcc: all@example.com"},
			}})
			return err
		},
		"create blank tag": func(c *mailgun.Client) error {
			_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: "a", Version: &mailgun.TemplateVersionInput{Tag: " ", Template: "x"}})
			return err
		},
		"get empty name":       func(c *mailgun.Client) error { _, err := c.Templates.Get(ctx, "example.com", ""); return err },
		"get active dot name":  func(c *mailgun.Client) error { _, err := c.Templates.GetActive(ctx, "example.com", "."); return err },
		"get empty domain":     func(c *mailgun.Client) error { _, err := c.Templates.Get(ctx, "", "a"); return err },
		"update empty name":    func(c *mailgun.Client) error { return c.Templates.Update(ctx, "example.com", "", "d") },
		"update empty domain":  func(c *mailgun.Client) error { return c.Templates.Update(ctx, "", "a", "d") },
		"delete empty name":    func(c *mailgun.Client) error { return c.Templates.Delete(ctx, "example.com", "") },
		"delete all no domain": func(c *mailgun.Client) error { return c.Templates.DeleteAll(ctx, "") },
		"list page no domain":  func(c *mailgun.Client) error { _, err := c.Templates.ListPage(ctx, "", nil); return err },
		"list page limit -1":   func(c *mailgun.Client) error { return listPageErr(c, &mailgun.TemplateListOptions{Limit: -1}) },
		"list page limit 101":  func(c *mailgun.Client) error { return listPageErr(c, &mailgun.TemplateListOptions{Limit: 101}) },
		"list page bad cursor": func(c *mailgun.Client) error {
			return listPageErr(c, &mailgun.TemplateListOptions{Cursor: "https://evil.example/v3/x"})
		},
		"list page other domain": func(c *mailgun.Client) error {
			return listPageErr(c, &mailgun.TemplateListOptions{Cursor: "/v3/other.example.com/templates?p=a&page=next"})
		},
		"list page versions cursor": func(c *mailgun.Client) error {
			return listPageErr(c, &mailgun.TemplateListOptions{Cursor: "/v3/example.com/templates/a/versions?p=a&page=next"})
		},
		"list page bounces cursor": func(c *mailgun.Client) error {
			return listPageErr(c, &mailgun.TemplateListOptions{Cursor: "/v3/example.com/bounces?page=next&address=a"})
		},
		"list walk limit": func(c *mailgun.Client) error {
			for _, err := range c.Templates.List(ctx, "example.com", &mailgun.TemplateListOptions{Limit: 1000}) {
				return err
			}
			return nil
		},
		"list versions no template": func(c *mailgun.Client) error {
			for _, err := range c.Templates.ListVersions(ctx, "example.com", "", nil) {
				return err
			}
			return nil
		},
		"list versions other template cursor": func(c *mailgun.Client) error {
			_, err := c.Templates.ListVersionsPage(ctx, "example.com", "a", &mailgun.TemplateListOptions{Cursor: "/v3/example.com/templates/b/versions?p=v&page=next"})
			return err
		},
		"list versions templates cursor": func(c *mailgun.Client) error {
			_, err := c.Templates.ListVersionsPage(ctx, "example.com", "a", &mailgun.TemplateListOptions{Cursor: "/v3/example.com/templates?p=v&page=next"})
			return err
		},
		"create version empty tag": func(c *mailgun.Client) error {
			_, err := c.Templates.CreateVersion(ctx, "example.com", "a", mailgun.TemplateVersionInput{Template: "x"})
			return err
		},
		"create version no content": func(c *mailgun.Client) error {
			_, err := c.Templates.CreateVersion(ctx, "example.com", "a", mailgun.TemplateVersionInput{Tag: "v"})
			return err
		},
		"create version empty template name": func(c *mailgun.Client) error {
			_, err := c.Templates.CreateVersion(ctx, "example.com", "", welcomeV1)
			return err
		},
		"get version empty tag": func(c *mailgun.Client) error {
			_, err := c.Templates.GetVersion(ctx, "example.com", "a", "")
			return err
		},
		"update version changes nothing": func(c *mailgun.Client) error {
			return c.Templates.UpdateVersion(ctx, "example.com", "a", mailgun.TemplateVersionInput{Tag: "v"})
		},
		"update version empty tag": func(c *mailgun.Client) error {
			return c.Templates.UpdateVersion(ctx, "example.com", "a", mailgun.TemplateVersionInput{Comment: "c"})
		},
		"update version bad header": func(c *mailgun.Client) error {
			return c.Templates.UpdateVersion(ctx, "example.com", "a", mailgun.TemplateVersionInput{Tag: "v", Headers: mailgun.TemplateHeaders{From: "a\nb"}})
		},
		"set active empty tag":      func(c *mailgun.Client) error { return c.Templates.SetActive(ctx, "example.com", "a", "") },
		"delete version dot tag":    func(c *mailgun.Client) error { return c.Templates.DeleteVersion(ctx, "example.com", "a", "..") },
		"delete version empty name": func(c *mailgun.Client) error { return c.Templates.DeleteVersion(ctx, "example.com", "", "v") },
		"copy empty new tag": func(c *mailgun.Client) error {
			_, err := c.Templates.CopyVersion(ctx, "example.com", "a", "v", "", "")
			return err
		},
		"copy empty tag": func(c *mailgun.Client) error {
			_, err := c.Templates.CopyVersion(ctx, "example.com", "a", "", "w", "")
			return err
		},
	}
	refusedBeforeSending(t, calls)
}

func listPageErr(c *mailgun.Client, opts *mailgun.TemplateListOptions) error {
	_, err := c.Templates.ListPage(context.Background(), "example.com", opts)
	return err
}

// TestTemplatesWalkStopsOnRepeatedCursor: a server whose next link never
// advances ends the walk with ErrInvalidResponse instead of looping.
func TestTemplatesWalkStopsOnRepeatedCursor(t *testing.T) {
	c, m := newMockClient(t)
	m.respond("GET", usTemplates, 200, []byte(`{"items": [{"name": "a"}], "paging": {"next": "https://api.mailgun.net/v3/example.com/templates?page=next&p=a"}}`))
	var names []string
	var last error
	for tpl, err := range c.Templates.List(context.Background(), "example.com", nil) {
		if err != nil {
			last = err
			break
		}
		names = append(names, tpl.Name)
	}
	assert.ErrorIs(t, last, mailgun.ErrInvalidResponse)
	assert.Equal(t, []string{"a", "a"}, names)
	assert.Len(t, m.sent(), 2)
}

// TestTemplatesFakeRoundTrip creates, reads back and updates templates and
// versions through the fake; every value a Get returns is sent back by the
// matching update and changes nothing.
func TestTemplatesFakeRoundTrip(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))
	raw := srv.Client() // for 404s, which the contract does not declare for templates
	const d = "example.com"

	// Names are stored lower-cased; lookups ignore the case.
	created, err := c.Templates.Create(ctx, d, mailgun.TemplateInput{Name: "Welcome", Description: "new users", CreatedBy: "ops", Version: &welcomeV1})
	require.NoError(t, err)
	assert.Equal(t, "welcome", created.Name)
	assert.Equal(t, now, created.CreatedAt)
	require.NotNil(t, created.Version)
	assert.True(t, created.Version.Active, "the first version is active")
	assert.Equal(t, welcomeV1.Headers, created.Version.Headers)

	got, err := c.Templates.Get(ctx, d, "WELCOME")
	require.NoError(t, err)
	assert.Nil(t, got.Version)
	assert.Equal(t, mailgun.Template{Name: "welcome", Description: "new users", CreatedBy: "ops", ID: created.ID, CreatedAt: now}, *got)

	// Template round trip: the description read is sent back unchanged.
	require.NoError(t, c.Templates.Update(ctx, d, got.Name, got.Description))
	again, err := c.Templates.Get(ctx, d, got.Name)
	require.NoError(t, err)
	assert.Equal(t, got, again)
	require.NoError(t, c.Templates.Update(ctx, d, got.Name, ""))
	again, err = c.Templates.Get(ctx, d, got.Name)
	require.NoError(t, err)
	assert.Empty(t, again.Description)

	active, err := c.Templates.GetActive(ctx, d, "welcome")
	require.NoError(t, err)
	require.NotNil(t, active.Version)
	assert.Equal(t, welcomeV1.Template, active.Version.Template)
	assert.Equal(t, created.Version, active.Version)

	// Version round trip: Get, send back through Input, nothing changes.
	v1, err := c.Templates.GetVersion(ctx, d, "welcome", "v1")
	require.NoError(t, err)
	require.NoError(t, c.Templates.UpdateVersion(ctx, d, "welcome", v1.Input()))
	same, err := c.Templates.GetVersion(ctx, d, "welcome", "v1")
	require.NoError(t, err)
	assert.Equal(t, v1, same)
	// ... and one changed field changes only that field.
	in := v1.Input()
	in.Comment = "second draft"
	require.NoError(t, c.Templates.UpdateVersion(ctx, d, "welcome", in))
	changed, err := c.Templates.GetVersion(ctx, d, "welcome", "v1")
	require.NoError(t, err)
	want := *v1
	want.Comment = "second draft"
	assert.Equal(t, &want, changed)
	// Empty fields leave the version as it was.
	require.NoError(t, c.Templates.UpdateVersion(ctx, d, "welcome", mailgun.TemplateVersionInput{Tag: "v1", Template: "<p>Bye {{name}}</p>"}))
	changed, err = c.Templates.GetVersion(ctx, d, "welcome", "v1")
	require.NoError(t, err)
	assert.Equal(t, "<p>Bye {{name}}</p>", changed.Template)
	assert.Equal(t, "second draft", changed.Comment)
	assert.Equal(t, welcomeV1.Headers, changed.Headers)

	// A second version is not active unless asked; Active moves the flag.
	v2, err := c.Templates.CreateVersion(ctx, d, "welcome", mailgun.TemplateVersionInput{Tag: "v2", Template: "<p>Hello {{name}}</p>"})
	require.NoError(t, err)
	assert.False(t, v2.Active)
	assert.Equal(t, "handlebars", v2.Engine)
	v3, err := c.Templates.CreateVersion(ctx, d, "welcome", mailgun.TemplateVersionInput{Tag: "v3", Template: "<p>Hey {{name}}</p>", Active: true})
	require.NoError(t, err)
	assert.True(t, v3.Active)
	activeTags := func() []string {
		var tags []string
		for v, err := range c.Templates.ListVersions(ctx, d, "welcome", nil) {
			require.NoError(t, err)
			assert.Empty(t, v.Template, "lists carry no content")
			if v.Active {
				tags = append(tags, v.Tag)
			}
		}
		return tags
	}
	assert.Equal(t, []string{"v3"}, activeTags())
	require.NoError(t, c.Templates.SetActive(ctx, d, "welcome", "v2"))
	assert.Equal(t, []string{"v2"}, activeTags())
	r, err := srv.RenderTemplate(d, "welcome", "", map[string]any{"name": "Ann"})
	require.NoError(t, err)
	assert.Equal(t, "<p>Hello Ann</p>", r.HTML)
	assert.Equal(t, "v2", r.Version)

	// Copy: same content and headers, a new comment, not active.
	cp, err := c.Templates.CopyVersion(ctx, d, "welcome", "v1", "v1-copy", "copied")
	require.NoError(t, err)
	assert.Equal(t, "v1-copy", cp.Tag)
	assert.Equal(t, "copied", cp.Comment)
	assert.Equal(t, changed.Template, cp.Template)
	assert.Equal(t, changed.Headers, cp.Headers)
	assert.False(t, cp.Active)
	assert.NotEqual(t, changed.ID, cp.ID)

	// Deleting the active version leaves none active; sends then fail to render.
	require.NoError(t, c.Templates.DeleteVersion(ctx, d, "welcome", "v2"))
	assert.Empty(t, activeTags())
	active, err = c.Templates.GetActive(ctx, d, "welcome")
	require.NoError(t, err)
	assert.Nil(t, active.Version)
	_, err = srv.RenderTemplate(d, "welcome", "", nil)
	assert.Error(t, err)
	_, err = raw.Templates.GetVersion(ctx, d, "welcome", "v2")
	assert.ErrorIs(t, err, mailgun.ErrNotFound)
	assert.Len(t, srv.TemplateVersions(d, "Welcome"), 3)

	// A template without content gets its first version active.
	_, err = c.Templates.Create(ctx, d, mailgun.TemplateInput{Name: "receipt"})
	require.NoError(t, err)
	first, err := c.Templates.CreateVersion(ctx, d, "receipt", mailgun.TemplateVersionInput{Tag: "initial", Template: "<p>{{total}}</p>"})
	require.NoError(t, err)
	assert.True(t, first.Active)
	listed := srv.Templates(d)
	require.Len(t, listed, 2)
	assert.Equal(t, "receipt", listed[0].Name)
	assert.Equal(t, "initial", listed[0].Version.Tag)
	assert.Nil(t, listed[1].Version, "welcome has no active version")

	// Delete, then delete all.
	require.NoError(t, c.Templates.Delete(ctx, d, "Receipt"))
	_, err = raw.Templates.Get(ctx, d, "receipt")
	assert.ErrorIs(t, err, mailgun.ErrNotFound)
	require.NoError(t, c.Templates.DeleteAll(ctx, d))
	assert.Empty(t, srv.Templates(d))
	require.NoError(t, c.Templates.DeleteAll(ctx, d), "deleting nothing is fine")
	left, err := walk(c.Templates.List(ctx, d, nil), 0)
	require.NoError(t, err)
	assert.Empty(t, left)
}

// TestTemplatesFakeErrorsAndLimits checks the fake's refusals; the contract
// declares no error for templates, so this client does not validate.
func TestTemplatesFakeErrorsAndLimits(t *testing.T) {
	ctx := context.Background()
	srv := mailguntest.NewServer(t)
	c := srv.Client()
	const d = "example.com"
	status := func(t *testing.T, err error, want int) {
		t.Helper()
		requireAPIError(t, err, want, "")
	}

	_, err := c.Templates.Create(ctx, d, mailgun.TemplateInput{Name: "a", Version: &mailgun.TemplateVersionInput{Template: "x"}})
	require.NoError(t, err)
	v, err := c.Templates.GetVersion(ctx, d, "a", "initial")
	require.NoError(t, err)
	assert.True(t, v.Active, `the default tag is "initial"`)

	_, err = c.Templates.Create(ctx, d, mailgun.TemplateInput{Name: "A"})
	status(t, err, http.StatusConflict)
	assert.ErrorIs(t, err, mailgun.ErrConflict)
	_, err = c.Templates.CreateVersion(ctx, d, "a", mailgun.TemplateVersionInput{Tag: "initial", Template: "y"})
	status(t, err, http.StatusConflict)
	_, err = c.Templates.CopyVersion(ctx, d, "a", "initial", "initial", "")
	status(t, err, http.StatusConflict)
	_, err = c.Templates.Get(ctx, d, "missing")
	status(t, err, http.StatusNotFound)
	_, err = c.Templates.CreateVersion(ctx, d, "missing", welcomeV1)
	status(t, err, http.StatusNotFound)
	for _, err := range c.Templates.ListVersions(ctx, d, "missing", nil) {
		status(t, err, http.StatusNotFound)
	}
	err = c.Templates.SetActive(ctx, d, "a", "missing")
	status(t, err, http.StatusNotFound)
	_, err = c.Templates.CopyVersion(ctx, d, "a", "missing", "b", "")
	status(t, err, http.StatusNotFound)
	_, err = c.Templates.Get(ctx, "localhost", "a")
	status(t, err, http.StatusNotFound)
	// Only From, Subject and Reply-To are accepted as headers.
	resp, err := srv.HTTPClient().Do(fakeRequest(t, srv, http.MethodPost, "/v3/example.com/templates/a/versions", "tag=h&template=x&headers="+url.QueryEscape(`{"Bcc":"x@example.com"}`)))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	// 40 versions per template.
	for i := 2; i <= mailgun.MaxTemplateVersions; i++ {
		_, err := c.Templates.CreateVersion(ctx, d, "a", mailgun.TemplateVersionInput{Tag: fmt.Sprintf("v%02d", i), Template: "x"})
		require.NoError(t, err)
	}
	_, err = c.Templates.CreateVersion(ctx, d, "a", mailgun.TemplateVersionInput{Tag: "one-too-many", Template: "x"})
	status(t, err, http.StatusBadRequest)
	_, err = c.Templates.CopyVersion(ctx, d, "a", "initial", "one-too-many", "")
	status(t, err, http.StatusBadRequest)

	// 100 templates per domain.
	for i := 2; i <= mailgun.MaxTemplates; i++ {
		_, err := c.Templates.Create(ctx, d, mailgun.TemplateInput{Name: fmt.Sprintf("t%03d", i)})
		require.NoError(t, err)
	}
	_, err = c.Templates.Create(ctx, d, mailgun.TemplateInput{Name: "one-too-many"})
	status(t, err, http.StatusBadRequest)
	_, err = c.Templates.Create(ctx, "other.example.com", mailgun.TemplateInput{Name: "one-too-many"})
	require.NoError(t, err, "the limit is per domain")
}

// pageThrough fetches pages from opts on, following Next, and returns
// every item and the size of each page.
func pageThrough[T any](t *testing.T, opts *mailgun.TemplateListOptions, fetch func(*mailgun.TemplateListOptions) (*mailgun.Page[T], error)) ([]T, []int) {
	t.Helper()
	var items []T
	var sizes []int
	for range 100 {
		page, err := fetch(opts)
		require.NoError(t, err)
		items, sizes = append(items, page.Items...), append(sizes, len(page.Items))
		if page.Next == "" {
			return items, sizes
		}
		opts = &mailgun.TemplateListOptions{Cursor: page.Next}
	}
	t.Fatal("paging does not end")
	return nil, nil
}

// walk collects a list walk: at most limit items (0: all), stopping at the
// first error, which it returns.
func walk[T any](seq iter.Seq2[T, error], limit int) ([]T, error) {
	var items []T
	for v, err := range seq {
		if err != nil {
			return items, err
		}
		if items = append(items, v); len(items) == limit {
			break
		}
	}
	return items, nil
}

func templateNames(ts []mailgun.Template) []string {
	out := make([]string, len(ts))
	for i, tpl := range ts {
		out[i] = tpl.Name
	}
	return out
}

func TestTemplatesFakePaging(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	const d = "example.com"
	var want []string
	for i := range 25 {
		want = append(want, fmt.Sprintf("t%02d", i))
	}
	for _, name := range slices.Backward(want) { // creation order does not matter: the list is by name
		_, err := c.Templates.Create(ctx, d, mailgun.TemplateInput{Name: name, Version: &mailgun.TemplateVersionInput{Template: "x"}})
		require.NoError(t, err)
	}

	templates, sizes := pageThrough(t, &mailgun.TemplateListOptions{Limit: 10}, func(o *mailgun.TemplateListOptions) (*mailgun.Page[mailgun.Template], error) {
		return c.Templates.ListPage(ctx, d, o)
	})
	assert.Equal(t, []int{10, 10, 5, 0}, sizes)
	assert.Equal(t, want, templateNames(templates))
	for _, tpl := range templates {
		assert.Nil(t, tpl.Version, "lists carry no version")
	}

	// A cursor outlives its client: a new one resumes where the first stopped.
	first, err := c.Templates.ListPage(ctx, d, &mailgun.TemplateListOptions{Limit: 3})
	require.NoError(t, err)
	rest, err := walk(srv.Client().Templates.List(ctx, d, &mailgun.TemplateListOptions{Cursor: first.Next}), 0)
	require.NoError(t, err)
	assert.Equal(t, want[3:], templateNames(rest))

	// Leaving the loop early stops the fetching: 7 items of pages of 5 take 2 requests.
	srv.ResetRequests()
	seven, err := walk(c.Templates.List(ctx, d, &mailgun.TemplateListOptions{Limit: 5}), 7)
	require.NoError(t, err)
	assert.Len(t, seven, 7)
	assert.Len(t, srv.Requests(), 2)

	// Versions page the same way, by tag, whatever the case of the name.
	for i := range 12 {
		_, err := c.Templates.CreateVersion(ctx, d, "t00", mailgun.TemplateVersionInput{Tag: fmt.Sprintf("v%02d", i), Template: "x"})
		require.NoError(t, err)
	}
	versions, sizes := pageThrough(t, &mailgun.TemplateListOptions{Limit: 5}, func(o *mailgun.TemplateListOptions) (*mailgun.Page[mailgun.TemplateVersion], error) {
		return c.Templates.ListVersionsPage(ctx, d, "T00", o)
	})
	assert.Equal(t, []int{5, 5, 3, 0}, sizes)
	assert.Equal(t, "initial", versions[0].Tag)
	assert.Equal(t, "v11", versions[12].Tag)
	walked, err := walk(c.Templates.ListVersions(ctx, d, "t00", &mailgun.TemplateListOptions{Limit: 4}), 0)
	require.NoError(t, err)
	assert.Equal(t, versions, walked)

	// A failure ends the walk: it is the only thing yielded.
	srv.Fail(http.MethodGet, "/v3/example.com/templates", mailguntest.Fault{Status: http.StatusForbidden}, 1)
	none, err := walk(c.Templates.List(ctx, d, nil), 0)
	assert.Empty(t, none)
	assert.ErrorIs(t, err, mailgun.ErrForbidden)
}

// TestTemplatesRenderedWithVariables: a template stored through the SDK is
// rendered by the fake with a message's variables, as a send would be.
func TestTemplatesRenderedWithVariables(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: "Order", Version: &mailgun.TemplateVersionInput{
		Template: "<h1>Thanks, {{customer.name}}!</h1>\n<ul>\n{{#each items}}\n  <li>{{qty}} × {{name}}</li>\n{{/each}}\n</ul>\n{{#if gift}}<p>Gift wrapped</p>{{else}}<p>No gift</p>{{/if}}",
		Headers:  mailgun.TemplateHeaders{Subject: "Order {{id}}"},
	}})
	require.NoError(t, err)
	var vars map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"customer": {"name": "Ann & Bob"}, "id": 42, "gift": false,
		"items": [{"name": "<pen>", "qty": 2}, {"name": "ink", "qty": 1}]}`), &vars))
	r, err := srv.RenderTemplate("example.com", "order", "", vars)
	require.NoError(t, err)
	assert.Equal(t, "<h1>Thanks, Ann &amp; Bob!</h1>\n<ul>\n  <li>2 × &lt;pen&gt;</li>\n  <li>1 × ink</li>\n</ul>\n<p>No gift</p>", r.HTML)
	assert.Equal(t, "Thanks, Ann & Bob!\n2 × <pen>\n1 × ink\nNo gift", r.Text)
	assert.Equal(t, "Order 42", r.Headers.Subject)
	assert.Equal(t, "initial", r.Version)
}
