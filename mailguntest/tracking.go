package mailguntest

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// certificateLifetime is how long a fake certificate stays valid.
const certificateLifetime = 90 * 24 * time.Hour

// fakeCertificatePEM is the placeholder certificate of active hosts: a PEM
// block, but not a parseable X.509 certificate.
const fakeCertificatePEM = "-----BEGIN CERTIFICATE-----\nbWFpbGd1bnRlc3QgdHJhY2tpbmcgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"

// Default footers of a domain's unsubscribe tracking, as Mailgun sets them.
const (
	defaultHTMLFooter = "\n<br>\n<p><a href=\"%unsubscribe_url%\">unsubscribe</a></p>\n"
	defaultTextFooter = "\n\nTo unsubscribe click: <%unsubscribe_url%>\n\n"
)

type trackingState struct {
	domains   map[string]*mailgun.TrackingSettings
	certs     map[string]*certificate
	certDelay time.Duration
}

type certificate struct {
	state      mailgun.CertificateState
	message    string
	readyAt    time.Time // when processing turns active; zero: only SetCertificateState does
	validUntil time.Time
}

// WithCertificateDelay sets how long a generated tracking certificate stays
// processing before it turns active, by the server's clock (see
// WithClock). The default, 0, makes it active at the first status read; a
// negative d keeps it processing until SetCertificateState activates it.
func WithCertificateDelay(d time.Duration) Option {
	return func(s *Server) { s.tracking.certDelay = d }
}

func (s *Server) trackingRoutes(mux, domains *http.ServeMux) {
	s.tracking.domains = map[string]*mailgun.TrackingSettings{}
	s.tracking.certs = map[string]*certificate{}
	domains.HandleFunc("GET /v3/domains/{name}/tracking", s.getTracking)
	domains.HandleFunc("PUT /v3/domains/{name}/tracking/{section}", s.updateTracking)
	mux.HandleFunc("GET /v2/x509/{host}/status", s.certificateStatus)
	mux.HandleFunc("POST /v2/x509/{host}", s.generateCertificate)
	mux.HandleFunc("PUT /v2/x509/{host}", s.regenerateCertificate)
}

// validHostname reports whether name is a dotted host name of letters,
// digits and hyphens. The fake knows every such domain; other names are
// answered 404 Domain not found.
func validHostname(name string) bool {
	labels := strings.Split(name, ".")
	if len(labels) < 2 || len(name) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func defaultTracking() *mailgun.TrackingSettings {
	return &mailgun.TrackingSettings{
		Click:       mailgun.ClickTracking{Active: mailgun.ClickTrackingOff},
		Unsubscribe: mailgun.UnsubscribeTracking{HTMLFooter: defaultHTMLFooter, TextFooter: defaultTextFooter},
		WebScheme:   "http",
	}
}

// domainTracking returns the settings of domain, creating the defaults.
// Call with s.mu held.
func (s *Server) domainTracking(domain string) *mailgun.TrackingSettings {
	key := strings.ToLower(domain)
	t, ok := s.tracking.domains[key]
	if !ok {
		t = defaultTracking()
		s.tracking.domains[key] = t
	}
	return t
}

// TrackingSettings returns the tracking settings of domain: the defaults
// (everything off, Mailgun's default footers, web scheme http) until
// changed.
func (s *Server) TrackingSettings(domain string) mailgun.TrackingSettings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.domainTracking(domain)
}

// SetTrackingSettings replaces the tracking settings of domain, for tests
// that start from a given state (web scheme https, say).
func (s *Server) SetTrackingSettings(domain string, t mailgun.TrackingSettings) {
	if t.Click.Active == "" {
		t.Click.Active = mailgun.ClickTrackingOff
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.domainTracking(domain) = t
}

func (s *Server) getTracking(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("name")
	if !knownDomain(w, domain) {
		return
	}
	s.mu.Lock()
	t := *s.domainTracking(domain)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"tracking": t})
}

// parseFormBool reads the boolean spellings the API accepts.
func parseFormBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "yes":
		return true, true
	case "false", "no":
		return false, true
	}
	return false, false
}

// trackingUpdate applies a form to settings t, or returns the problem.
type trackingUpdate func(t *mailgun.TrackingSettings, f map[string][]string) (any, string)

var trackingSections = map[string]trackingUpdate{
	"open": func(t *mailgun.TrackingSettings, f map[string][]string) (any, string) {
		o := t.Open
		for name, dst := range map[string]*bool{"active": &o.Active, "place_at_the_top": &o.PlaceAtTheTop} {
			if vs, ok := f[name]; ok {
				b, valid := parseFormBool(vs[0])
				if !valid {
					return nil, name + " must be true or false"
				}
				*dst = b
			}
		}
		t.Open = o
		return map[string]any{"message": "Domain tracking settings have been updated", "open": o}, ""
	},
	"click": func(t *mailgun.TrackingSettings, f map[string][]string) (any, string) {
		if vs, ok := f["active"]; ok {
			m, valid := parseFormBool(vs[0])
			switch {
			case strings.EqualFold(vs[0], "htmlonly"):
				t.Click.Active = mailgun.ClickTrackingHTMLOnly
			case !valid:
				return nil, "active must be true, false or htmlonly"
			case m:
				t.Click.Active = mailgun.ClickTrackingOn
			default:
				t.Click.Active = mailgun.ClickTrackingOff
			}
		}
		return map[string]any{"message": "Domain tracking settings have been updated", "click": t.Click}, ""
	},
	"unsubscribe": func(t *mailgun.TrackingSettings, f map[string][]string) (any, string) {
		u := t.Unsubscribe
		if vs, ok := f["active"]; ok {
			b, valid := parseFormBool(vs[0])
			if !valid {
				return nil, "active must be true or false"
			}
			u.Active = b
		}
		if vs, ok := f["html_footer"]; ok {
			u.HTMLFooter = vs[0]
		}
		if vs, ok := f["text_footer"]; ok {
			u.TextFooter = vs[0]
		}
		t.Unsubscribe = u
		return map[string]any{"message": "Domain tracking settings have been updated", "unsubscribe": u}, ""
	},
}

func (s *Server) updateTracking(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("name")
	update, ok := trackingSections[r.PathValue("section")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if !knownDomain(w, domain) {
		return
	}
	f, err := readForm(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid form body")
		return
	}
	s.mu.Lock()
	t := s.domainTracking(domain)
	next := *t
	out, problem := update(&next, f)
	if problem == "" {
		*t = next
	}
	s.mu.Unlock()
	if problem != "" {
		writeError(w, http.StatusBadRequest, "Invalid parameter: "+problem)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// SetCertificateState puts the tracking certificate of host in state, with
// message as its error text (for CertificateError, CertificateExpired or
// CertificateProcessing). It creates the certificate when host has none;
// CertificateActive makes it valid for 90 days from the server's clock.
func (s *Server) SetCertificateState(host string, state mailgun.CertificateState, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &certificate{state: state, message: message}
	if state == mailgun.CertificateActive {
		c.validUntil = s.now().Add(certificateLifetime)
	}
	s.tracking.certs[strings.ToLower(host)] = c
}

// Certificate returns the tracking certificate state of host, as the
// status endpoint would answer it, and false when none was requested.
func (s *Server) Certificate(host string) (mailgun.TrackingCertificate, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.certificate(host)
	if !ok {
		return mailgun.TrackingCertificate{}, false
	}
	return c.view(), true
}

// certificate returns host's certificate, first turning it active when its
// delay is over. Call with s.mu held.
func (s *Server) certificate(host string) (*certificate, bool) {
	c, ok := s.tracking.certs[strings.ToLower(host)]
	if !ok {
		return nil, false
	}
	if now := s.now(); c.state == mailgun.CertificateProcessing && !c.readyAt.IsZero() && !now.Before(c.readyAt) {
		c.state, c.message, c.validUntil = mailgun.CertificateActive, "", now.Add(certificateLifetime)
	}
	return c, true
}

func (c *certificate) view() mailgun.TrackingCertificate {
	v := mailgun.TrackingCertificate{Status: c.state, Error: c.message}
	if c.state != mailgun.CertificateProcessing {
		v.Certificate = fakeCertificatePEM
	}
	return v
}

// startCertificate puts c in processing with the server's delay. Call with s.mu held.
func (s *Server) startCertificate(c *certificate) {
	c.state, c.message, c.readyAt = mailgun.CertificateProcessing, "Waiting for x509 key pair generation", time.Time{}
	if s.tracking.certDelay >= 0 {
		c.readyAt = s.now().Add(s.tracking.certDelay)
	}
}

func (s *Server) certificateStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, ok := s.certificate(r.PathValue("host"))
	var v mailgun.TrackingCertificate
	if ok {
		v = c.view()
	}
	s.mu.Unlock()
	if !ok {
		writeDescription(w, http.StatusNotFound, "Please initiate x509 key pair generation at POST /v2/x509/{domain}")
		return
	}
	body := map[string]any{"status": v.Status}
	if v.Error != "" {
		body["error"] = v.Error
	}
	if v.Certificate != "" {
		body["certificate"] = v.Certificate
	}
	writeJSON(w, http.StatusOK, body)
}

func certificateAccepted(w http.ResponseWriter, host string) {
	writeJSON(w, http.StatusAccepted, map[string]string{
		"message":  "Initiated x509 key pair generation",
		"location": "/v2/x509/" + host + "/status",
	})
}

func (s *Server) generateCertificate(w http.ResponseWriter, r *http.Request) {
	host := r.PathValue("host")
	if !validHostname(host) {
		writeReason(w, http.StatusBadRequest, "invalid CNAME record")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.certificate(host); ok {
		writeDescription(w, http.StatusConflict, "x509 key pair generation has already been initiated for "+host)
		return
	}
	c := &certificate{}
	s.startCertificate(c)
	s.tracking.certs[strings.ToLower(host)] = c
	certificateAccepted(w, host)
}

func (s *Server) regenerateCertificate(w http.ResponseWriter, r *http.Request) {
	host := r.PathValue("host")
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.certificate(host)
	switch {
	case !ok:
		writeDescription(w, http.StatusNotFound, "x509 cert not found")
	case c.state == mailgun.CertificateProcessing:
		writeDescription(w, http.StatusTooManyRequests, "x509 key pair generation job is already in progress for "+host)
	case c.state == mailgun.CertificateActive:
		writeDescription(w, http.StatusConflict, fmt.Sprintf("x509 certificate is still valid until %s", c.validUntil.UTC().Format("2006-01-02 15:04:05 -0700 MST")))
	default:
		s.startCertificate(c)
		certificateAccepted(w, host)
	}
}
