// Package contract validates what the SDK's tests recorded (see
// internal/contracttest in the SDK module) against the OpenAPI contracts in
// ../testdata/openapi: mailgun.yaml (suppressions, alerts, webhooks,
// tracking, reporting) and sending.yaml (sending, the other suppression
// lists, domain webhooks, templates, domains, tags).
//
// It is a module of its own so that the SDK's module graph carries no
// OpenAPI library: programs that import the SDK never download it.
package contract

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
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/internal/doer"
)

// contractHost is where the contract's servers live; requests are routed as
// if they were sent there.
const contractHost = "api.mailgun.net"

// Contract is the loaded OpenAPI documents with their routers, and a record
// of which operations were validated through it.
type Contract struct {
	*Documents

	mu        sync.Mutex
	requests  map[string]int // operationId -> validated requests
	responses map[string]int // operationId -> validated responses
}

// Documents are the parsed contracts, shared read-only by every Contract.
type Documents struct {
	Doc     *openapi3.T // mailgun.yaml
	Sending *openapi3.T // sending.yaml
	routers []routers.Router
	files   map[string]string // operationId -> file name
}

var (
	loadOnce sync.Once
	loaded   *Documents
	loadErr  error
)

// Files are the contract files, in the order requests are routed.
var Files = []string{"mailgun.yaml", "sending.yaml"}

// Path returns the location of a contract file (one of Files).
func Path(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "openapi", name)
}

// Load returns the contracts (loaded and validated once per test binary)
// with coverage counters of its own.
func Load(t testing.TB) *Contract {
	t.Helper()
	d, err := loadDocuments()
	if err != nil {
		t.Fatal(err)
	}
	return &Contract{Documents: d, requests: map[string]int{}, responses: map[string]int{}}
}

func loadDocuments() (*Documents, error) {
	loadOnce.Do(func() {
		c := &Documents{files: map[string]string{}}
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
func (c *Documents) Operations() []string {
	return slices.Sorted(maps.Keys(c.files))
}

// OperationsIn returns the operationIds of one contract file, sorted.
func (c *Documents) OperationsIn(name string) []string {
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

// route finds the operation for req as if it had been sent to the
// contract's host, ignoring any base path before the API version.
func (c *Documents) route(req *http.Request) (*routers.Route, map[string]string, *http.Request, error) {
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

// Validate checks one record: a request (and its answer when the record
// asks for it), or a documented example.
func (c *Contract) Validate(r contracttest.Record) error {
	switch r.Kind {
	case contracttest.KindResponseExample:
		return c.CheckExample(r.Method, r.URL, r.Status, r.ResponseHeader.Get("Content-Type"), r.ResponseBody)
	case contracttest.KindRequestExample:
		return c.CheckRequestExample(r.Method, r.URL, r.Header.Get("Content-Type"), r.Body)
	case contracttest.KindExchange:
	default:
		return fmt.Errorf("unknown record kind %q", r.Kind)
	}
	req, err := http.NewRequest(r.Method, r.URL, nil)
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	req.Header = r.Header
	in, err := c.ValidateRequest(req, r.Body, r.Partial)
	if err != nil {
		return fmt.Errorf("request %s %s: %w", r.Method, req.URL.RequestURI(), err)
	}
	if !r.CheckResponse {
		return nil
	}
	if err := c.ValidateResponse(in, r.Status, r.ResponseHeader, r.ResponseBody); err != nil {
		return fmt.Errorf("response %d to %s %s: %w", r.Status, r.Method, req.URL.RequestURI(), err)
	}
	return nil
}
