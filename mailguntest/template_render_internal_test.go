package mailguntest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

// decodeVars reads variables the way a send's t:variables arrive: JSON.
func decodeVars(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m))
	return m
}

func TestRenderHandlebars(t *testing.T) {
	vars := `{
		"name": "Ann <ann@example.com>",
		"quote": "it's \"fine\" & =` + "`" + `",
		"html": "<b>bold</b>",
		"n": 3, "zero": 0, "half": 1.5, "big": 1e21, "t": true, "f": false, "empty": "", "none": null,
		"user": {"first": "Ann", "address": {"city": "Paris"}, "tags": ["a", "b"]},
		"items": [{"name": "pen", "qty": 2}, {"name": "ink", "qty": 0}],
		"words": ["x", "y", "z"],
		"noitems": [],
		"prices": {"b": 2, "a": 1, "c": 3},
		"emptyobj": {},
		"key-with-dash": "dash"
	}`
	tests := []struct{ name, src, want string }{
		{"plain text", "Hello", "Hello"},
		{"variable", "Hi {{user.first}}!", "Hi Ann!"},
		{"spaces in tag", "{{ user.first }}", "Ann"},
		{"escaped like handlebars", "{{name}} {{quote}}", "Ann &lt;ann@example.com&gt; it&#x27;s &quot;fine&quot; &amp; &#x3D;&#x60;"},
		{"triple braces are raw", "{{{html}}}", "<b>bold</b>"},
		{"ampersand is raw", "{{& html}}", "<b>bold</b>"},
		{"escaped html", "{{html}}", "&lt;b&gt;bold&lt;/b&gt;"},
		{"nested path", "{{user.address.city}}", "Paris"},
		{"slash path", "{{user/address/city}}", "Paris"},
		{"bracket segment", "{{[key-with-dash]}} {{key-with-dash}}", "dash dash"},
		{"array index", "{{words.1}} {{words.[2]}} {{words.length}}", "y z 3"},
		{"missing variable", "[{{nope}}][{{user.nope.deeper}}][{{none}}]", "[][][]"},
		{"numbers like javascript", "{{n}} {{zero}} {{half}} {{big}}", "3 0 1.5 1e+21"},
		{"booleans", "{{t}} {{f}}", "true false"},
		{"arrays and objects", "{{words}} {{user.address}}", "x,y,z [object Object]"},
		{"literal backslash mustache", `\{{name}}`, "{{name}}"},
		{"comment", "a{{! hidden }}b{{!-- also }} hidden --}}c", "abc"},
		{"if true", "{{#if t}}yes{{/if}}", "yes"},
		{"if false with else", "{{#if f}}yes{{else}}no{{/if}}", "no"},
		{"if missing", "{{#if nope}}yes{{else}}no{{/if}}", "no"},
		{"if zero, empty string, empty array are false", "{{#if zero}}1{{/if}}{{#if empty}}2{{/if}}{{#if noitems}}3{{/if}}", ""},
		{"if empty object is true", "{{#if emptyobj}}obj{{/if}}", "obj"},
		{"else if chain", "{{#if f}}a{{else if zero}}b{{else if n}}c{{else}}d{{/if}}", "c"},
		{"else if chain to the end", "{{#if f}}a{{else if zero}}b{{else}}d{{/if}}", "d"},
		{"unless", "{{#unless f}}shown{{else}}hidden{{/unless}}", "shown"},
		{"caret else", "{{#if f}}a{{^}}b{{/if}}", "b"},
		{"each over objects", "{{#each items}}{{name}}x{{qty}};{{/each}}", "penx2;inkx0;"},
		{"each with this and index", "{{#each words}}{{@index}}={{this}}{{#unless @last}},{{/unless}}{{/each}}", "0=x,1=y,2=z"},
		{"each first", "{{#each words}}{{#if @first}}[{{/if}}{{.}}{{/each}}", "[xyz"},
		{"each over a map in key order", "{{#each prices}}{{@key}}:{{this}} {{/each}}", "a:1 b:2 c:3 "},
		{"each empty with else", "{{#each noitems}}x{{else}}none{{/each}}", "none"},
		{"each missing with else", "{{#each nope}}x{{else}}none{{/each}}", "none"},
		{"each parent scope", "{{#each words}}{{../user.first}}{{this}}{{/each}}", "AnnxAnnyAnnz"},
		{"each escapes items", "{{#each items}}{{../name}}{{/each}}", "Ann &lt;ann@example.com&gt;Ann &lt;ann@example.com&gt;"},
		{"nested each", "{{#each items}}{{name}}({{#each ../words}}{{this}}{{/each}}){{/each}}", "pen(xyz)ink(xyz)"},
		{"nested if in each", "{{#each items}}{{#if qty}}{{name}}{{else}}-{{/if}}{{/each}}", "pen-"},
		{"this.field", "{{#each items}}{{this.name}}{{/each}}", "penink"},
		{"with", "{{#with user.address}}{{city}}{{/with}}", "Paris"},
		{"with missing", "{{#with nope}}x{{else}}no{{/with}}", "no"},
		{"root", "{{#each items}}{{@root.user.first}}{{/each}}", "AnnAnn"},
		{"tilde trims", "a  {{~ n ~}}  b", "a3b"},
		{"tilde on blocks", "<ul>\n  {{~#each words~}}\n  <li>{{this}}</li>\n  {{~/each~}}\n</ul>", "<ul><li>x</li><li>y</li><li>z</li></ul>"},
		{"standalone block lines vanish", "<ul>\n  {{#each words}}\n  <li>{{this}}</li>\n  {{/each}}\n</ul>\n", "<ul>\n  <li>x</li>\n  <li>y</li>\n  <li>z</li>\n</ul>\n"},
		{"standalone if and else", "{{#if f}}\nyes\n{{else}}\nno\n{{/if}}\n", "no\n"},
		{"standalone comment", "a\n  {{! note }}\nb", "a\nb"},
		{"long comment with braces and tildes", "a {{~!-- {{x}} --~}} b {{~! c ~}} c", "abc"},
		{"inline blocks keep their line", "x {{#if t}}y{{/if}} z\n", "x y z\n"},
		{"string literal", `{{#if "x"}}lit{{/if}}`, "lit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderHandlebars(tt.src, decodeVars(t, vars), true)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRenderHandlebarsGoValues(t *testing.T) {
	vars := map[string]any{
		"list":  []string{"a", "b"},
		"ints":  []int{1, 2},
		"m":     map[string]int{"y": 2, "x": 1},
		"n":     42,
		"ptr":   &struct{}{},
		"empty": map[string]string{},
	}
	got, err := renderHandlebars("{{#each list}}{{this}}{{/each}} {{ints}} {{#each m}}{{@key}}{{this}}{{/each}} {{m.x}} {{n}} {{#if empty}}e{{/if}}", vars, true)
	require.NoError(t, err)
	assert.Equal(t, "ab 1,2 x1y2 1 42 e", got)

	got, err = renderHandlebars("Hello {{name}}", nil, true)
	require.NoError(t, err)
	assert.Equal(t, "Hello ", got)
}

// TestRenderHandlebarsEqual: Mailgun's equal block helper renders its
// block when both arguments are equal as strings, else its else block.
func TestRenderHandlebarsEqual(t *testing.T) {
	vars := map[string]any{"plan": "pro", "n": 5.0, "s": "5", "t": true, "list": []any{"a", "b"}, "pick": "b", "name": "Ann Lee"}
	for src, want := range map[string]string{
		`{{#equal plan "pro"}}PRO{{else}}FREE{{/equal}}`:                                     "PRO",
		`{{#equal plan 'free'}}FREE{{else}}other{{/equal}}`:                                  "other",
		`{{#equal "pro" plan}}yes{{/equal}}`:                                                 "yes",
		`{{#equal n "5"}}yes{{/equal}}{{#equal n 5}}+{{/equal}}`:                             "yes+",
		`{{#equal n s}}same{{/equal}}`:                                                       "same",
		`{{#equal t "true"}}true{{/equal}}`:                                                  "true",
		`{{#equal missing ""}}empty{{/equal}}`:                                               "empty",
		`{{#equal name "Ann Lee"}}quoted blanks{{/equal}}`:                                   "quoted blanks",
		`{{#each list}}{{#equal this ../pick}}[{{this}}]{{else}}{{this}}{{/equal}}{{/each}}`: "a[b]",
		`{{#if no}}x{{else equal plan "pro"}}chained{{/if}}`:                                 "chained",
	} {
		got, err := renderHandlebars(src, vars, true)
		if assert.NoError(t, err, src) {
			assert.Equal(t, want, got, src)
		}
	}
}

func TestRenderHandlebarsErrors(t *testing.T) {
	for name, src := range map[string]string{
		"unclosed block":     "{{#if a}}x",
		"unclosed tag":       "Hello {{name",
		"unclosed triple":    "{{{name}}",
		"unclosed comment":   "{{!-- x",
		"mismatched close":   "{{#if a}}x{{/each}}",
		"close of nothing":   "x{{/if}}",
		"else outside":       "x{{else}}y",
		"double else":        "{{#if a}}x{{else}}y{{else}}z{{/if}}",
		"unknown block":      "{{#compare a b}}x{{/compare}}",
		"equal with one arg": "{{#equal a}}x{{/equal}}",
		"equal, three args":  `{{#equal a "b" c}}x{{/equal}}`,
		"unclosed string":    `{{#equal a "b}}x{{/equal}}`,
		"glued string":       `{{#equal "a"b c}}x{{/equal}}`,
		"helper call":        "{{uppercase name}}",
		"partial":            "{{> footer}}",
		"inverse section":    "{{^a}}x{{/a}}",
		"block without arg":  "{{#if}}x{{/if}}",
		"two args":           "{{#if a b}}x{{/if}}",
		"empty tag":          "{{}}",
		"bad path":           "{{a..b}}",
		"unsupported @var":   "{{@foo}}",
		"trailing separator": "{{a.}}",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := renderHandlebars(src, map[string]any{"a": true}, true)
			assert.Error(t, err)
		})
	}
}

func FuzzRenderHandlebars(f *testing.F) {
	for _, s := range []string{"{{a}}", "{{#each a}}{{this}}{{/each}}", "{{#if a}}x{{else if b}}y{{/if}}", "  {{~! c ~}}  \n", "{{{a}}}", `\{{a}}`, "{{#with a}}{{../b}}{{/with}}"} {
		f.Add(s)
	}
	vars := map[string]any{"a": []any{1.0, "x", map[string]any{"k": nil}}, "b": map[string]any{"c": "d"}}
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = renderHandlebars(src, vars, true) // must not panic
	})
}

func TestHTMLToText(t *testing.T) {
	got := htmlToText("<html><head><style>p{}</style></head><body><h1>Hi Ann</h1><p>Your order:<br/>2 &times; pen &amp; ink</p><ul><li>one</li><li>two</li></ul></body></html>")
	assert.Equal(t, "Hi Ann\nYour order:\n2 × pen & ink\none\ntwo", got)
	assert.Equal(t, "a & b", htmlToText("a &amp; b"))
}

func TestRenderStoredTemplateLocked(t *testing.T) {
	s := Start()
	defer s.Close()
	s.mu.Lock()
	welcome := &storedTemplate{meta: mailgun.Template{Name: "welcome"}, active: "v1"}
	for _, v := range []*mailgun.TemplateVersion{
		{Tag: "v1", Template: "<p>Hi {{name}}</p>", Headers: mailgun.TemplateHeaders{Subject: "Welcome, {{name}}", From: "Shop <shop@example.com>"}},
		{Tag: "v2", Template: "<p>Hello {{name}}</p>"},
		{Tag: "v3", Template: "{{#each}}"},
	} {
		welcome.versions.put(v.Tag, v)
	}
	l := s.templates.domains.of("example.com", true)
	l.put("welcome", welcome)
	l.put("draft", &storedTemplate{meta: mailgun.Template{Name: "draft"}})
	vars := map[string]any{"name": "Tom & Jerry"}

	got, err := s.renderStoredTemplateLocked("example.com", "Welcome", "", vars)
	require.NoError(t, err)
	assert.Equal(t, RenderedTemplate{
		Template: "welcome", Version: "v1",
		HTML:    "<p>Hi Tom &amp; Jerry</p>",
		Text:    "Hi Tom & Jerry",
		Headers: mailgun.TemplateHeaders{Subject: "Welcome, Tom & Jerry", From: "Shop <shop@example.com>"},
	}, got)

	got, err = s.renderStoredTemplateLocked("example.com", "welcome", "v2", vars)
	require.NoError(t, err)
	assert.Equal(t, "<p>Hello Tom &amp; Jerry</p>", got.HTML)
	assert.Equal(t, "v2", got.Version)

	_, err = s.renderStoredTemplateLocked("example.com", "nope", "", vars)
	assert.True(t, errors.Is(err, errTemplateNotFound), "%v", err)
	_, err = s.renderStoredTemplateLocked("other.example", "welcome", "", vars)
	assert.True(t, errors.Is(err, errTemplateNotFound), "templates are per domain: %v", err)
	_, err = s.renderStoredTemplateLocked("example.com", "welcome", "v9", vars)
	assert.True(t, errors.Is(err, errVersionNotFound), "%v", err)
	_, err = s.renderStoredTemplateLocked("example.com", "draft", "", vars)
	assert.True(t, errors.Is(err, errNoActiveVersion), "%v", err)
	_, err = s.renderStoredTemplateLocked("example.com", "welcome", "v3", vars)
	assert.ErrorContains(t, err, `template "welcome" version "v3"`)
	s.mu.Unlock()
}

func TestDomainWebhookURLsLocked(t *testing.T) {
	s := Start()
	defer s.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Nil(t, s.domainWebhookURLsLocked("example.com", mailgun.WebhookEventDelivered))
	s.webhookTable("example.com", true)[mailgun.WebhookEventDelivered] = []string{"https://a.example/", "https://b.example/"}
	got := s.domainWebhookURLsLocked("example.com", mailgun.WebhookEventDelivered)
	assert.Equal(t, []string{"https://a.example/", "https://b.example/"}, got)
	got[0] = "changed"
	assert.Equal(t, "https://a.example/", s.domainWebhooks.domains["example.com"][mailgun.WebhookEventDelivered][0], "a copy")
	assert.Nil(t, s.domainWebhookURLsLocked("example.com", mailgun.WebhookEventOpened))
	assert.Nil(t, s.domainWebhookURLsLocked("other.example", mailgun.WebhookEventDelivered))
}
