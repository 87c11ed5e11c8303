package mailguntest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// domainsState holds the account's domains, keyed by lower-case name.
type domainsState struct {
	byName map[string]*fakeDomain
	seq    int64
	// dns is what the next verification of a domain finds (SetDNSValidity);
	// absent means every record is published correctly.
	dns map[string]mailgun.DNSValidity
}

// fakeDomain is a domain with what the fake needs to rebuild its records.
type fakeDomain struct {
	seq          int64
	d            mailgun.DomainDetails
	dkimSelector string
	dkimHost     string // the host whose _domainkey subdomain holds the key
	dkimKey      string
	authority    string // the domain whose DKIM key signs this one
	mailFromHost string
}

// Mailgun's answers.
const (
	domainNotFound = "Domain not found"
	spfValue       = "v=spf1 include:mailgun.org ~all"
)

// defaultDKIMSelector is the selector of a domain created without one.
const defaultDKIMSelector = "smtp"

func (s *Server) domainRoutes(mux, domains *http.ServeMux) {
	s.domains.byName = map[string]*fakeDomain{}
	s.domains.dns = map[string]mailgun.DNSValidity{}
	mux.HandleFunc("GET /v4/domains", s.listDomains)
	mux.HandleFunc("POST /v4/domains", s.createDomain)
	mux.HandleFunc("GET /v4/domains/{name}", s.getDomain)
	mux.HandleFunc("PUT /v4/domains/{name}", s.updateDomain)
	mux.HandleFunc("PUT /v4/domains/{name}/verify", s.verifyDomain)
	domains.HandleFunc("DELETE /v3/domains/{name}", s.deleteDomain)
}

// domainJSON is a domain as the API sends it.
type domainJSON struct {
	CreatedAt                  string        `json:"created_at"`
	ID                         string        `json:"id"`
	IsDisabled                 bool          `json:"is_disabled"`
	Name                       string        `json:"name"`
	RequireTLS                 bool          `json:"require_tls"`
	SkipVerification           bool          `json:"skip_verification"`
	SMTPLogin                  string        `json:"smtp_login"`
	SpamAction                 string        `json:"spam_action"`
	State                      string        `json:"state"`
	Type                       string        `json:"type"`
	UseAutomaticSenderSecurity bool          `json:"use_automatic_sender_security"`
	WebPrefix                  string        `json:"web_prefix"`
	WebScheme                  string        `json:"web_scheme"`
	Wildcard                   bool          `json:"wildcard"`
	ArchiveTo                  string        `json:"archive_to,omitempty"`
	EncryptIncomingMessage     bool          `json:"encrypt_incoming_message,omitempty"`
	MessageTTL                 int64         `json:"message_ttl,omitempty"`
	SubaccountID               string        `json:"subaccount_id,omitempty"`
	Disabled                   *disabledJSON `json:"disabled,omitempty"`
}

type disabledJSON struct {
	Code        string `json:"code"`
	Note        string `json:"note"`
	Permanently bool   `json:"permanently"`
	Reason      string `json:"reason"`
	Until       string `json:"until,omitempty"`
}

// recordJSON is a DNS record as the API sends it; MX records have no name.
type recordJSON struct {
	IsActive   bool     `json:"is_active"`
	Cached     []string `json:"cached"`
	Name       string   `json:"name,omitempty"`
	Priority   string   `json:"priority,omitempty"`
	RecordType string   `json:"record_type"`
	Valid      string   `json:"valid"`
	Value      string   `json:"value"`
}

// domainTime formats a domain time as the API does ("... GMT").
func domainTime(t time.Time) string { return t.UTC().Format("Mon, 02 Jan 2006 15:04:05") + " GMT" }

func renderDomain(d mailgun.Domain) domainJSON {
	out := domainJSON{
		CreatedAt: domainTime(d.CreatedAt), ID: d.ID, IsDisabled: d.IsDisabled, Name: d.Name,
		RequireTLS: d.RequireTLS, SkipVerification: d.SkipVerification, SMTPLogin: d.SMTPLogin,
		SpamAction: string(d.SpamAction), State: string(d.State), Type: string(d.Type),
		UseAutomaticSenderSecurity: d.UseAutomaticSenderSecurity, WebPrefix: d.WebPrefix,
		WebScheme: string(d.WebScheme), Wildcard: d.Wildcard, ArchiveTo: d.ArchiveTo,
		EncryptIncomingMessage: d.EncryptIncomingMessage, MessageTTL: int64(d.MessageTTL / time.Second),
		SubaccountID: d.SubaccountID,
	}
	if x := d.Disabled; x != nil {
		out.Disabled = &disabledJSON{Code: x.Code, Note: x.Note, Permanently: x.Permanently, Reason: x.Reason}
		if !x.Until.IsZero() {
			out.Disabled.Until = domainTime(x.Until)
		}
	}
	return out
}

func renderRecords(rs []mailgun.DNSRecord) []recordJSON {
	out := make([]recordJSON, len(rs))
	for i, r := range rs {
		out[i] = recordJSON{
			IsActive: r.IsActive, Cached: append([]string{}, r.Cached...), Name: r.Name, Priority: r.Priority,
			RecordType: r.RecordType, Valid: string(r.Valid), Value: r.Value,
		}
	}
	return out
}

// renderDetails is the body of get, create, update and verify; message is
// left out when empty.
func renderDetails(d mailgun.DomainDetails, message string) map[string]any {
	out := map[string]any{
		"domain":                renderDomain(d.Domain),
		"receiving_dns_records": renderRecords(d.ReceivingRecords),
		"sending_dns_records":   renderRecords(d.SendingRecords),
	}
	if message != "" {
		out["message"] = message
	}
	return out
}

// rootDomain returns the last two labels of name.
func rootDomain(name string) string {
	labels := strings.Split(name, ".")
	if len(labels) <= 2 {
		return name
	}
	return strings.Join(labels[len(labels)-2:], ".")
}

// parentDomainLocked returns the nearest domain of the account that name
// is a subdomain of, or nil.
func (s *Server) parentDomainLocked(name string) *fakeDomain {
	for rest := name; ; {
		_, after, ok := strings.Cut(rest, ".")
		if !ok || !strings.Contains(after, ".") {
			return nil
		}
		if fd := s.domains.byName[after]; fd != nil {
			return fd
		}
		rest = after
	}
}

// records rebuilds the DNS records of fd, keeping the validity of those
// that did not change.
func (fd *fakeDomain) records() {
	d := &fd.d.Domain
	old := map[string]mailgun.DNSRecord{}
	for _, r := range append(slices.Clone(fd.d.SendingRecords), fd.d.ReceivingRecords...) {
		old[r.RecordType+" "+r.Name+" "+r.Value] = r
	}
	rec := func(typ, name, value, priority string, active bool) mailgun.DNSRecord {
		if r, ok := old[typ+" "+name+" "+value]; ok {
			return r
		}
		return mailgun.DNSRecord{RecordType: typ, Name: name, Value: value, Priority: priority, Valid: mailgun.DNSUnknown, IsActive: active, Cached: []string{}}
	}
	sending := []mailgun.DNSRecord{rec("TXT", d.Name, spfValue, "", true)}
	if d.UseAutomaticSenderSecurity {
		for i, sel := range []string{"pdk1", "pdk2"} {
			sending = append(sending, rec("CNAME", sel+"._domainkey."+fd.dkimHost, sel+"._domainkey."+d.ID+".service.mailgun.com", "", i == 0))
		}
	} else {
		sending = append(sending, rec("TXT", fd.dkimSelector+"._domainkey."+fd.dkimHost, "k=rsa; p="+fd.dkimKey, "", true))
	}
	sending = append(sending, rec("CNAME", d.WebPrefix+"."+d.Name, "mailgun.org", "", true))
	fd.d.SendingRecords = sending
	fd.d.ReceivingRecords = []mailgun.DNSRecord{rec("MX", "", "mxa.mailgun.org", "10", true), rec("MX", "", "mxb.mailgun.org", "10", true)}
}

// verifyLocked looks the records up as if DNS held what the test set with
// SetDNSValidity (valid unless told otherwise), and activates an
// unverified domain whose records are all valid.
func (s *Server) verifyLocked(fd *fakeDomain) {
	validity, ok := s.domains.dns[fd.d.Domain.Name]
	if !ok {
		validity = mailgun.DNSValid
	}
	fd.mark(validity)
	if validity == mailgun.DNSValid && fd.d.Domain.State == mailgun.DomainStateUnverified {
		fd.d.Domain.State = mailgun.DomainStateActive
	}
}

// mark sets every record to validity, with what a lookup would have cached.
func (fd *fakeDomain) mark(validity mailgun.DNSValidity) {
	var mx []string
	for _, r := range fd.d.ReceivingRecords {
		mx = append(mx, r.Priority+" "+r.Value)
	}
	for _, rs := range [][]mailgun.DNSRecord{fd.d.SendingRecords, fd.d.ReceivingRecords} {
		for i := range rs {
			r := &rs[i]
			r.Valid, r.Cached = validity, []string{}
			switch {
			case validity != mailgun.DNSValid:
			case r.RecordType == "MX":
				r.Cached = slices.Clone(mx)
			default:
				r.Cached = []string{r.Value}
			}
		}
	}
}

// domainOptions are the parsed form fields of create and update.
type domainOptions struct {
	f   url.Values
	err string
}

func (o *domainOptions) str(key string) (string, bool) {
	vs, ok := o.f[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// enum reads key, which must be one of allowed.
func (o *domainOptions) enum(key string, allowed ...string) (string, bool) {
	v, ok := o.str(key)
	if ok && !slices.Contains(allowed, v) && o.err == "" {
		o.err = fmt.Sprintf("%s must be one of %s", key, strings.Join(allowed, ", "))
		return "", false
	}
	return v, ok
}

func (o *domainOptions) boolean(key string, dst *bool) bool {
	v, ok := o.str(key)
	if !ok {
		return false
	}
	b, valid := parseFormBool(v)
	if !valid {
		if o.err == "" {
			o.err = key + " must be true or false"
		}
		return false
	}
	*dst = b
	return true
}

func (o *domainOptions) password() (string, bool) {
	p, ok := o.str("smtp_password")
	switch n := len([]rune(p)); {
	case !ok || p == "":
		return "", false
	case n < 5 && o.err == "":
		o.err = "Password is too short. It must be between 5 and 32 characters."
	case n > 32 && o.err == "":
		o.err = "Password is too long. It must be between 5 and 32 characters."
	}
	return p, true
}

func (o *domainOptions) ttl(dst *time.Duration) bool {
	v, ok := o.str("message_ttl")
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > 1<<31 {
		if o.err == "" {
			o.err = "message_ttl must be a positive number of seconds"
		}
		return false
	}
	*dst = time.Duration(n) * time.Second
	return true
}

// settings applies the fields create and update share to d, and reports
// whether any was present.
func (o *domainOptions) settings(d *mailgun.Domain) bool {
	set := false
	if v, ok := o.enum("spam_action", "disabled", "tag", "block"); ok {
		d.SpamAction, set = mailgun.SpamAction(v), true
	}
	if v, ok := o.enum("web_scheme", "http", "https"); ok {
		d.WebScheme, set = mailgun.WebScheme(v), true
	}
	if v, ok := o.str("web_prefix"); ok {
		if v == "" || strings.ContainsAny(v, ". /@") {
			if o.err == "" {
				o.err = "web_prefix must be a valid atom"
			}
		} else {
			d.WebPrefix, set = strings.ToLower(v), true
		}
	}
	if v, ok := o.str("archive_to"); ok {
		d.ArchiveTo, set = v, true
	}
	for key, dst := range map[string]*bool{
		"wildcard": &d.Wildcard, "require_tls": &d.RequireTLS, "skip_verification": &d.SkipVerification,
		"use_automatic_sender_security": &d.UseAutomaticSenderSecurity,
	} {
		if o.boolean(key, dst) {
			set = true
		}
	}
	if o.ttl(&d.MessageTTL) {
		set = true
	}
	if _, ok := o.password(); ok {
		set = true // accepted, never shown
	}
	return set
}

func (s *Server) createDomain(w http.ResponseWriter, r *http.Request) {
	f, err := readForm(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	o := &domainOptions{f: f}
	name := strings.ToLower(f.Get("name"))
	if name == "" {
		writeError(w, http.StatusBadRequest, "name is required")
		return
	}
	if !validHostname(name) {
		writeError(w, http.StatusBadRequest, "name must be a valid domain name")
		return
	}
	d := mailgun.Domain{Name: name, Type: mailgun.DomainTypeCustom, State: mailgun.DomainStateUnverified}
	o.settings(&d)
	o.boolean("encrypt_incoming_message", &d.EncryptIncomingMessage)
	var forceAuthority, forceRoot bool
	o.boolean("force_dkim_authority", &forceAuthority)
	o.boolean("force_root_dkim_host", &forceRoot)
	keySize, _ := o.enum("dkim_key_size", "1024", "2048")
	fd := &fakeDomain{dkimSelector: defaultDKIMSelector, dkimHost: name}
	if v, ok := o.str("dkim_selector"); ok && v != "" {
		fd.dkimSelector = v
	}
	if v, ok := o.str("dkim_host_name"); ok && v != "" {
		if forceAuthority || forceRoot {
			o.err = "dkim_host_name cannot be used with force_dkim_authority or force_root_dkim_host"
		}
		fd.dkimHost = strings.ToLower(v)
	} else if forceRoot {
		fd.dkimHost = rootDomain(name)
	}
	if v, ok := o.str("ips"); ok {
		for _, ip := range strings.Split(v, ",") {
			if _, err := netip.ParseAddr(strings.TrimSpace(ip)); err != nil && o.err == "" {
				o.err = fmt.Sprintf("ips: %q is not an IP address", ip)
			}
		}
	}
	if o.err != "" {
		writeError(w, http.StatusBadRequest, o.err)
		return
	}
	fd.dkimKey = fakeDKIMKey(keySize == "2048")
	s.mu.Lock()
	if _, dup := s.domains.byName[name]; dup {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "Domain "+name+" already exists")
		return
	}
	fd.authority = name
	if !forceAuthority {
		if parent := s.parentDomainLocked(name); parent != nil {
			fd.authority = parent.authority
		}
	}
	details := s.storeDomainLocked(fd, d)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, renderDetails(details, "Domain DNS records have been created"))
}

// storeDomainLocked fills in what the server decides (id, creation time,
// SMTP login, defaults), builds the records and stores the domain.
func (s *Server) storeDomainLocked(fd *fakeDomain, d mailgun.Domain) mailgun.DomainDetails {
	s.domains.seq++
	fd.seq = s.domains.seq
	if d.ID == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		d.ID = hex.EncodeToString(b)
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = s.now()
	}
	d.CreatedAt = d.CreatedAt.UTC().Truncate(time.Second)
	if d.SMTPLogin == "" {
		d.SMTPLogin = "postmaster@" + d.Name
	}
	if d.SpamAction == "" {
		d.SpamAction = mailgun.SpamActionDisabled
	}
	if d.WebPrefix == "" {
		d.WebPrefix = mailgun.DefaultWebPrefix
	}
	if d.WebScheme == "" {
		d.WebScheme = mailgun.WebSchemeHTTP
	}
	s.domainTracking(d.Name).WebScheme = string(d.WebScheme)
	fd.d.Domain = d
	fd.records()
	s.domains.byName[d.Name] = fd
	return cloneDetails(fd.d)
}

// fakeDKIMKey returns random base64 of the length of an RSA public key.
func fakeDKIMKey(big bool) string {
	b := make([]byte, 162)
	if big {
		b = make([]byte, 294)
	}
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func cloneDetails(d mailgun.DomainDetails) mailgun.DomainDetails {
	clone := func(rs []mailgun.DNSRecord) []mailgun.DNSRecord {
		out := slices.Clone(rs)
		for i := range out {
			out[i].Cached = slices.Clone(out[i].Cached)
		}
		return out
	}
	d.SendingRecords, d.ReceivingRecords = clone(d.SendingRecords), clone(d.ReceivingRecords)
	if d.Domain.Disabled != nil {
		x := *d.Domain.Disabled
		d.Domain.Disabled = &x
	}
	return d
}

// withDomain runs fn on the domain named in the path, with s.mu held, and
// answers 404 Domain not found when there is none.
func (s *Server) withDomain(w http.ResponseWriter, r *http.Request, fn func(fd *fakeDomain)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	fd, ok := s.domains.byName[strings.ToLower(r.PathValue("name"))]
	if !ok {
		writeError(w, http.StatusNotFound, domainNotFound)
		return false
	}
	fn(fd)
	return true
}

func (s *Server) getDomain(w http.ResponseWriter, r *http.Request) {
	var d mailgun.DomainDetails
	if s.withDomain(w, r, func(fd *fakeDomain) { d = cloneDetails(fd.d) }) {
		writeJSON(w, http.StatusOK, renderDetails(d, ""))
	}
}

func (s *Server) verifyDomain(w http.ResponseWriter, r *http.Request) {
	var d mailgun.DomainDetails
	if s.withDomain(w, r, func(fd *fakeDomain) { s.verifyLocked(fd); d = cloneDetails(fd.d) }) {
		writeJSON(w, http.StatusOK, renderDetails(d, "Domain DNS records have been updated"))
	}
}

func (s *Server) updateDomain(w http.ResponseWriter, r *http.Request) {
	f, err := readForm(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var d mailgun.DomainDetails
	status, message := http.StatusOK, ""
	found := s.withDomain(w, r, func(fd *fakeDomain) {
		o := &domainOptions{f: f}
		next := fd.d.Domain
		changed := o.settings(&next)
		host, hasHost := o.str("mailfrom_host")
		if hasHost && (host == "" || host != strings.ToLower(host) || !validHostname(host)) && o.err == "" {
			o.err = "mailfrom_host must be a lower-case host name"
		}
		switch {
		case o.err != "":
			status, message = http.StatusBadRequest, o.err
			return
		case !changed && !hasHost:
			status, message = http.StatusBadRequest, "No valid updates provided"
			return
		}
		if hasHost {
			fd.mailFromHost = host
		}
		fd.d.Domain = next
		fd.records()
		s.domainTracking(next.Name).WebScheme = string(next.WebScheme)
		d = cloneDetails(fd.d)
	})
	switch {
	case !found:
	case status != http.StatusOK:
		writeError(w, status, message)
	default:
		writeJSON(w, http.StatusOK, renderDetails(d, "Domain has been updated"))
	}
}

func (s *Server) deleteDomain(w http.ResponseWriter, r *http.Request) {
	refused := ""
	found := s.withDomain(w, r, func(fd *fakeDomain) {
		d := fd.d.Domain
		switch {
		case d.Type == mailgun.DomainTypeSandbox:
			refused = "Sandbox domain can't be deleted"
		case d.State == mailgun.DomainStateDisabled || d.IsDisabled:
			refused = "Disabled domain can't be deleted"
		default:
			for name, other := range s.domains.byName {
				if name != d.Name && other.authority == d.Name {
					refused = "Domain is the DKIM authority of " + name
					return
				}
			}
			delete(s.domains.byName, d.Name)
		}
	})
	switch {
	case !found:
	case refused != "":
		writeError(w, http.StatusBadRequest, refused)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"message": "Domain will be deleted in the background"})
	}
}

// listDomains pages with limit and skip; the newest domains (by creation
// time) come first unless sort says otherwise.
func (s *Server) listDomains(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var skip int
	limit, err := queryCount(q, "limit", 100, 1, 1000)
	if err == nil {
		skip, err = queryCount(q, "skip", 0, 0, 1<<30)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	state, sort := q.Get("state"), q.Get("sort")
	if state != "" && !slices.Contains([]string{"active", "unverified", "disabled"}, state) {
		writeError(w, http.StatusBadRequest, "state must be active, unverified or disabled")
		return
	}
	if sort != "" && !slices.Contains([]string{"name", "name:asc", "name:desc"}, sort) {
		writeError(w, http.StatusBadRequest, "sort must be name, name:asc or name:desc")
		return
	}
	authority, search := q.Get("authority"), strings.ToLower(q.Get("search"))
	s.mu.Lock()
	var all []*fakeDomain
	for _, fd := range s.domains.byName {
		d := fd.d.Domain
		switch {
		case state != "" && string(d.State) != state:
		case state == "" && authority != "" && fd.authority != strings.ToLower(authority):
		case search != "" && !strings.Contains(d.Name, search):
		default:
			all = append(all, fd)
		}
	}
	slices.SortFunc(all, func(a, b *fakeDomain) int {
		switch sort {
		case "name", "name:asc":
			return strings.Compare(a.d.Domain.Name, b.d.Domain.Name)
		case "name:desc":
			return strings.Compare(b.d.Domain.Name, a.d.Domain.Name)
		}
		if c := b.d.Domain.CreatedAt.Compare(a.d.Domain.CreatedAt); c != 0 {
			return c
		}
		return cmpInt(b.seq, a.seq)
	})
	items := []domainJSON{}
	for _, fd := range all[min(skip, len(all)):min(skip+limit, len(all))] {
		items = append(items, renderDomain(fd.d.Domain))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(all), "items": items})
}

// queryCount reads the integer parameter name of q, def when absent, and
// fails when it is not a number from lo to hi.
func queryCount(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be a number from %d to %d", name, lo, hi)
	}
	return n, nil
}

// AddDomains stores domains as if they had been created, filling in what
// Mailgun would (an id, the creation time, postmaster@ login, spam action
// disabled, web prefix "email", scheme http, state unverified, type
// custom) and their DNS records; an active domain's records are valid. A
// domain already there is replaced.
func (s *Server) AddDomains(domains ...mailgun.Domain) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range domains {
		d.Name = strings.ToLower(d.Name)
		if d.State == "" {
			d.State = mailgun.DomainStateUnverified
		}
		if d.Type == "" {
			d.Type = mailgun.DomainTypeCustom
		}
		fd := &fakeDomain{dkimSelector: defaultDKIMSelector, dkimHost: d.Name, dkimKey: fakeDKIMKey(false), authority: d.Name}
		s.storeDomainLocked(fd, d)
		if d.State == mailgun.DomainStateActive {
			fd.mark(mailgun.DNSValid)
		}
	}
}

// Domain returns the domain called name with its DNS records, as the
// server holds it, and whether there is one.
func (s *Server) Domain(name string) (mailgun.DomainDetails, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fd, ok := s.domains.byName[strings.ToLower(name)]
	if !ok {
		return mailgun.DomainDetails{}, false
	}
	return cloneDetails(fd.d), true
}

// SetDNSValidity sets what verifying the domain called name finds from now
// on: with mailgun.DNSValid (the default) every record checks out and an
// unverified domain turns active; with mailgun.DNSInvalid or
// mailgun.DNSUnknown every record gets that state and the domain stays as
// it is.
func (s *Server) SetDNSValidity(name string, v mailgun.DNSValidity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domains.dns[strings.ToLower(name)] = v
}
