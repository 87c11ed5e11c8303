// Package contracttest checks requests and responses against the OpenAPI
// contracts in testdata/openapi: mailgun.yaml (suppressions, alerts,
// webhooks, tracking, reporting) and sending.yaml (sending, the other
// suppression lists, domain webhooks, templates, domains, tags). It is
// imported by tests only.
//
// Route a client's traffic through Transport and every request the SDK
// sends, and every response it gets, is validated; failures are reported on
// the test. Responses marked with mailguntest's fault header are exempt,
// because the contract does not declare 429 and 5xx everywhere.
package contracttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/mgkit/mailgun/internal/doer"
)

// FaultHeader marks responses produced by injected faults (mailguntest.FaultHeader).
const FaultHeader = "X-Mailguntest-Fault"

// maxValidatedBody is the largest request body validated in full; a larger
// one (a streamed CSV import) is checked without its body so it is not
// buffered.
const maxValidatedBody = 1 << 20

// contractHost is where the contract's servers live; requests are routed as
// if they were sent there.
const contractHost = "api.mailgun.net"

// Contract is the loaded OpenAPI documents with their routers, and a record
// of which operations tests exercised.
type Contract struct {
	Doc     *openapi3.T // mailgun.yaml
	Sending *openapi3.T // sending.yaml
	routers []routers.Router
	files   map[string]string // operationId -> file name

	mu        sync.Mutex
	requests  map[string]int // operationId -> validated requests
	responses map[string]int // operationId -> validated responses
}

var (
	loadOnce sync.Once
	loaded   *Contract
	loadErr  error
)

// Files are the contract files, in the order requests are routed.
var Files = []string{"mailgun.yaml", "sending.yaml"}

// Path returns the location of a contract file (one of Files).
func Path(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "openapi", name)
}

// Load returns the contract, loaded and validated once per test binary.
func Load(t testing.TB) *Contract {
	t.Helper()
	c, err := Loaded()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Loaded is Load outside a test (for TestMain).
func Loaded() (*Contract, error) {
	loadOnce.Do(func() {
		c := &Contract{files: map[string]string{}, requests: map[string]int{}, responses: map[string]int{}}
		for _, name := range Files {
			doc, router, err := loadFile(name)
			if err != nil {
				loadErr = err
				return
			}
			for _, item := range doc.Paths.Map() {
				for _, op := range item.Operations() {
					if prev, dup := c.files[op.OperationID]; dup {
						loadErr = fmt.Errorf("operation %s is in both %s and %s", op.OperationID, prev, name)
						return
					}
					c.files[op.OperationID] = name
				}
			}
			c.routers = append(c.routers, router)
			if c.Doc == nil {
				c.Doc = doc
			} else {
				c.Sending = doc
			}
		}
		loaded = c
	})
	return loaded, loadErr
}

func loadFile(name string) (*openapi3.T, routers.Router, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(Path(name))
	if err != nil {
		return nil, nil, fmt.Errorf("loading contract %s: %w", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, nil, fmt.Errorf("contract %s is invalid: %w", name, err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("building router for %s: %w", name, err)
	}
	return doc, router, nil
}

// Operations returns the operationIds of every contract file, sorted.
func (c *Contract) Operations() []string {
	return slices.Sorted(maps.Keys(c.files))
}

// OperationsIn returns the operationIds of one contract file, sorted.
func (c *Contract) OperationsIn(name string) []string {
	var ids []string
	for id, f := range c.files {
		if f == name {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Coverage returns, per operationId, how many requests and responses were validated.
func (c *Contract) Coverage() (requests, responses map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.requests), maps.Clone(c.responses)
}

// Transport wraps next (http.DefaultTransport when nil) so that every
// request and response passing through it is validated against the
// contract, failing t on a violation.
func (c *Contract) Transport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{c: c, t: t, next: next, responses: true}
}

// RequestTransport is Transport without response validation, for tests
// that feed the SDK answers the contract does not declare (httpmock errors).
func (c *Contract) RequestTransport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{c: c, t: t, next: next}
}

// Client returns an http.Client whose transport is Transport(t, next).
func (c *Contract) Client(t testing.TB, next http.RoundTripper) *http.Client {
	return &http.Client{Transport: c.Transport(t, next)}
}

type transport struct {
	c         *Contract
	t         testing.TB
	next      http.RoundTripper
	responses bool
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	partial := false
	if req.Body != nil && req.Body != http.NoBody {
		head, err := io.ReadAll(io.LimitReader(req.Body, maxValidatedBody+1))
		if err != nil {
			return nil, err
		}
		if len(head) > maxValidatedBody {
			partial = true
			rest := req.Body
			req.Body = readCloser{io.MultiReader(bytes.NewReader(head), rest), rest}
		} else {
			body = head
			_ = req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
	}
	in, err := tr.c.ValidateRequest(req, body, partial)
	if err != nil {
		tr.t.Errorf("contract: request %s %s: %v", req.Method, req.URL.RequestURI(), err)
		in = nil // a response to an invalid request says nothing more
	}
	resp, err := tr.next.RoundTrip(req)
	if err != nil || !tr.responses || in == nil || resp.Header.Get(FaultHeader) != "" {
		return resp, err
	}
	rb, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	if err := tr.c.ValidateResponse(in, resp.StatusCode, resp.Header, rb); err != nil {
		tr.t.Errorf("contract: response %d to %s %s: %v", resp.StatusCode, req.Method, req.URL.RequestURI(), err)
	}
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// route finds the operation for req as if it had been sent to the
// contract's host, ignoring any base path before the API version.
func (c *Contract) route(req *http.Request) (*routers.Route, map[string]string, *http.Request, error) {
	u := *req.URL
	u.Scheme, u.Host = "https", contractHost
	p := doer.FromVersion(u.EscapedPath())
	unescaped, err := url.PathUnescape(p)
	if err != nil {
		return nil, nil, nil, err
	}
	u.Path, u.RawPath = unescaped, p
	r2 := req.Clone(req.Context())
	r2.URL, r2.Host = &u, contractHost
	var first error
	for _, router := range c.routers {
		route, params, err := router.FindRoute(r2)
		if err == nil {
			return route, params, r2, nil
		}
		if first == nil || !errors.Is(err, routers.ErrPathNotFound) {
			first = err
		}
	}
	return nil, nil, nil, fmt.Errorf("no operation in the contract: %w", first)
}

var options = &openapi3filter.Options{
	MultiError:         true,
	AuthenticationFunc: checkBasicAuth,
}

func checkBasicAuth(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if _, _, ok := in.RequestValidationInput.Request.BasicAuth(); !ok {
		return errors.New("no basic auth credentials")
	}
	return nil
}

// ValidateRequest checks a request whose body is body (or, when partial,
// a body too large to check). It returns the input needed to validate the
// response, or nil when the request could not be routed.
func (c *Contract) ValidateRequest(req *http.Request, body []byte, partial bool) (*openapi3filter.RequestValidationInput, error) {
	route, params, r2, err := c.route(req)
	if err != nil {
		return nil, err
	}
	opts := *options
	if partial {
		// The body is too large to hold; the copy must not share the real
		// stream, or validation would consume it before it is sent.
		opts.ExcludeRequestBody = true
		r2.Body = http.NoBody
	} else if body != nil {
		r2.Body = io.NopCloser(bytes.NewReader(body))
	}
	in := &openapi3filter.RequestValidationInput{Request: r2, PathParams: params, Route: route, Options: &opts}
	err = openapi3filter.ValidateRequest(req.Context(), in)
	c.mu.Lock()
	if err == nil {
		c.requests[route.Operation.OperationID]++
	}
	c.mu.Unlock()
	return in, err
}

// ValidateResponse checks a response to the request validated into in.
func (c *Contract) ValidateResponse(in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes(body)
	err := openapi3filter.ValidateResponse(context.Background(), out)
	if err == nil {
		c.mu.Lock()
		c.responses[in.Route.Operation.OperationID]++
		c.mu.Unlock()
	}
	return err
}

// CheckExample validates a documented response body as the answer with
// status to method on path (an escaped API path such as
// "/v3/example.com/bounces"), with the given content type.
func (c *Contract) CheckExample(method, path string, status int, contentType string, body []byte) error {
	req, err := http.NewRequest(method, "https://"+contractHost+path, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth("api", "key-example")
	route, params, r2, err := c.route(req)
	if err != nil {
		return err
	}
	in := &openapi3filter.RequestValidationInput{Request: r2, PathParams: params, Route: route, Options: options}
	h := http.Header{"Content-Type": {contentType}}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 h,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), out)
}

// CheckRequestExample validates a documented request body sent with
// method to path.
func (c *Contract) CheckRequestExample(method, path, contentType string, body []byte) error {
	req, err := http.NewRequest(method, "https://"+contractHost+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.SetBasicAuth("api", "key-example")
	req.Header.Set("Content-Type", contentType)
	route, params, r2, err := c.route(req)
	if err != nil {
		return err
	}
	r2.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{Request: r2, PathParams: params, Route: route, Options: options}
	return openapi3filter.ValidateRequest(context.Background(), in)
}
