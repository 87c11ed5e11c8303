// Package mailgun is a typed client for the Mailgun API: sending (with
// streamed attachments, batches, MIME and stored messages), templates,
// domains and their webhooks, the suppression lists (bounces,
// unsubscribes, complaints, the allowlist), account webhooks, tracking,
// tags, alerts, and reporting (logs, metrics, and the older events and
// stats), with retries, typed errors and webhook verification.
//
// Create one Client at start-up and share it between goroutines:
//
//	c, err := mailgun.NewClient(os.Getenv("MAILGUN_API_KEY"), mailgun.WithRegion(mailgun.RegionEU))
//	res, err := c.Messages.Send(ctx, "mg.example.com", &mailgun.Message{
//		From: "App <app@mg.example.com>", To: []string{"bob@example.org"},
//		Subject: "Hello", Text: "Hi Bob",
//	})
//
// Every method takes a context, which bounds the whole call, retries and
// waits included. Input that cannot be right (an empty domain, a batch that
// is too large) is rejected with an error wrapping ErrInvalidArgument before
// anything is sent. Non-2xx responses are *APIError values that match the
// sentinel errors (ErrNotFound, ErrRateLimited, ...) with errors.Is; a
// Delete of something unknown is ErrNotFound, except when a retry is
// answered 404 after an attempt that may have deleted it, which returns
// nil. In a list, one value of an unexpected type never fails the page: it
// is read as absent, and an item that is not an object is skipped; only a
// page of the wrong structure is ErrInvalidResponse.
package mailgun

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// Version is the SDK version sent in the User-Agent header.
const Version = "0.1.0"

// Client talks to the Mailgun API. It is immutable after NewClient and safe
// for concurrent use; create one and share it. Its services are fields.
type Client struct {
	Messages        *MessagesService        // send messages; read and resend stored ones
	Templates       *TemplatesService       // a domain's stored templates and their versions
	Domains         *DomainsService         // sending domains and their DNS records
	DomainWebhooks  *DomainWebhooksService  // a domain's event webhooks (v3 and v4)
	AccountWebhooks *AccountWebhooksService // account-level event webhooks
	Bounces         *BouncesService         // the bounce suppression list of a domain
	Unsubscribes    *UnsubscribesService    // recipients who unsubscribed from a domain's mail, or some tags
	Complaints      *ComplaintsService      // recipients who reported a domain's mail as spam
	Allowlist       *AllowlistService       // addresses and domains that are never added to bounces
	Tracking        *TrackingService        // open, click and unsubscribe tracking, HTTPS certificates
	Logs            *LogsService            // the event log
	Metrics         *MetricsService         // aggregated counters and rates
	Alerts          *AlertsService          // send alerts, threshold alerts, alert webhooks settings
	Tags            *TagsService            // deprecated upstream: use the Analytics tags API or Metrics
	Events          *EventsService          // deprecated upstream: use Logs
	Stats           *StatsService           // deprecated upstream: use Metrics

	doer    *doer.Doer
	baseURL string
	region  Region // "" when WithBaseURL was used
}

// service is what every resource service holds: the client it belongs to.
type service struct{ client *Client }

// Option configures a Client in NewClient.
type Option func(*settings) error

type settings struct {
	region     Region
	regionSet  bool
	baseURL    string
	httpClient *http.Client
	retry      RetryPolicy
	logger     *slog.Logger
	userAgent  string
	onBehalfOf string
}

// RetryPolicy says when and how long a failed call waits before it is
// repeated. GET, PUT and DELETE are retried on connection errors, timed-out
// attempts and 408, 420, 429, 500, 502, 503 and 504; POST only on 420 and
// 429, or when no connection was made and so nothing was sent (a failed
// dial, DNS lookup, proxy connect or TLS handshake, or a timeout before
// the connection; a certificate error is never retried), because Mailgun
// has no idempotency keys (the analytics queries, which only read,
// are retried like a GET). A 2xx whose body is not the API's JSON is never
// retried. Waits use exponential backoff with full jitter unless the server
// says how long to wait (Retry-After, X-Request-Reset, X-RateLimit-Reset); a
// hint that is not a usable number or date is ignored, and every wait is
// capped by MaxDelay.
//
// A write that fails after an attempt that may have been acted on returns
// an error wrapping ErrOutcomeUnknown (see there). A retried DELETE that
// gets 404 after such an attempt returns nil: the resource is gone either
// way. A 404 to its first attempt is ErrNotFound.
type RetryPolicy struct {
	// MaxRetries is how many times a call is repeated after its first
	// attempt; 0 disables retries.
	MaxRetries int
	// BaseDelay is the backoff ceiling before the first retry; it doubles
	// for each further retry. Zero means 500 ms.
	BaseDelay time.Duration
	// MaxDelay caps every wait, server hints included. Zero means 8 s.
	MaxDelay time.Duration
	// AttemptTimeout bounds each attempt; a timed-out attempt is retried
	// like a connection error (a POST only when no connection was made
	// yet). Zero means attempts are bounded only by the caller's context.
	AttemptTimeout time.Duration
	// IdleTimeout ends an attempt that makes no progress for this long: no
	// byte of the request body is sent and no byte of the response
	// arrives (waiting for the response headers counts), such as a server
	// that trickles a body or stalls. The attempt is retried like a
	// timed-out one (a POST only when no connection was made yet;
	// otherwise its error wraps ErrOutcomeUnknown).
	// It applies to every HTTP client, WithHTTPClient's included. It
	// also bounds the wait, before a retry, for a read still blocked in a
	// seekable upload (an attachment, an imported file): past it that
	// reader is not rewound and the retry is given up; without a retry
	// nothing waits for it. Zero means 60 s; a negative value disables it
	// (the wait is then bounded by AttemptTimeout, or only by the context).
	IdleTimeout time.Duration
}

// defaultIdleTimeout is what a zero RetryPolicy.IdleTimeout means.
const defaultIdleTimeout = 60 * time.Second

// DefaultRetryPolicy returns the policy a Client uses unless told otherwise:
// 3 retries, 500 ms base, 8 s cap, no per-attempt timeout, 60 s idle bound.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, BaseDelay: 500 * time.Millisecond, MaxDelay: 8 * time.Second, IdleTimeout: defaultIdleTimeout}
}

// WithRegion selects the region whose API the client calls (default
// RegionUS). It cannot be combined with WithBaseURL.
func WithRegion(r Region) Option {
	return func(s *settings) error {
		if r.BaseURL() == "" {
			return fmt.Errorf("unknown region %q (want %q or %q)", string(r), RegionUS, RegionEU)
		}
		s.region, s.regionSet = r, true
		return nil
	}
}

// WithBaseURL points the client at another host: a proxy or a fake such as
// mailguntest. The URL needs an http or https scheme and a host, may have a
// path prefix, and must not carry an API version (no "/v3"): paths add it.
// A trailing slash is removed. It cannot be combined with WithRegion.
func WithBaseURL(raw string) Option {
	return func(s *settings) error {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("base URL does not parse")
		}
		switch {
		case u.Scheme != "http" && u.Scheme != "https":
			return fmt.Errorf("base URL needs an http or https scheme")
		case u.Host == "":
			return fmt.Errorf("base URL has no host")
		case u.User != nil:
			return fmt.Errorf("base URL must not carry credentials; pass the API key to NewClient")
		case u.RawQuery != "" || u.Fragment != "":
			return fmt.Errorf("base URL must not have a query or fragment")
		}
		p := strings.TrimRight(u.EscapedPath(), "/")
		for _, seg := range strings.Split(p, "/") {
			if isVersion(seg) {
				return fmt.Errorf("base URL must not contain an API version such as /v3: the SDK adds it")
			}
		}
		s.baseURL = u.Scheme + "://" + u.Host + p
		return nil
	}
}

func isVersion(seg string) bool {
	if len(seg) < 2 || seg[0] != 'v' {
		return false
	}
	for _, c := range seg[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// WithHTTPClient makes the client send requests with hc. The SDK never
// modifies hc. It sends through a copy that follows no redirect (a 3xx is
// returned as an *APIError), so hc.CheckRedirect is not used. Without this
// option the client uses its own http.Client with dial, TLS-handshake and
// response-header timeouts (never http.DefaultClient). RetryPolicy's
// AttemptTimeout and IdleTimeout apply to either.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return fmt.Errorf("HTTP client is nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithRetry replaces the retry policy. Zero delays and a zero IdleTimeout
// take the defaults; a negative IdleTimeout disables the idle bound, and
// other negative values are rejected.
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) error {
		if p.MaxRetries < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.AttemptTimeout < 0 {
			return fmt.Errorf("retry policy has a negative value")
		}
		s.retry = p
		return nil
	}
}

// WithMaxRetries sets how many times a failed call is repeated, keeping the
// other settings of the policy; 0 disables retries.
func WithMaxRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return fmt.Errorf("max retries is negative")
		}
		s.retry.MaxRetries = n
		return nil
	}
}

// WithLogger logs one debug record per attempt (method, path, status,
// attempt, wait). It never logs the API key, the Authorization header or
// bodies. A nil logger disables logging, which is the default.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// WithUserAgent appends ua (for example "myapp/1.4") to the SDK's own
// User-Agent, "mgkit-mailgun/<version> go/<go version>".
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		if !headerSafe(ua) {
			return fmt.Errorf("user agent contains control characters")
		}
		s.userAgent = strings.TrimSpace(ua)
		return nil
	}
}

// WithOnBehalfOf sends X-Mailgun-On-Behalf-Of with every request, so a
// primary account's key acts for the subaccount with this id.
func WithOnBehalfOf(subaccountID string) Option {
	return func(s *settings) error {
		if strings.TrimSpace(subaccountID) == "" || !headerSafe(subaccountID) {
			return fmt.Errorf("subaccount id is empty or contains control characters")
		}
		s.onBehalfOf = subaccountID
		return nil
	}
}

func headerSafe(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// NewClient returns a client that authenticates with apiKey (the account's
// private API key). Errors wrap ErrInvalidArgument: an empty key, an unknown
// region, a bad base URL, or WithRegion together with WithBaseURL.
func NewClient(apiKey string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(apiKey) == "" {
		return nil, fmt.Errorf("%w: API key is empty", ErrInvalidArgument)
	}
	if !headerSafe(apiKey) {
		return nil, fmt.Errorf("%w: API key contains control characters", ErrInvalidArgument)
	}
	s := settings{region: RegionUS, retry: DefaultRetryPolicy()}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, fmt.Errorf("%w: %s", ErrInvalidArgument, err)
		}
	}
	if s.regionSet && s.baseURL != "" {
		return nil, fmt.Errorf("%w: WithRegion and WithBaseURL cannot be combined", ErrInvalidArgument)
	}
	c := &Client{region: s.region, baseURL: s.region.BaseURL()}
	if s.baseURL != "" {
		c.region, c.baseURL = "", s.baseURL
	}
	if s.httpClient == nil {
		s.httpClient = defaultHTTPClient()
	}
	retry := s.retry
	if retry.BaseDelay == 0 {
		retry.BaseDelay = DefaultRetryPolicy().BaseDelay
	}
	if retry.MaxDelay == 0 {
		retry.MaxDelay = DefaultRetryPolicy().MaxDelay
	}
	switch {
	case retry.IdleTimeout == 0:
		retry.IdleTimeout = defaultIdleTimeout
	case retry.IdleTimeout < 0:
		retry.IdleTimeout = 0 // the doer's "none"
	}
	ua := "mgkit-mailgun/" + Version + " go/" + runtime.Version()
	if s.userAgent != "" {
		ua += " " + s.userAgent
	}
	c.doer = doer.New(doer.Config{
		BaseURL:    c.baseURL,
		APIKey:     apiKey,
		HTTPClient: s.httpClient,
		UserAgent:  ua,
		OnBehalfOf: s.onBehalfOf,
		Retry: doer.RetryPolicy{
			MaxRetries:     retry.MaxRetries,
			BaseDelay:      retry.BaseDelay,
			MaxDelay:       retry.MaxDelay,
			AttemptTimeout: retry.AttemptTimeout,
			IdleTimeout:    retry.IdleTimeout,
		},
		Logger:          s.logger,
		MailgunLinks:    c.region != "", // storage URLs name Mailgun storage hosts, in either region
		InvalidArgument: ErrInvalidArgument,
		InvalidResponse: ErrInvalidResponse,
		Connection:      ErrConnection,
		OutcomeUnknown:  ErrOutcomeUnknown,
		NewError:        newAPIError,
	})
	c.Messages = &MessagesService{client: c}
	c.Templates = &TemplatesService{client: c}
	c.Domains = &DomainsService{client: c}
	c.DomainWebhooks = &DomainWebhooksService{client: c}
	c.AccountWebhooks = &AccountWebhooksService{client: c}
	c.Bounces = &BouncesService{client: c}
	c.Unsubscribes = &UnsubscribesService{client: c}
	c.Complaints = &ComplaintsService{client: c}
	c.Allowlist = &AllowlistService{client: c}
	c.Tracking = &TrackingService{client: c}
	c.Logs = &LogsService{client: c}
	c.Metrics = &MetricsService{client: c}
	c.Alerts = &AlertsService{client: c}
	c.Tags = &TagsService{client: c}
	c.Events = &EventsService{client: c}
	c.Stats = &StatsService{client: c}
	return c, nil
}

func defaultHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   32,
	}}
}

// BaseURL returns the URL requests are sent to, without a trailing slash.
func (c *Client) BaseURL() string { return c.baseURL }

// Region returns the client's region, or "" when WithBaseURL chose the host.
func (c *Client) Region() Region { return c.region }

// String describes the client without its API key.
func (c Client) String() string {
	return "mailgun.Client{BaseURL: " + c.baseURL + ", APIKey: [redacted]}"
}

// GoString is String, so %#v never reveals the API key either.
func (c Client) GoString() string { return c.String() }

// LogValue makes slog print the client as String does.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Do calls an endpoint the SDK does not wrap, with the same
// authentication, headers, retries and errors as every other method.
//
// path is the escaped API path with its version and an optional query, such
// as "/v3/domains?limit=10"; escape path parameters with url.PathEscape and
// replace "+" by "%2B". body may be nil, url.Values (sent as a form),
// json.RawMessage or []byte (sent as JSON as they are), a *Multipart
// (streamed as multipart/form-data, files read while sending), or any
// other value (encoded as JSON). out receives the decoded JSON body; it
// may be nil, and the 2xx body is checked even then (see
// ErrInvalidResponse).
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	if method == "" || !headerSafe(method) || strings.ContainsAny(method, " ") {
		return fmt.Errorf("%w: bad method %q", ErrInvalidArgument, method)
	}
	if err := doer.CheckCursor(path); err != nil {
		return fmt.Errorf("%w: path %q: %s", ErrInvalidArgument, path, err)
	}
	r := &doer.Request{Method: strings.ToUpper(method), Cursor: path}
	switch b := body.(type) {
	case nil:
	case url.Values:
		r.Body = doer.Form(b)
	case json.RawMessage:
		r.Body = doer.Raw(b, "application/json")
	case []byte:
		r.Body = doer.Raw(b, "application/json")
	case *Multipart:
		if b == nil {
			return fmt.Errorf("%w: Multipart body is nil", ErrInvalidArgument)
		}
		mb, err := b.body()
		if err != nil {
			return err
		}
		r.Body = mb
	case Multipart:
		return c.Do(ctx, method, path, &b, out)
	case io.Reader:
		return fmt.Errorf("%w: Do does not stream an io.Reader; pass []byte, a *Multipart or a value to encode", ErrInvalidArgument)
	default:
		enc, err := doer.JSON(b)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrInvalidArgument, err)
		}
		r.Body = enc
	}
	return c.doer.Do(ctx, r, out)
}

// do is how every service sends its requests.
func (c *Client) do(ctx context.Context, r *doer.Request, out any) error {
	return c.doer.Do(ctx, r, out)
}

// invalidArg returns an error wrapping ErrInvalidArgument.
func invalidArg(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// invalidResponse returns an error wrapping ErrInvalidResponse.
func invalidResponse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidResponse, fmt.Sprintf(format, args...))
}

// checkHTTPURL rejects raw unless it is an absolute http or https URL;
// the error names it as what, with its credentials redacted.
func checkHTTPURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalidArg("%s %q is not an absolute http or https URL", what, redactURL(raw))
	}
	return nil
}

// redactURL returns raw for an error message with the userinfo of its
// authority (the "user:password@" a webhook or archive URL may carry for
// basic auth) replaced by "[redacted]@". It works on the text, so a URL
// that does not parse is redacted too.
func redactURL(raw string) string {
	prefix, rest := "", raw
	if i := strings.Index(raw, "//"); i >= 0 {
		prefix, rest = raw[:i+2], raw[i+2:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return raw
	}
	return prefix + "[redacted]" + rest[at:]
}

// replyError is an ErrInvalidResponse about the answer to r, naming its
// method and path (its cursor's, for a request at a cursor).
func replyError(r *doer.Request, problem string) error {
	p, _, _ := strings.Cut(r.Cursor, "?")
	if r.Cursor == "" {
		p, _ = doer.BuildPath(r.Path)
	}
	return invalidResponse("%s %s: %s", r.Method, p, problem)
}

// required rejects an empty (or all-space) parameter by name.
func required(name, value string) error {
	if strings.TrimSpace(value) == "" {
		return invalidArg("%s is empty", name)
	}
	return nil
}
