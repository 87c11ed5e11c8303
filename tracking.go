package mailgun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// TrackingService manages a domain's open, click and unsubscribe tracking, and the HTTPS certificate of its tracking host (/v3/domains/{domain}/tracking, /v2/x509).
type TrackingService service

// TrackingSettings is the tracking state of a domain.
type TrackingSettings struct {
	Open        OpenTracking        `json:"open"`
	Click       ClickTracking       `json:"click"`
	Unsubscribe UnsubscribeTracking `json:"unsubscribe"`
	// WebScheme is the scheme of tracked links and pixels, "http" or
	// "https"; it is changed through the domain's settings, not here.
	WebScheme string `json:"web_scheme"`
}

// OpenTracking is the open tracking state of a domain.
type OpenTracking struct {
	Active bool `json:"active"`
	// PlaceAtTheTop puts the tracking pixel at the top of the HTML body
	// instead of the bottom. False when the API leaves it out.
	PlaceAtTheTop bool `json:"place_at_the_top"`
}

// ClickTracking is the click tracking state of a domain.
type ClickTracking struct {
	Active ClickTrackingMode `json:"active"`
}

// UnsubscribeTracking is the unsubscribe tracking state of a domain and the
// footers Mailgun adds to messages. The footers are kept byte for byte,
// leading and trailing new lines included; each should contain
// %unsubscribe_url%.
type UnsubscribeTracking struct {
	Active     bool   `json:"active"`
	HTMLFooter string `json:"html_footer"`
	TextFooter string `json:"text_footer"`
}

// ClickTrackingMode says whether links are rewritten for click tracking.
type ClickTrackingMode string

// The click tracking modes. The zero value "" means unset.
const (
	ClickTrackingOff      ClickTrackingMode = "false"
	ClickTrackingOn       ClickTrackingMode = "true"
	ClickTrackingHTMLOnly ClickTrackingMode = "htmlonly" // only links in the HTML part
)

// Enabled reports whether clicks are tracked (ClickTrackingOn or ClickTrackingHTMLOnly).
func (m ClickTrackingMode) Enabled() bool { return m == ClickTrackingOn || m == ClickTrackingHTMLOnly }

// String returns the mode as the API writes it: "true", "false" or "htmlonly".
func (m ClickTrackingMode) String() string { return string(m) }

// UnmarshalJSON accepts the JSON booleans and the strings "true", "false",
// "yes", "no" and "htmlonly" (in any case); yes and no become
// ClickTrackingOn and ClickTrackingOff. Another string is kept as it is, so
// a mode Mailgun adds later does not break decoding; null leaves m unset.
func (m *ClickTrackingMode) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
		*m = ""
	case bool:
		*m = ClickTrackingOff
		if v {
			*m = ClickTrackingOn
		}
	case string:
		*m = parseClickTrackingMode(v)
	default:
		return fmt.Errorf("click tracking mode: want a boolean or a string, got %s", b)
	}
	return nil
}

func parseClickTrackingMode(s string) ClickTrackingMode {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes":
		return ClickTrackingOn
	case "false", "no":
		return ClickTrackingOff
	case "htmlonly":
		return ClickTrackingHTMLOnly
	}
	return ClickTrackingMode(s)
}

// MarshalJSON writes the API's shape: a boolean for on and off, a string
// otherwise, and null when unset.
func (m ClickTrackingMode) MarshalJSON() ([]byte, error) {
	switch m {
	case "":
		return []byte("null"), nil
	case ClickTrackingOn, ClickTrackingOff:
		return []byte(string(m)), nil
	}
	return json.Marshal(string(m))
}

// OpenTrackingUpdate changes open tracking. Nil fields are not sent and keep
// their current value; at least one must be set.
type OpenTrackingUpdate struct {
	Active        *bool
	PlaceAtTheTop *bool
}

// ClickTrackingUpdate changes click tracking. An unset (empty) Active is not
// sent and keeps the current mode, so at least Active must be set.
type ClickTrackingUpdate struct {
	Active ClickTrackingMode
}

// UnsubscribeTrackingUpdate changes unsubscribe tracking. Nil fields are not
// sent and keep their current value (a nil footer is never sent as empty);
// at least one must be set. Footers are sent byte for byte.
type UnsubscribeTrackingUpdate struct {
	Active     *bool
	HTMLFooter *string
	TextFooter *string
}

// trackingPath is the path of a domain's tracking settings, plus the section to update.
func trackingPath(domain string, section ...string) []string {
	return append([]string{"v3", "domains", domain, "tracking"}, section...)
}

// Get returns the tracking settings of domain; an unknown domain is
// ErrNotFound.
func (s *TrackingService) Get(ctx context.Context, domain string) (*TrackingSettings, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	var out struct {
		Tracking TrackingSettings `json:"tracking"`
	}
	if err := s.client.do(ctx, &doer.Request{Method: http.MethodGet, Path: trackingPath(domain)}, &out); err != nil {
		return nil, err
	}
	return &out.Tracking, nil
}

// UpdateOpen changes the open tracking of domain, sending only the fields
// set in u, and returns the new state.
func (s *TrackingService) UpdateOpen(ctx context.Context, domain string, u OpenTrackingUpdate) (*OpenTracking, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	f := url.Values{}
	setBool(f, "active", u.Active)
	setBool(f, "place_at_the_top", u.PlaceAtTheTop)
	if len(f) == 0 {
		return nil, invalidArg("open tracking update sets no field")
	}
	var out struct {
		Open OpenTracking `json:"open"`
	}
	if err := s.put(ctx, domain, "open", f, &out); err != nil {
		return nil, err
	}
	return &out.Open, nil
}

// UpdateClick changes the click tracking of domain and returns the new
// state. u.Active is ClickTrackingOn, ClickTrackingOff or
// ClickTrackingHTMLOnly, or a spelling UnmarshalJSON reads as one of them
// ("yes", "HTMLOnly"); another mode, such as one Mailgun adds later and
// Get returned, is sent as it is. An unset (blank) Active is an error
// wrapping ErrInvalidArgument, and nothing is sent.
func (s *TrackingService) UpdateClick(ctx context.Context, domain string, u ClickTrackingUpdate) (*ClickTracking, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(u.Active)) == "" {
		return nil, invalidArg("click tracking update sets no field")
	}
	mode := parseClickTrackingMode(string(u.Active))
	var out struct {
		Click ClickTracking `json:"click"`
	}
	if err := s.put(ctx, domain, "click", url.Values{"active": {string(mode)}}, &out); err != nil {
		return nil, err
	}
	return &out.Click, nil
}

// UpdateUnsubscribe changes the unsubscribe tracking of domain, sending
// only the fields set in u, and returns the new state.
func (s *TrackingService) UpdateUnsubscribe(ctx context.Context, domain string, u UnsubscribeTrackingUpdate) (*UnsubscribeTracking, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	f := url.Values{}
	setBool(f, "active", u.Active)
	if u.HTMLFooter != nil {
		f.Set("html_footer", *u.HTMLFooter)
	}
	if u.TextFooter != nil {
		f.Set("text_footer", *u.TextFooter)
	}
	if len(f) == 0 {
		return nil, invalidArg("unsubscribe tracking update sets no field")
	}
	var out struct {
		Unsubscribe UnsubscribeTracking `json:"unsubscribe"`
	}
	if err := s.put(ctx, domain, "unsubscribe", f, &out); err != nil {
		return nil, err
	}
	return &out.Unsubscribe, nil
}

func (s *TrackingService) put(ctx context.Context, domain, section string, f url.Values, out any) error {
	r := &doer.Request{Method: http.MethodPut, Path: trackingPath(domain, section), Body: doer.Form(f)}
	return s.client.do(ctx, r, out)
}

func setBool(f url.Values, key string, v *bool) {
	if v != nil {
		f.Set(key, strconv.FormatBool(*v))
	}
}

// DefaultWebPrefix is the web prefix of a domain's tracking host unless it
// was changed: tracking links of example.com point at email.example.com.
const DefaultWebPrefix = "email"

// TrackingHost returns the tracking host name of domain, webPrefix + "." +
// domain, which the certificate methods take. An empty webPrefix means
// DefaultWebPrefix; an empty domain gives "". A trailing dot of domain and
// dots around webPrefix are dropped, and the result is lower case.
func TrackingHost(domain, webPrefix string) string {
	domain = strings.Trim(strings.TrimSpace(domain), ".")
	if domain == "" {
		return ""
	}
	webPrefix = strings.Trim(strings.TrimSpace(webPrefix), ".")
	if webPrefix == "" {
		webPrefix = DefaultWebPrefix
	}
	return strings.ToLower(webPrefix + "." + domain)
}

// CertificateState is the state of a tracking host's HTTPS certificate.
type CertificateState string

// The certificate states. Other values may appear and are kept as they are.
const (
	CertificateProcessing CertificateState = "processing" // generation under way
	CertificateActive     CertificateState = "active"
	CertificateExpired    CertificateState = "expired" // regenerate it
	CertificateError      CertificateState = "error"   // generation failed; see TrackingCertificate.Error
)

// TrackingCertificate is the HTTPS certificate state of a tracking host.
type TrackingCertificate struct {
	Status CertificateState `json:"status"`
	// Error explains the state (a failure, an expiry, or that generation
	// is under way); "" when there is nothing to say.
	Error string `json:"error"`
	// Certificate is the PEM certificate; "" while it is processing.
	Certificate string `json:"certificate"`
}

// CertificateJob is the answer to a (re)generation request.
type CertificateJob struct {
	Message string `json:"message"`
	// Location is the path of the status endpoint, relative to the API
	// base URL ("/v2/x509/email.example.com/status").
	Location string `json:"location"`
}

// ErrCertificateFailed is returned by WaitForCertificate when generation
// ended in the error state.
var ErrCertificateFailed = errors.New("mailgun: tracking certificate generation failed")

// CertificateStatus returns the certificate state of trackingHost (see
// TrackingHost). Before any generation was requested the API answers 404
// (ErrNotFound).
func (s *TrackingService) CertificateStatus(ctx context.Context, trackingHost string) (*TrackingCertificate, error) {
	if err := required("tracking host", trackingHost); err != nil {
		return nil, err
	}
	var out TrackingCertificate
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v2", "x509", trackingHost, "status"}}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GenerateCertificate asks Mailgun to obtain a certificate for trackingHost
// in the background; poll with CertificateStatus or WaitForCertificate.
// The host's tracking CNAME must point at Mailgun (else 400). A generation
// requested before is ErrConflict. As a POST it is retried only on 420 and
// 429 or a failed dial.
func (s *TrackingService) GenerateCertificate(ctx context.Context, trackingHost string) (*CertificateJob, error) {
	return s.certificateJob(ctx, http.MethodPost, trackingHost)
}

// RegenerateCertificate asks Mailgun to renew the expired certificate of
// trackingHost in the background. A certificate that is still valid is
// ErrConflict. A generation already in progress is answered 429 by
// Mailgun: that answer is not retried, and its error matches ErrConflict
// (as well as ErrRateLimited, its status).
func (s *TrackingService) RegenerateCertificate(ctx context.Context, trackingHost string) (*CertificateJob, error) {
	job, err := s.certificateJob(ctx, http.MethodPut, trackingHost, http.StatusTooManyRequests)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests {
		return nil, fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return job, err
}

func (s *TrackingService) certificateJob(ctx context.Context, method, host string, final ...int) (*CertificateJob, error) {
	if err := required("tracking host", host); err != nil {
		return nil, err
	}
	var out CertificateJob
	r := &doer.Request{Method: method, Path: []string{"v2", "x509", host}, FinalStatuses: final}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// WaitForCertificate polls the certificate state of trackingHost, first at
// once and then every pollEvery, until it is active (the certificate and a
// nil error) or error (the certificate and an error wrapping
// ErrCertificateFailed), or ctx ends (the last state read, which may be
// nil, and ctx's error). Processing, expired and unknown states keep it
// waiting, and so do server errors that outlast the retry policy; other
// errors, such as 404 when no generation was requested, end it at once.
// pollEvery must be positive.
func (s *TrackingService) WaitForCertificate(ctx context.Context, trackingHost string, pollEvery time.Duration) (*TrackingCertificate, error) {
	if err := required("tracking host", trackingHost); err != nil {
		return nil, err
	}
	if pollEvery <= 0 {
		return nil, invalidArg("poll interval must be positive, got %s", pollEvery)
	}
	var last *TrackingCertificate
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("mailgun: waiting for the certificate of %s: %w", trackingHost, ctx.Err())
		case <-t.C:
		}
		cert, err := s.CertificateStatus(ctx, trackingHost)
		switch {
		case err == nil:
			last = cert
			switch cert.Status {
			case CertificateActive:
				return cert, nil
			case CertificateError:
				return cert, fmt.Errorf("%w: %s: %s", ErrCertificateFailed, trackingHost, cert.Error)
			}
		case errors.Is(err, ErrServer) && ctx.Err() == nil:
			// The status endpoint answers 5xx for some accounts while
			// nothing is known yet: keep waiting.
		default:
			return last, err
		}
		t.Reset(pollEvery)
	}
}
