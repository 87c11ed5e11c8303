package mailgun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// TemplatesService manages a domain's stored templates and their versions
// (/v3/{domain}/templates). A send names a template (and optionally a
// version tag) and Mailgun renders it with the message's variables.
//
// Mailgun stores a template's name lower-cased: Create with "Welcome" makes
// "welcome", and that is the name the API returns. Pass lower-case names to
// the other calls and to sends rather than relying on the case. A domain
// holds at most MaxTemplates templates and a template at most
// MaxTemplateVersions versions; the API refuses more.
//
// One version of a template is active: a send that names no version uses
// it. The first version of a template becomes active by itself; another
// becomes active when created or updated with Active set, or by SetActive.
type TemplatesService service

// Limits of the templates API.
const (
	// MaxTemplates is the most templates a domain can hold.
	MaxTemplates = 100
	// MaxTemplateVersions is the most versions a template can hold.
	MaxTemplateVersions = 40
	// MaxTemplateListLimit is the largest page of templates or versions
	// the API serves, and its default page size.
	MaxTemplateListLimit = 100
)

// Template is a stored template.
type Template struct {
	// Name is the template's name as stored: lower-cased.
	Name        string    `json:"name"`
	Description string    `json:"description"` // "" when none was given
	CreatedBy   string    `json:"createdBy"`   // free text given at creation; "" when none
	ID          string    `json:"id"`
	CreatedAt   time.Time `json:"createdAt"`
	// Version is the version returned with the template: the active one
	// for GetActive (nil when the template has no version), the one made
	// by Create when it made one. It is nil otherwise.
	Version *TemplateVersion `json:"version,omitempty"`
}

// TemplateVersion is one version of a template.
type TemplateVersion struct {
	// Tag names the version within its template.
	Tag string `json:"tag"`
	// Template is the content (handlebars). It is "" in ListVersions
	// pages, which carry no content.
	Template string `json:"template"`
	// Engine is the template language; "handlebars" is the only one seen.
	Engine string `json:"engine"`
	// MJML is the MJML source the content was built from, if any.
	MJML    string `json:"mjml,omitempty"`
	Comment string `json:"comment"`
	// Active reports whether sends that name no version use this one.
	Active    bool            `json:"active"`
	ID        string          `json:"id"`
	CreatedAt time.Time       `json:"createdAt"`
	Headers   TemplateHeaders `json:"headers"`
}

// Input returns the version as an UpdateVersion input: sending it back
// changes nothing, so a copy with one field changed updates that field.
func (v TemplateVersion) Input() TemplateVersionInput {
	return TemplateVersionInput{Tag: v.Tag, Template: v.Template, Comment: v.Comment, Headers: v.Headers, Active: v.Active}
}

// TemplateHeaders are the message headers a version carries. A send uses
// each one the message does not set itself.
type TemplateHeaders struct {
	From    string `json:"From,omitempty"`
	Subject string `json:"Subject,omitempty"`
	ReplyTo string `json:"Reply-To,omitempty"`
}

// IsZero reports whether no header is set.
func (h TemplateHeaders) IsZero() bool { return h == TemplateHeaders{} }

// UnmarshalJSON reads the headers object as the API returns it, or a JSON
// string holding one (as a version is created with). Names are matched
// without regard to case (the last of two spellings wins); other headers
// are dropped, and so is a value that is neither a string nor a number
// (whose text is read). null or "" gives no headers; any other value than
// an object or such a string is an error.
func (h *TemplateHeaders) UnmarshalJSON(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		s, err := jsonString(raw)
		if err != nil {
			return fmt.Errorf("headers: %w", err)
		}
		raw = []byte(s)
	}
	w, ok := decodeObject[templateHeadersWire](raw)
	switch {
	case len(bytes.TrimSpace(raw)) == 0 || ok && w == nil:
		*h = TemplateHeaders{} // "" or null: no headers
	case !ok:
		return errors.New("headers: not a JSON object")
	default:
		*h = TemplateHeaders{From: string(w.From), Subject: string(w.Subject), ReplyTo: string(w.ReplyTo)}
	}
	return nil
}

// templateHeadersWire is the headers object as the API sends it.
// encoding/json matches its names without regard to case.
type templateHeadersWire struct {
	From    jsonText `json:"From"`
	Subject jsonText `json:"Subject"`
	ReplyTo jsonText `json:"Reply-To"`
}

// encode returns the headers as the JSON string the API takes, "" when
// none is set. A value with a line break is an invalid argument.
func (h TemplateHeaders) encode() (string, error) {
	if h.IsZero() {
		return "", nil
	}
	for name, v := range map[string]string{"From": h.From, "Subject": h.Subject, "Reply-To": h.ReplyTo} {
		if strings.ContainsAny(v, "\r\n") {
			return "", invalidArg("header %s contains a line break", name)
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep "Name <a@example.com>" readable
	if err := enc.Encode(h); err != nil {
		return "", invalidArg("headers: %s", err)
	}
	return strings.TrimSpace(b.String()), nil
}

// UnmarshalJSON decodes a template by the list rule (lenient.go): a
// field of an unexpected type is left zero (an unreadable version is left
// nil) instead of failing the response, and a number is read as text.
// null leaves t unchanged; anything but an object is an error.
func (t *Template) UnmarshalJSON(raw []byte) error {
	w, ok := decodeObject[templateWire](raw)
	if !ok {
		return errors.New("template: not a JSON object")
	}
	if w != nil {
		*t = Template{Name: string(w.Name), Description: string(w.Description), CreatedBy: string(w.CreatedBy),
			ID: string(w.ID), CreatedAt: time.Time(w.CreatedAt), Version: w.Version}
	}
	return nil
}

// templateWire is a template as the API sends it.
type templateWire struct {
	Name        jsonText         `json:"name"`
	Description jsonText         `json:"description"`
	CreatedBy   jsonText         `json:"createdBy"`
	ID          jsonText         `json:"id"`
	CreatedAt   rfc2822Time      `json:"createdAt"`
	Version     *TemplateVersion `json:"version"`
}

// UnmarshalJSON decodes a version by the list rule, as Template does
// ("active" may also be the text "true" or "yes"). null leaves v
// unchanged; anything but an object is an error.
func (v *TemplateVersion) UnmarshalJSON(raw []byte) error {
	w, ok := decodeObject[templateVersionWire](raw)
	if !ok {
		return errors.New("template version: not a JSON object")
	}
	if w != nil {
		*v = TemplateVersion{Tag: string(w.Tag), Template: string(w.Template), Engine: string(w.Engine), MJML: string(w.MJML),
			Comment: string(w.Comment), Active: bool(w.Active), ID: string(w.ID), CreatedAt: time.Time(w.CreatedAt), Headers: w.Headers}
	}
	return nil
}

// templateVersionWire is a version as the API sends it.
type templateVersionWire struct {
	Tag       jsonText        `json:"tag"`
	Template  jsonText        `json:"template"`
	Engine    jsonText        `json:"engine"`
	MJML      jsonText        `json:"mjml"`
	Comment   jsonText        `json:"comment"`
	Active    versionActive   `json:"active"`
	ID        jsonText        `json:"id"`
	CreatedAt rfc2822Time     `json:"createdAt"`
	Headers   TemplateHeaders `json:"headers"`
}

// versionActive reads a version's "active": a JSON boolean, or text, true
// when it is "true" or "yes". Any other value is an error, which the list
// rule reads as absent (false).
type versionActive bool

func (a *versionActive) UnmarshalJSON(raw []byte) error {
	switch s := string(raw); {
	case s == "true" || s == "false" || s == "null":
		*a = s == "true"
	case len(raw) > 0 && raw[0] == '"':
		text, err := jsonString(raw)
		if err != nil {
			return err
		}
		*a = text == "true" || text == "yes"
	default:
		return fmt.Errorf("active: %.40s is neither a boolean nor text", raw)
	}
	return nil
}

// TemplateInput is what Create sends.
type TemplateInput struct {
	// Name is required. Mailgun stores it lower-cased.
	Name string
	// Description is optional; "" sends none.
	Description string
	// CreatedBy is optional free text, such as who made the template.
	CreatedBy string
	// Version, when not nil, is stored as the template's first version,
	// which becomes the active one whatever its Active says. Its Template
	// (content) is required and its Tag defaults to "initial".
	Version *TemplateVersionInput
}

// TemplateVersionInput is a version to create, or the changes to a version
// (UpdateVersion).
type TemplateVersionInput struct {
	// Tag names the version. CreateVersion and UpdateVersion require it;
	// with Create, "" lets the API use "initial".
	Tag string
	// Template is the content (handlebars), required to create a version.
	// UpdateVersion leaves the content unchanged when it is "".
	Template string
	// Comment is optional; UpdateVersion leaves it unchanged when "".
	Comment string
	// Headers are the From, Subject and Reply-To a send uses when the
	// message does not set them. UpdateVersion replaces them as a whole
	// when any is set, and leaves them unchanged when none is. Values must
	// not contain line breaks.
	Headers TemplateHeaders
	// Active makes the version the active one. False never deactivates a
	// version: another version becomes active only through its own
	// Active or SetActive.
	Active bool
}

// form validates in and encodes the version fields. With create, the
// content is required; otherwise empty fields are left out.
func (in TemplateVersionInput) form(f url.Values, create bool) error {
	if in.Tag != "" {
		if err := checkTemplateName("version tag", in.Tag); err != nil {
			return err
		}
	}
	if create && strings.TrimSpace(in.Template) == "" {
		return invalidArg("version content (Template) is empty")
	}
	headers, err := in.Headers.encode()
	if err != nil {
		return err
	}
	for k, v := range map[string]string{"template": in.Template, "comment": in.Comment, "headers": headers} {
		if v != "" {
			f.Set(k, v)
		}
	}
	if in.Active {
		f.Set("active", "yes")
	}
	return nil
}

// checkTemplateName rejects an empty or blank name or tag, and "." and "..",
// which could never be reached as a path segment.
func checkTemplateName(what, name string) error {
	if err := required(what, name); err != nil {
		return err
	}
	if name == "." || name == ".." {
		return invalidArg("%s %q is not allowed", what, name)
	}
	return nil
}

// TemplateListOptions controls a walk of a domain's templates or of one
// template's versions. A nil *TemplateListOptions means the defaults.
type TemplateListOptions struct {
	// Limit is the page size, 1 to MaxTemplateListLimit; 0 lets the API
	// use its default (MaxTemplateListLimit). Anything else is rejected
	// with ErrInvalidArgument.
	Limit int
	// Cursor resumes from Page.Next of an earlier call on the same list;
	// "" starts at the top. A cursor carries the limit of the walk that
	// made it, so Limit is not applied again. A cursor of another list,
	// template or domain is rejected with ErrInvalidArgument.
	Cursor string
}

// templateReply is the answer of every template and version call but the
// lists: {message, template: {..., version}}, or {message, version} for a copy.
type templateReply struct {
	Message  json.RawMessage  `json:"message"`
	Template *Template        `json:"template"`
	Version  *TemplateVersion `json:"version"`
}

// template returns the reply's template, failing when it has none (or,
// with version, when the template carries no version).
func (r *templateReply) template(req *doer.Request, version bool) (*Template, error) {
	switch {
	case r.Template == nil:
		return nil, replyError(req, "response has no template")
	case version && r.Template.Version == nil:
		return nil, replyError(req, "response has no template version")
	}
	return r.Template, nil
}

// call sends r and returns the template of the reply (see templateReply.template).
func (s *TemplatesService) call(ctx context.Context, r *doer.Request, version bool) (*Template, error) {
	var out templateReply
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return out.template(r, version)
}

func templatePath(domain string, rest ...string) []string {
	return append([]string{"v3", domain, "templates"}, rest...)
}

// Create stores a template, with its first version when in.Version is set,
// and returns it as stored (Name lower-cased; Version set when one was
// made). The API refuses a name the domain already has, and a template
// beyond MaxTemplates. Create is a POST, so it is retried only when the
// server refused it (420, 429) or the connection failed before sending.
func (s *TemplatesService) Create(ctx context.Context, domain string, in TemplateInput) (*Template, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if err := checkTemplateName("template name", in.Name); err != nil {
		return nil, err
	}
	f := url.Values{"name": {in.Name}}
	if in.Description != "" {
		f.Set("description", in.Description)
	}
	if in.CreatedBy != "" {
		f.Set("createdBy", in.CreatedBy)
	}
	if in.Version != nil {
		v := *in.Version
		v.Active = false // the first version is active anyway; the form has no such field
		if err := v.form(f, true); err != nil {
			return nil, err
		}
		if v.Tag != "" {
			f.Set("tag", v.Tag)
		}
	}
	return s.call(ctx, &doer.Request{Method: http.MethodPost, Path: templatePath(domain), Body: doer.Form(f)}, false)
}

// Get returns a template without its content (Version is nil). An unknown
// template is ErrNotFound.
func (s *TemplatesService) Get(ctx context.Context, domain, name string) (*Template, error) {
	return s.get(ctx, domain, name, nil)
}

// GetActive returns a template with its active version, content included,
// in Version (nil when the template has no version). An unknown template
// is ErrNotFound.
func (s *TemplatesService) GetActive(ctx context.Context, domain, name string) (*Template, error) {
	return s.get(ctx, domain, name, url.Values{"active": {"yes"}})
}

func (s *TemplatesService) get(ctx context.Context, domain, name string, query url.Values) (*Template, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if err := checkTemplateName("template name", name); err != nil {
		return nil, err
	}
	return s.call(ctx, &doer.Request{Method: http.MethodGet, Path: templatePath(domain, name), Query: query}, false)
}

// Update sets a template's description, the only property the API can
// change ("" clears it); a Get's Description can be sent back as it is. An
// unknown template is ErrNotFound.
func (s *TemplatesService) Update(ctx context.Context, domain, name, description string) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	if err := checkTemplateName("template name", name); err != nil {
		return err
	}
	f := url.Values{"description": {description}}
	_, err := s.call(ctx, &doer.Request{Method: http.MethodPut, Path: templatePath(domain, name), Body: doer.Form(f)}, false)
	return err
}

// Delete removes a template and all its versions. An unknown template is
// ErrNotFound, unless an earlier attempt of this call may have deleted it
// (a retry answered 404 is a success).
func (s *TemplatesService) Delete(ctx context.Context, domain, name string) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	if err := checkTemplateName("template name", name); err != nil {
		return err
	}
	return s.client.do(ctx, &doer.Request{Method: http.MethodDelete, Path: templatePath(domain, name)}, nil)
}

// DeleteAll removes every template of the domain, with their versions. A
// domain without templates is not an error.
func (s *TemplatesService) DeleteAll(ctx context.Context, domain string) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	return s.client.do(ctx, &doer.Request{Method: http.MethodDelete, Path: templatePath(domain)}, nil)
}

// List walks the domain's templates (without content), fetching one page
// at a time as the loop advances; stop early by breaking out of the loop.
// The walk ends after an empty page. A failed request is yielded once and
// ends it (GETs are retried first, as the client's RetryPolicy says).
// Invalid opts are yielded as the only error, before anything is sent.
func (s *TemplatesService) List(ctx context.Context, domain string, opts *TemplateListOptions) iter.Seq2[Template, error] {
	return templateWalk(ctx, s.client, templateListOf(domain), opts)
}

// ListPage fetches one page of the domain's templates: the top, or the page
// at opts.Cursor. Page.Next resumes after it and is "" after the last page
// (an empty page; a short page may still have a Next).
func (s *TemplatesService) ListPage(ctx context.Context, domain string, opts *TemplateListOptions) (*Page[Template], error) {
	return templatePageAt(ctx, s.client, templateListOf(domain), opts)
}

// CreateVersion adds a version (in.Tag and in.Template required) to a
// template and returns it. It becomes the active version when in.Active is
// set or when it is the template's first. The API refuses a tag the
// template already has and a version beyond MaxTemplateVersions; an
// unknown template is ErrNotFound. Like every POST it is retried only when
// the server refused it (420, 429) or the connection failed before sending.
func (s *TemplatesService) CreateVersion(ctx context.Context, domain, template string, in TemplateVersionInput) (*TemplateVersion, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if err := checkTemplateName("template name", template); err != nil {
		return nil, err
	}
	if err := checkTemplateName("version tag", in.Tag); err != nil {
		return nil, err
	}
	f := url.Values{"tag": {in.Tag}}
	if err := in.form(f, true); err != nil {
		return nil, err
	}
	t, err := s.call(ctx, &doer.Request{Method: http.MethodPost, Path: templatePath(domain, template, "versions"), Body: doer.Form(f)}, true)
	if err != nil {
		return nil, err
	}
	return t.Version, nil
}

// GetVersion returns one version of a template, content included. An
// unknown template or tag is ErrNotFound.
func (s *TemplatesService) GetVersion(ctx context.Context, domain, template, tag string) (*TemplateVersion, error) {
	path, err := versionPath(domain, template, tag)
	if err != nil {
		return nil, err
	}
	t, err := s.call(ctx, &doer.Request{Method: http.MethodGet, Path: path}, true)
	if err != nil {
		return nil, err
	}
	return t.Version, nil
}

// UpdateVersion changes the version in.Tag names: its content, comment and
// headers where in sets them (an empty field is left unchanged), and makes
// it active when in.Active is set. A version GetVersion returned, passed
// through TemplateVersion.Input, can be sent back as it is. Input that
// changes nothing (no content, comment, headers, nor Active) is an invalid
// argument. An unknown template or tag is ErrNotFound.
func (s *TemplatesService) UpdateVersion(ctx context.Context, domain, template string, in TemplateVersionInput) error {
	path, err := versionPath(domain, template, in.Tag)
	if err != nil {
		return err
	}
	f := url.Values{}
	if err := in.form(f, false); err != nil {
		return err
	}
	if len(f) == 0 {
		return invalidArg("version update changes nothing: set Template, Comment, Headers or Active")
	}
	_, err = s.call(ctx, &doer.Request{Method: http.MethodPut, Path: path, Body: doer.Form(f)}, false)
	return err
}

// SetActive makes version tag the template's active version, which sends
// that name no version use from then on. An unknown template or tag is
// ErrNotFound.
func (s *TemplatesService) SetActive(ctx context.Context, domain, template, tag string) error {
	return s.UpdateVersion(ctx, domain, template, TemplateVersionInput{Tag: tag, Active: true})
}

// DeleteVersion removes one version of a template. An unknown template or
// tag is ErrNotFound, unless an earlier attempt of this call may have
// deleted it (a retry answered 404 is a success). Deleting the active
// version leaves the template without one until another is made active.
func (s *TemplatesService) DeleteVersion(ctx context.Context, domain, template, tag string) error {
	path, err := versionPath(domain, template, tag)
	if err != nil {
		return err
	}
	return s.client.do(ctx, &doer.Request{Method: http.MethodDelete, Path: path}, nil)
}

// CopyVersion copies version tag of a template to a new version newTag
// (content, headers and engine), with comment as its comment ("" sends
// none), and returns the copy, which is not active. The API refuses a
// newTag the template already has; an unknown template or tag is
// ErrNotFound.
func (s *TemplatesService) CopyVersion(ctx context.Context, domain, template, tag, newTag, comment string) (*TemplateVersion, error) {
	path, err := versionPath(domain, template, tag)
	if err != nil {
		return nil, err
	}
	if err := checkTemplateName("new version tag", newTag); err != nil {
		return nil, err
	}
	r := &doer.Request{Method: http.MethodPut, Path: append(path, "copy", newTag)}
	if comment != "" {
		r.Query = url.Values{"comment": {comment}}
	}
	var out struct {
		Version  *TemplateVersion `json:"version"`
		Template *TemplateVersion `json:"template"` // deprecated name of the same
	}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	switch {
	case out.Version != nil:
		return out.Version, nil
	case out.Template != nil:
		return out.Template, nil
	}
	return nil, replyError(r, "response has no version")
}

// ListVersions walks a template's versions (without content), fetching one
// page at a time as the loop advances; stop early by breaking out of the
// loop. It ends and fails like List; an unknown template is ErrNotFound.
func (s *TemplatesService) ListVersions(ctx context.Context, domain, template string, opts *TemplateListOptions) iter.Seq2[TemplateVersion, error] {
	return templateWalk(ctx, s.client, versionListOf(domain, template), opts)
}

// ListVersionsPage fetches one page of a template's versions: the top, or
// the page at opts.Cursor. Page.Next resumes after it and is "" after the
// last page. An unknown template is ErrNotFound.
func (s *TemplatesService) ListVersionsPage(ctx context.Context, domain, template string, opts *TemplateListOptions) (*Page[TemplateVersion], error) {
	return templatePageAt(ctx, s.client, versionListOf(domain, template), opts)
}

func versionPath(domain, template, tag string) ([]string, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if err := checkTemplateName("template name", template); err != nil {
		return nil, err
	}
	if err := checkTemplateName("version tag", tag); err != nil {
		return nil, err
	}
	return templatePath(domain, template, "versions", tag), nil
}

// templateList is one of the two paged lists of the templates API: a
// domain's templates ({items, paging}) or a template's versions
// ({template: {versions}, paging}).
type templateList[T any] struct {
	path     []string
	err      error // an invalid domain or template name, reported before sending
	versions bool
}

func templateListOf(domain string) templateList[Template] {
	return templateList[Template]{path: templatePath(domain), err: required("domain", domain)}
}

func versionListOf(domain, template string) templateList[TemplateVersion] {
	l := templateList[TemplateVersion]{path: templatePath(domain, template, "versions"), versions: true}
	if l.err = required("domain", domain); l.err == nil {
		l.err = checkTemplateName("template name", template)
	}
	return l
}

// start checks opts and returns the cursor to start from ("" for the top)
// and the query of the first page.
func (l templateList[T]) start(opts *TemplateListOptions) (string, url.Values, error) {
	if l.err != nil {
		return "", nil, l.err
	}
	var o TemplateListOptions
	if opts != nil {
		o = *opts
	}
	if o.Cursor != "" {
		return o.Cursor, nil, checkListCursor(o.Cursor, l.path[1:]...) // not another domain's, template's or kind of list
	}
	if o.Limit < 0 || o.Limit > MaxTemplateListLimit {
		return "", nil, invalidArg("limit %d is out of range 1..%d (0 means the API's default)", o.Limit, MaxTemplateListLimit)
	}
	if o.Limit == 0 {
		return "", nil, nil
	}
	return "", url.Values{"limit": {strconv.Itoa(o.Limit)}}, nil
}

// templatePageWire is one page of either list, read by the list rule
// (lenient.go): an item that is not an object is skipped, a field of an
// unexpected type dropped.
type templatePageWire[T any] struct {
	Items    lenientList[T] `json:"items"`
	Template *struct {
		Versions lenientList[T] `json:"versions"`
	} `json:"template"`
	Paging *pagingLink `json:"paging"`
}

// fetch gets the page at cursor ("" for the top, with query). It fails on
// the structure only: a body that is not JSON, items that are not an
// array, a versions page without its template, a page with items but no
// paging, or a next link without a pivot.
func (l templateList[T]) fetch(ctx context.Context, c *Client, query url.Values, cursor string) (*Page[T], error) {
	r := &doer.Request{Method: http.MethodGet, Cursor: cursor}
	if cursor == "" {
		r.Path, r.Query = l.path, query
	}
	var w templatePageWire[T]
	if err := c.do(ctx, r, &w); err != nil {
		return nil, err
	}
	items := w.Items
	if l.versions {
		if w.Template == nil {
			return nil, l.invalid("response has no template")
		}
		items = w.Template.Versions
	}
	page := &Page[T]{Items: items}
	if len(items) == 0 {
		return page, nil
	}
	if w.Paging == nil {
		return nil, l.invalid("response has no paging")
	}
	if w.Paging.Next != "" {
		next, err := l.nextCursor(w.Paging.Next)
		if err != nil {
			return nil, l.invalid(err.Error())
		}
		page.Next = next
	}
	return page, nil
}

func (l templateList[T]) invalid(problem string) error {
	return replyError(&doer.Request{Method: http.MethodGet, Path: l.path}, problem)
}

// nextCursor turns the server's next link into a cursor on this list: the
// list's own path (never the link's host or path, which may name the
// template by id) with the link's paging parameters.
func (l templateList[T]) nextCursor(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", errors.New("paging link does not parse")
	}
	q := u.Query()
	pivot := q.Get("p")
	if pivot == "" {
		return "", errors.New("paging link has no pivot (p)")
	}
	next := url.Values{"page": {"next"}, "p": {pivot}}
	if lim := q.Get("limit"); lim != "" {
		next.Set("limit", lim)
	}
	path, err := doer.BuildPath(l.path)
	if err != nil {
		return "", err
	}
	return path + "?" + next.Encode(), nil
}

// templatePageAt fetches one page of l.
func templatePageAt[T any](ctx context.Context, c *Client, l templateList[T], opts *TemplateListOptions) (*Page[T], error) {
	start, query, err := l.start(opts)
	if err != nil {
		return nil, err
	}
	return l.fetch(ctx, c, query, start)
}

// templateWalk walks l. Bad options are yielded as the only error, before
// anything is sent.
func templateWalk[T any](ctx context.Context, c *Client, l templateList[T], opts *TemplateListOptions) iter.Seq2[T, error] {
	start, query, err := l.start(opts)
	if err != nil {
		return failedWalk[T](err)
	}
	return iterate(ctx, start, func(ctx context.Context, cursor string) (*Page[T], error) {
		return l.fetch(ctx, c, query, cursor)
	})
}
