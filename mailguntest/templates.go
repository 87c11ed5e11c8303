package mailguntest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// templatesState holds every domain's templates, keyed by lower-cased name.
type templatesState struct {
	domains map[string]map[string]*storedTemplate
	seq     int // for ids
}

// storedTemplate is one template and its versions, keyed by tag.
type storedTemplate struct {
	meta     mailgun.Template // Version unused
	versions map[string]*mailgun.TemplateVersion
	active   string // tag of the active version; "" when none
}

// version returns the version tag with its Active flag set from t.active.
func (t *storedTemplate) version(tag string) (mailgun.TemplateVersion, bool) {
	v, ok := t.versions[tag]
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
	s.templates.domains = map[string]map[string]*storedTemplate{}
	mux.HandleFunc("GET /v3/{domain}/templates", s.listTemplates)
	mux.HandleFunc("POST /v3/{domain}/templates", s.createTemplate)
	mux.HandleFunc("DELETE /v3/{domain}/templates", s.deleteAllTemplates)
	mux.HandleFunc("GET /v3/{domain}/templates/{name}", s.getTemplate)
	mux.HandleFunc("PUT /v3/{domain}/templates/{name}", s.updateTemplate)
	mux.HandleFunc("DELETE /v3/{domain}/templates/{name}", s.deleteTemplate)
	mux.HandleFunc("GET /v3/{domain}/templates/{name}/versions", s.listVersions)
	mux.HandleFunc("POST /v3/{domain}/templates/{name}/versions", s.createVersion)
	mux.HandleFunc("GET /v3/{domain}/templates/{name}/versions/{tag}", s.getVersion)
	mux.HandleFunc("PUT /v3/{domain}/templates/{name}/versions/{tag}", s.updateVersion)
	mux.HandleFunc("DELETE /v3/{domain}/templates/{name}/versions/{tag}", s.deleteVersion)
	mux.HandleFunc("PUT /v3/{domain}/templates/{name}/versions/{tag}/copy/{newtag}", s.copyVersion)
}

// Templates returns domain's templates in name order, each with its active
// version (content included) in Version, nil when it has none.
func (s *Server) Templates(domain string) []mailgun.Template {
	s.mu.Lock()
	defer s.mu.Unlock()
	byName := s.templates.domains[domain]
	out := make([]mailgun.Template, 0, len(byName))
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		t := byName[name]
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
	t := s.templates.domains[domain][strings.ToLower(name)]
	if t == nil {
		return nil
	}
	out := make([]mailgun.TemplateVersion, 0, len(t.versions))
	for _, tag := range slices.Sorted(maps.Keys(t.versions)) {
		v, _ := t.version(tag)
		out = append(out, v)
	}
	return out
}

// templateLocked returns domain's template name, matched without regard
// to case. Call with s.mu held.
func (s *Server) templateLocked(domain, name string) *storedTemplate {
	return s.templates.domains[domain][strings.ToLower(name)]
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

// templateDomain answers 404 for a domain the fake cannot host and
// returns the domain of the path.
func templateDomain(w http.ResponseWriter, r *http.Request) (string, bool) {
	d := r.PathValue("domain")
	return d, knownDomain(w, d)
}

// foundTemplate returns the path's template, answering 404 itself when
// there is none. Call with s.mu held.
func (s *Server) foundTemplate(w http.ResponseWriter, r *http.Request) (*storedTemplate, bool) {
	t := s.templateLocked(r.PathValue("domain"), r.PathValue("name"))
	if t == nil {
		writeError(w, http.StatusNotFound, "template not found")
		return nil, false
	}
	return t, true
}

// foundVersion returns the path's template and version tag, answering 404
// itself when either is missing. Call with s.mu held.
func (s *Server) foundVersion(w http.ResponseWriter, r *http.Request) (*storedTemplate, string, bool) {
	t, ok := s.foundTemplate(w, r)
	if !ok {
		return nil, "", false
	}
	tag := r.PathValue("tag")
	if _, ok := t.versions[tag]; !ok {
		writeError(w, http.StatusNotFound, "version not found")
		return nil, "", false
	}
	return t, tag, true
}

// readTemplateForm parses a form body, answering 400 itself when it fails.
func readTemplateForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if err := readSuppressionForm(w, r); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return nil, false
	}
	return r.PostForm, true
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
	t.versions[v.Tag] = v
	if active || t.active == "" && len(t.versions) == 1 {
		t.active = v.Tag
	}
}

func (s *Server) createTemplate(w http.ResponseWriter, r *http.Request) {
	domain, ok := templateDomain(w, r)
	if !ok {
		return
	}
	f, ok := readTemplateForm(w, r)
	if !ok {
		return
	}
	name := strings.ToLower(strings.TrimSpace(f.Get("name")))
	if name == "" {
		writeError(w, http.StatusBadRequest, "Missing mandatory parameter: name")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	byName := s.templates.domains[domain]
	switch {
	case byName[name] != nil:
		writeError(w, http.StatusConflict, fmt.Sprintf("template with name '%s' already exists", name))
		return
	case len(byName) >= maxTemplates:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("the domain already has the maximum of %d templates", maxTemplates))
		return
	}
	t := &storedTemplate{
		meta: mailgun.Template{
			Name:        name,
			Description: f.Get("description"),
			CreatedBy:   f.Get("createdBy"),
			ID:          s.nextTemplateID(),
			CreatedAt:   s.now().UTC().Truncate(time.Second),
		},
		versions: map[string]*mailgun.TemplateVersion{},
	}
	out := renderTemplateMeta(t.meta)
	if f.Has("template") {
		tag := f.Get("tag")
		if tag == "" {
			tag = defaultVersionTag
		}
		v, err := s.newVersion(f, tag)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		t.addVersionLocked(v, true)
		cur, _ := t.version(tag)
		out.Version = renderVersion(cur, true)
	}
	if byName == nil {
		byName = map[string]*storedTemplate{}
		s.templates.domains[domain] = byName
	}
	byName[name] = t
	writeJSON(w, http.StatusOK, map[string]any{"message": "template has been stored", "template": out})
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request) {
	if _, ok := templateDomain(w, r); !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.foundTemplate(w, r)
	if !ok {
		return
	}
	out := renderTemplateMeta(t.meta)
	if r.URL.Query().Get("active") == "yes" {
		if v, ok := t.version(t.active); ok {
			out.Version = renderVersion(v, true)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"template": out})
}

func (s *Server) updateTemplate(w http.ResponseWriter, r *http.Request) {
	if _, ok := templateDomain(w, r); !ok {
		return
	}
	f, ok := readTemplateForm(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.foundTemplate(w, r)
	if !ok {
		return
	}
	if f.Has("description") {
		t.meta.Description = f.Get("description")
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "template has been updated", "template": map[string]string{"name": t.meta.Name}})
}

func (s *Server) deleteTemplate(w http.ResponseWriter, r *http.Request) {
	domain, ok := templateDomain(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.foundTemplate(w, r)
	if !ok {
		return
	}
	delete(s.templates.domains[domain], t.meta.Name)
	writeJSON(w, http.StatusOK, map[string]any{"message": "template has been deleted", "template": map[string]string{"name": t.meta.Name}})
}

func (s *Server) deleteAllTemplates(w http.ResponseWriter, r *http.Request) {
	domain, ok := templateDomain(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	delete(s.templates.domains, domain)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"message": "templates have been deleted"})
}

func (s *Server) createVersion(w http.ResponseWriter, r *http.Request) {
	if _, ok := templateDomain(w, r); !ok {
		return
	}
	f, ok := readTemplateForm(w, r)
	if !ok {
		return
	}
	tag := f.Get("tag")
	if strings.TrimSpace(tag) == "" {
		writeError(w, http.StatusBadRequest, "Missing mandatory parameter: tag")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.foundTemplate(w, r)
	if !ok {
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
	out := renderTemplateMeta(t.meta)
	cur, _ := t.version(tag)
	out.Version = renderVersion(cur, true)
	writeJSON(w, http.StatusOK, map[string]any{"message": "new version of the template has been stored", "template": out})
}

// canAddVersion says why t cannot take a version named tag, with the
// status to answer; "" when it can.
func (t *storedTemplate) canAddVersion(tag string) (string, int) {
	switch {
	case t.versions[tag] != nil:
		return fmt.Sprintf("version with tag '%s' already exists", tag), http.StatusConflict
	case len(t.versions) >= maxTemplateVersions:
		return fmt.Sprintf("the template already has the maximum of %d versions", maxTemplateVersions), http.StatusBadRequest
	}
	return "", 0
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) {
	if _, ok := templateDomain(w, r); !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, tag, ok := s.foundVersion(w, r)
	if !ok {
		return
	}
	out := renderTemplateMeta(t.meta)
	v, _ := t.version(tag)
	out.Version = renderVersion(v, true)
	writeJSON(w, http.StatusOK, map[string]any{"template": out})
}

// versionUpdateJSON is the {message, template: {name, version: {tag}}}
// answer of a version update or delete.
func versionUpdateJSON(message, name, tag string) map[string]any {
	return map[string]any{"message": message, "template": map[string]any{"name": name, "version": map[string]string{"tag": tag}}}
}

func (s *Server) updateVersion(w http.ResponseWriter, r *http.Request) {
	if _, ok := templateDomain(w, r); !ok {
		return
	}
	f, ok := readTemplateForm(w, r)
	if !ok {
		return
	}
	h, err := parseTemplateHeaders(f.Get("headers"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, tag, ok := s.foundVersion(w, r)
	if !ok {
		return
	}
	v := t.versions[tag]
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

func (s *Server) deleteVersion(w http.ResponseWriter, r *http.Request) {
	if _, ok := templateDomain(w, r); !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, tag, ok := s.foundVersion(w, r)
	if !ok {
		return
	}
	delete(t.versions, tag)
	if t.active == tag {
		t.active = ""
	}
	writeJSON(w, http.StatusOK, versionUpdateJSON("version has been deleted", t.meta.Name, tag))
}

func (s *Server) copyVersion(w http.ResponseWriter, r *http.Request) {
	if _, ok := templateDomain(w, r); !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, tag, ok := s.foundVersion(w, r)
	if !ok {
		return
	}
	newTag := r.PathValue("newtag")
	if msg, status := t.canAddVersion(newTag); msg != "" {
		writeError(w, status, msg)
		return
	}
	cp := *t.versions[tag]
	cp.Tag, cp.Comment, cp.ID = newTag, r.URL.Query().Get("comment"), s.nextTemplateID()
	cp.CreatedAt = s.now().UTC().Truncate(time.Second)
	t.addVersionLocked(&cp, false)
	v, _ := t.version(newTag)
	writeJSON(w, http.StatusOK, map[string]any{"message": "version has been copied", "version": renderVersion(v, true)})
}

// templatePagingQuery is a parsed list request: page is "" (the top),
// "next", "previous" or "last"; pivot is the p parameter.
type templatePagingQuery struct {
	page, pivot string
	limit       int
}

func parseTemplatePaging(q url.Values) (templatePagingQuery, error) {
	pq := templatePagingQuery{page: q.Get("page"), pivot: q.Get("p"), limit: templateMaxLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > templateMaxLimit {
			return pq, fmt.Errorf("limit must be an integer between 1 and %d", templateMaxLimit)
		}
		pq.limit = n
	}
	switch pq.page {
	case "first":
		pq.page = ""
	case "", "next", "previous", "last":
	default:
		return pq, fmt.Errorf("page must be one of first, last, next, previous")
	}
	return pq, nil
}

// pageKeys returns the keys (sorted) of the requested page.
func pageKeys(all []string, pq templatePagingQuery) []string {
	switch pq.page {
	case "last":
		return all[max(0, len(all)-pq.limit):]
	case "next":
		i := sort.Search(len(all), func(i int) bool { return all[i] > pq.pivot })
		return all[i:min(len(all), i+pq.limit)]
	case "previous":
		j := sort.SearchStrings(all, pq.pivot)
		return all[max(0, j-pq.limit):j]
	}
	return all[:min(len(all), pq.limit)]
}

// templatePagingJSON builds the four absolute paging links of a page whose
// keys are keys, pivoting on its first and last key (on the request's own
// pivot when the page is empty).
func templatePagingJSON(r *http.Request, pq templatePagingQuery, keys []string) map[string]string {
	base := baseURL(r) + r.URL.EscapedPath()
	limit := "limit=" + strconv.Itoa(pq.limit)
	first, last := pq.pivot, pq.pivot
	if len(keys) > 0 {
		first, last = keys[0], keys[len(keys)-1]
	}
	return map[string]string{
		"first":    base + "?" + limit,
		"last":     base + "?page=last&" + limit,
		"next":     base + "?page=next&p=" + url.QueryEscape(last) + "&" + limit,
		"previous": base + "?page=previous&p=" + url.QueryEscape(first) + "&" + limit,
	}
}

func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) {
	domain, ok := templateDomain(w, r)
	if !ok {
		return
	}
	pq, err := parseTemplatePaging(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	byName := s.templates.domains[domain]
	keys := pageKeys(slices.Sorted(maps.Keys(byName)), pq)
	items := make([]templateJSON, 0, len(keys))
	for _, k := range keys {
		items = append(items, renderTemplateMeta(byName[k].meta))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "paging": templatePagingJSON(r, pq, keys)})
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) {
	if _, ok := templateDomain(w, r); !ok {
		return
	}
	pq, err := parseTemplatePaging(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.foundTemplate(w, r)
	if !ok {
		return
	}
	keys := pageKeys(slices.Sorted(maps.Keys(t.versions)), pq)
	out := struct {
		templateJSON
		Versions []*versionJSON `json:"versions"`
	}{templateJSON: renderTemplateMeta(t.meta), Versions: make([]*versionJSON, 0, len(keys))}
	for _, k := range keys {
		v, _ := t.version(k)
		out.Versions = append(out.Versions, renderVersion(v, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"template": out, "paging": templatePagingJSON(r, pq, keys)})
}
