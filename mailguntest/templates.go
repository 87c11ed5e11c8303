package mailguntest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// templatesState holds every domain's templates, keyed and ordered by
// lower-cased name.
type templatesState struct {
	domains suppressionLists[*storedTemplate]
	seq     int // for ids
}

// storedTemplate is one template and its versions, keyed and ordered by tag.
type storedTemplate struct {
	meta     mailgun.Template // Version unused
	versions suppressionList[*mailgun.TemplateVersion]
	active   string // tag of the active version; "" when none
}

// version returns the version tag with its Active flag set from t.active.
func (t *storedTemplate) version(tag string) (mailgun.TemplateVersion, bool) {
	v, ok := t.versions.get(tag)
	if !ok {
		return mailgun.TemplateVersion{}, false
	}
	out := *v
	out.Active = tag == t.active
	return out, true
}

// The API's limits and defaults.
const (
	maxTemplates        = mailgun.MaxTemplates
	maxTemplateVersions = mailgun.MaxTemplateVersions
	templateMaxLimit    = mailgun.MaxTemplateListLimit
	defaultVersionTag   = "initial"
	templateEngine      = "handlebars"
)

func (s *Server) templateRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/{domain}/templates", s.listTemplates)
	mux.HandleFunc("POST /v3/{domain}/templates", s.createTemplate)
	mux.HandleFunc("DELETE /v3/{domain}/templates", s.deleteAllTemplates)
	mux.HandleFunc("GET /v3/{domain}/templates/{name}", s.onTemplate(false, s.getTemplate))
	mux.HandleFunc("PUT /v3/{domain}/templates/{name}", s.onTemplate(true, s.updateTemplate))
	mux.HandleFunc("DELETE /v3/{domain}/templates/{name}", s.onTemplate(false, s.deleteTemplate))
	mux.HandleFunc("GET /v3/{domain}/templates/{name}/versions", s.onTemplate(false, s.listVersions))
	mux.HandleFunc("POST /v3/{domain}/templates/{name}/versions", s.onTemplate(true, s.createVersion))
	mux.HandleFunc("GET /v3/{domain}/templates/{name}/versions/{tag}", s.onTemplate(false, s.getVersion))
	mux.HandleFunc("PUT /v3/{domain}/templates/{name}/versions/{tag}", s.onTemplate(true, s.updateVersion))
	mux.HandleFunc("DELETE /v3/{domain}/templates/{name}/versions/{tag}", s.onTemplate(false, s.deleteVersion))
	mux.HandleFunc("PUT /v3/{domain}/templates/{name}/versions/{tag}/copy/{newtag}", s.onTemplate(false, s.copyVersion))
}

// templateHandler serves a request on one template and, when the path
// names one, one of its versions (tag; "" otherwise). It runs with s.mu
// held; f is the form body when the route reads one.
type templateHandler func(w http.ResponseWriter, r *http.Request, f url.Values, t *storedTemplate, tag string)

// onTemplate adapts h to a route: it answers 404 for an unknown domain,
// template or version, and 400 for a form body that does not parse (read,
// with form, before taking the lock).
func (s *Server) onTemplate(form bool, h templateHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !knownDomain(w, r.PathValue("domain")) {
			return
		}
		var f url.Values
		if form {
			var err error
			if f, err = readForm(w, r); err != nil {
				writeError(w, http.StatusBadRequest, err.Error())
				return
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		t := s.templateLocked(r.PathValue("domain"), r.PathValue("name"))
		if t == nil {
			writeError(w, http.StatusNotFound, "template not found")
			return
		}
		tag := r.PathValue("tag")
		if _, ok := t.versions.get(tag); tag != "" && !ok {
			writeError(w, http.StatusNotFound, "version not found")
			return
		}
		h(w, r, f, t, tag)
	}
}

// Templates returns domain's templates in name order, each with its active
// version (content included) in Version, nil when it has none.
func (s *Server) Templates(domain string) []mailgun.Template {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []mailgun.Template
	for _, t := range s.templates.domains.of(domain, false).values() {
		m := t.meta
		if v, ok := t.version(t.active); ok {
			m.Version = &v
		}
		out = append(out, m)
	}
	return out
}

// TemplateVersions returns the versions of domain's template name (matched
// without regard to case) in tag order, content included; nil when there
// is no such template.
func (s *Server) TemplateVersions(domain, name string) []mailgun.TemplateVersion {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.templateLocked(domain, name)
	if t == nil {
		return nil
	}
	out := make([]mailgun.TemplateVersion, 0, len(t.versions.items))
	for _, tag := range t.versions.sorted() {
		v, _ := t.version(tag)
		out = append(out, v)
	}
	return out
}

// templateLocked returns domain's template name, matched without regard
// to case; nil when there is none. Call with s.mu held.
func (s *Server) templateLocked(domain, name string) *storedTemplate {
	t, _ := s.templates.domains.of(domain, false).get(strings.ToLower(name))
	return t
}

// nextTemplateID returns a fresh UUID-shaped id. Call with s.mu held.
func (s *Server) nextTemplateID() string {
	s.templates.seq++
	n := uint64(s.templates.seq)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(s.now().Unix()), n>>48&0xffff, n>>36&0xfff, n>>24&0xfff, n&0xffffffffffff)
}

// templateJSON is a template as the API renders it.
type templateJSON struct {
	Name        string       `json:"name"`
	Description string       `json:"description"`
	CreatedAt   string       `json:"createdAt"`
	CreatedBy   string       `json:"createdBy"`
	ID          string       `json:"id"`
	Version     *versionJSON `json:"version,omitempty"`
}

// versionJSON is a version as the API renders it.
type versionJSON struct {
	Tag       string            `json:"tag"`
	Template  string            `json:"template"`
	Engine    string            `json:"engine"`
	MJML      string            `json:"mjml"`
	CreatedAt string            `json:"createdAt"`
	Comment   string            `json:"comment"`
	Active    bool              `json:"active"`
	ID        string            `json:"id"`
	Headers   map[string]string `json:"headers"`
}

func renderTemplateMeta(t mailgun.Template) templateJSON {
	return templateJSON{Name: t.Name, Description: t.Description, CreatedAt: suppressionTime(t.CreatedAt), CreatedBy: t.CreatedBy, ID: t.ID}
}

// renderVersion renders v, without its content unless content is set.
func renderVersion(v mailgun.TemplateVersion, content bool) *versionJSON {
	out := &versionJSON{Tag: v.Tag, Engine: v.Engine, MJML: v.MJML, CreatedAt: suppressionTime(v.CreatedAt), Comment: v.Comment, Active: v.Active, ID: v.ID, Headers: map[string]string{}}
	if content {
		out.Template = v.Template
	}
	for k, h := range map[string]string{"From": v.Headers.From, "Subject": v.Headers.Subject, "Reply-To": v.Headers.ReplyTo} {
		if h != "" {
			out.Headers[k] = h
		}
	}
	return out
}

// parseTemplateHeaders reads the headers field: a JSON object of strings
// with only From, Subject and Reply-To.
func parseTemplateHeaders(raw string) (mailgun.TemplateHeaders, error) {
	var h mailgun.TemplateHeaders
	if raw == "" {
		return h, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return h, fmt.Errorf("headers must be a JSON object of strings")
	}
	for k, v := range m {
		switch http.CanonicalHeaderKey(k) {
		case "From":
			h.From = v
		case "Subject":
			h.Subject = v
		case "Reply-To":
			h.ReplyTo = v
		default:
			return h, fmt.Errorf("header %q is not allowed: only From, Subject and Reply-To", k)
		}
	}
	return h, nil
}

// newVersion builds a version from a create form, or says why it cannot.
func (s *Server) newVersion(f url.Values, tag string) (*mailgun.TemplateVersion, error) {
	if strings.TrimSpace(f.Get("template")) == "" {
		return nil, fmt.Errorf("template content is required")
	}
	h, err := parseTemplateHeaders(f.Get("headers"))
	if err != nil {
		return nil, err
	}
	return &mailgun.TemplateVersion{
		Tag:       tag,
		Template:  f.Get("template"),
		Engine:    templateEngine,
		Comment:   f.Get("comment"),
		ID:        s.nextTemplateID(),
		CreatedAt: s.now().UTC().Truncate(time.Second),
		Headers:   h,
	}, nil
}

// addVersionLocked stores v in t; the first version of a template, or one
// made with active, becomes the active version.
func (t *storedTemplate) addVersionLocked(v *mailgun.TemplateVersion, active bool) {
	t.versions.put(v.Tag, v)
	if active || t.active == "" && len(t.versions.items) == 1 {
		t.active = v.Tag
	}
}

// canAddVersion says why t cannot take a version named tag, with the
// status to answer; "" when it can.
func (t *storedTemplate) canAddVersion(tag string) (string, int) {
	if _, exists := t.versions.get(tag); exists {
		return fmt.Sprintf("version with tag '%s' already exists", tag), http.StatusConflict
	}
	if len(t.versions.items) >= maxTemplateVersions {
		return fmt.Sprintf("the template already has the maximum of %d versions", maxTemplateVersions), http.StatusBadRequest
	}
	return "", 0
}

// withVersion renders t with version tag (content included) in its version field.
func withVersion(t *storedTemplate, tag string) templateJSON {
	out := renderTemplateMeta(t.meta)
	if v, ok := t.version(tag); ok {
		out.Version = renderVersion(v, true)
	}
	return out
}

func (s *Server) createTemplate(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	if !knownDomain(w, domain) {
		return
	}
	f, err := readForm(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	name := strings.ToLower(strings.TrimSpace(f.Get("name")))
	if name == "" {
		writeError(w, http.StatusBadRequest, "Missing mandatory parameter: name")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	byName := s.templates.domains.of(domain, true)
	if _, exists := byName.get(name); exists {
		writeError(w, http.StatusConflict, fmt.Sprintf("template with name '%s' already exists", name))
		return
	}
	if len(byName.items) >= maxTemplates {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("the domain already has the maximum of %d templates", maxTemplates))
		return
	}
	t := &storedTemplate{meta: mailgun.Template{
		Name:        name,
		Description: f.Get("description"),
		CreatedBy:   f.Get("createdBy"),
		ID:          s.nextTemplateID(),
		CreatedAt:   s.now().UTC().Truncate(time.Second),
	}}
	if f.Has("template") {
		tag := cmp.Or(f.Get("tag"), defaultVersionTag)
		v, err := s.newVersion(f, tag)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		t.addVersionLocked(v, true)
	}
	byName.put(name, t)
	writeJSON(w, http.StatusOK, map[string]any{"message": "template has been stored", "template": withVersion(t, t.active)})
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request, _ url.Values, t *storedTemplate, _ string) {
	out := renderTemplateMeta(t.meta)
	if r.URL.Query().Get("active") == "yes" {
		out = withVersion(t, t.active)
	}
	writeJSON(w, http.StatusOK, map[string]any{"template": out})
}

func (s *Server) updateTemplate(w http.ResponseWriter, _ *http.Request, f url.Values, t *storedTemplate, _ string) {
	if f.Has("description") {
		t.meta.Description = f.Get("description")
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "template has been updated", "template": map[string]string{"name": t.meta.Name}})
}

func (s *Server) deleteTemplate(w http.ResponseWriter, r *http.Request, _ url.Values, t *storedTemplate, _ string) {
	s.templates.domains.of(r.PathValue("domain"), false).remove(t.meta.Name)
	writeJSON(w, http.StatusOK, map[string]any{"message": "template has been deleted", "template": map[string]string{"name": t.meta.Name}})
}

func (s *Server) deleteAllTemplates(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	if !knownDomain(w, domain) {
		return
	}
	s.mu.Lock()
	s.templates.domains.of(domain, false).clear()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"message": "templates have been deleted"})
}

func (s *Server) createVersion(w http.ResponseWriter, _ *http.Request, f url.Values, t *storedTemplate, _ string) {
	tag := f.Get("tag")
	if strings.TrimSpace(tag) == "" {
		writeError(w, http.StatusBadRequest, "Missing mandatory parameter: tag")
		return
	}
	if msg, status := t.canAddVersion(tag); msg != "" {
		writeError(w, status, msg)
		return
	}
	v, err := s.newVersion(f, tag)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	t.addVersionLocked(v, f.Get("active") == "yes")
	writeJSON(w, http.StatusOK, map[string]any{"message": "new version of the template has been stored", "template": withVersion(t, tag)})
}

func (s *Server) getVersion(w http.ResponseWriter, _ *http.Request, _ url.Values, t *storedTemplate, tag string) {
	writeJSON(w, http.StatusOK, map[string]any{"template": withVersion(t, tag)})
}

// versionUpdateJSON is the {message, template: {name, version: {tag}}}
// answer of a version update or delete.
func versionUpdateJSON(message, name, tag string) map[string]any {
	return map[string]any{"message": message, "template": map[string]any{"name": name, "version": map[string]string{"tag": tag}}}
}

func (s *Server) updateVersion(w http.ResponseWriter, _ *http.Request, f url.Values, t *storedTemplate, tag string) {
	h, err := parseTemplateHeaders(f.Get("headers"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	v, _ := t.versions.get(tag)
	if c := f.Get("template"); c != "" {
		v.Template = c
	}
	if f.Has("comment") {
		v.Comment = f.Get("comment")
	}
	if f.Get("headers") != "" {
		v.Headers = h
	}
	if f.Get("active") == "yes" {
		t.active = tag
	}
	writeJSON(w, http.StatusOK, versionUpdateJSON("version has been updated", t.meta.Name, tag))
}

func (s *Server) deleteVersion(w http.ResponseWriter, _ *http.Request, _ url.Values, t *storedTemplate, tag string) {
	t.versions.remove(tag)
	if t.active == tag {
		t.active = ""
	}
	writeJSON(w, http.StatusOK, versionUpdateJSON("version has been deleted", t.meta.Name, tag))
}

func (s *Server) copyVersion(w http.ResponseWriter, r *http.Request, _ url.Values, t *storedTemplate, tag string) {
	newTag := r.PathValue("newtag")
	if msg, status := t.canAddVersion(newTag); msg != "" {
		writeError(w, status, msg)
		return
	}
	src, _ := t.versions.get(tag)
	cp := *src
	cp.Tag, cp.Comment, cp.ID = newTag, r.URL.Query().Get("comment"), s.nextTemplateID()
	cp.CreatedAt = s.now().UTC().Truncate(time.Second)
	t.addVersionLocked(&cp, false)
	v, _ := t.version(newTag)
	writeJSON(w, http.StatusOK, map[string]any{"message": "version has been copied", "version": renderVersion(v, true)})
}

// parseTemplatePaging reads the page, p (the pivot: a name or tag) and
// limit parameters of a list, with the suppression lists' paging rules but
// a limit of at most templateMaxLimit.
func parseTemplatePaging(q url.Values) (suppressionQuery, error) {
	pq := url.Values{"page": {q.Get("page")}, "address": {q.Get("p")}}
	if v := q.Get("limit"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > templateMaxLimit {
			return suppressionQuery{}, fmt.Errorf("limit must be an integer between 1 and %d", templateMaxLimit)
		}
		pq.Set("limit", v)
	}
	return parseSuppressionQuery(pq)
}

// templatePage returns the keys of the requested page of l, and its four
// absolute paging links, pivoting on the page's first and last key (on the
// request's own pivot when the page is empty).
func templatePage[T any](w http.ResponseWriter, r *http.Request, l *suppressionList[T]) ([]string, suppressionPaging, bool) {
	pq, err := parseTemplatePaging(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return nil, suppressionPaging{}, false
	}
	keys, _ := l.page(pq)
	return keys, listLinks(r, "p", "limit="+strconv.Itoa(pq.limit), pq, keys), true
}

func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	if !knownDomain(w, domain) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.templates.domains.of(domain, false)
	keys, paging, ok := templatePage(w, r, l)
	if !ok {
		return
	}
	items := make([]templateJSON, 0, len(keys))
	for _, k := range keys {
		t, _ := l.get(k)
		items = append(items, renderTemplateMeta(t.meta))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "paging": paging})
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request, _ url.Values, t *storedTemplate, _ string) {
	keys, paging, ok := templatePage(w, r, &t.versions)
	if !ok {
		return
	}
	out := struct {
		templateJSON
		Versions []*versionJSON `json:"versions"`
	}{templateJSON: renderTemplateMeta(t.meta), Versions: make([]*versionJSON, 0, len(keys))}
	for _, k := range keys {
		v, _ := t.version(k)
		out.Versions = append(out.Versions, renderVersion(v, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"template": out, "paging": paging})
}
