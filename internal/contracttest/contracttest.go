// Package contracttest records, for the contract module, what the tests
// send and receive: every request through Transport or RequestTransport
// (and the answer, through Transport) and every documented example passed
// to CheckExample or CheckRequestExample. It is imported by tests only and
// uses the standard library only, so the SDK's module needs no OpenAPI
// library.
//
// Recording is on when the environment variable MAILGUN_CONTRACT_LOG names
// a directory: each test process appends JSON lines (one Record each) to a
// file of its own there. The module in ../../contract validates every
// record against testdata/openapi/mailgun.yaml and sending.yaml, names the
// test that made a bad one, and fails when an operation of either contract
// was never exercised. Without the variable nothing is recorded and the
// transports pass requests through untouched.
package contracttest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// EnvLog names the environment variable that turns recording on.
const EnvLog = "MAILGUN_CONTRACT_LOG"

// FaultHeader marks responses produced by injected faults
// (mailguntest.FaultHeader); their answers are not validated, because the
// contract does not declare 429 and 5xx everywhere.
const FaultHeader = "X-Mailguntest-Fault"

// MaxBody is the largest body recorded. A larger request body (a streamed
// CSV import) is recorded without its body, so it is not buffered; a
// larger answer is not recorded.
const MaxBody = 1 << 20

// Record kinds.
const (
	KindExchange        = "exchange"         // a request, and its answer when CheckResponse
	KindResponseExample = "response-example" // a documented answer to Method URL
	KindRequestExample  = "request-example"  // a documented request body for Method URL
)

// Record is one line of the log.
type Record struct {
	Test   string      `json:"test"`
	Kind   string      `json:"kind"`
	Method string      `json:"method"`
	URL    string      `json:"url"` // absolute for exchanges; an escaped API path for examples
	Header http.Header `json:"header,omitempty"`
	Body   []byte      `json:"body,omitempty"`
	// Partial marks a request body too large to record; it is validated
	// without its body.
	Partial bool `json:"partial,omitempty"`

	// CheckResponse asks for the answer to be validated too.
	CheckResponse  bool        `json:"check_response,omitempty"`
	Status         int         `json:"status,omitempty"`
	ResponseHeader http.Header `json:"response_header,omitempty"`
	ResponseBody   []byte      `json:"response_body,omitempty"`
}

// Contract is the recorder. Its zero value records nothing.
type Contract struct {
	mu  sync.Mutex
	out *os.File
	err error
}

var (
	loadOnce sync.Once
	loaded   = &Contract{}
)

// Load returns the recorder of this test process, opening its log file on
// first use when recording is on.
func Load(t testing.TB) *Contract {
	t.Helper()
	loadOnce.Do(func() {
		dir := os.Getenv(EnvLog)
		if dir == "" {
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			loaded.err = err
			return
		}
		loaded.out, loaded.err = os.CreateTemp(dir, "records-*.jsonl")
	})
	if loaded.err != nil {
		t.Fatalf("contracttest: %s: %v", EnvLog, loaded.err)
	}
	return loaded
}

// Recording reports whether records are written.
func (c *Contract) Recording() bool { return c.out != nil }

func (c *Contract) write(r Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err = c.out.Write(line)
	return err
}

// Transport wraps next (http.DefaultTransport when nil) so that every
// request passing through it, and its answer, is recorded for validation.
func (c *Contract) Transport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	return c.transport(t, next, true)
}

// RequestTransport is Transport without the answers, for tests that feed
// the SDK answers the contract does not declare (httpmock errors).
func (c *Contract) RequestTransport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	return c.transport(t, next, false)
}

// Client returns an http.Client whose transport is Transport(t, next).
func (c *Contract) Client(t testing.TB, next http.RoundTripper) *http.Client {
	return &http.Client{Transport: c.Transport(t, next)}
}

func (c *Contract) transport(t testing.TB, next http.RoundTripper, responses bool) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if !c.Recording() {
		return next
	}
	return &transport{c: c, t: t, next: next, responses: responses}
}

type transport struct {
	c         *Contract
	t         testing.TB
	next      http.RoundTripper
	responses bool
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := Record{Test: tr.t.Name(), Kind: KindExchange, Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone()}
	if user, _, ok := req.BasicAuth(); ok {
		// The contract needs to know credentials were sent, not which.
		rec.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":redacted")))
	}
	if req.Body != nil && req.Body != http.NoBody {
		head, err := io.ReadAll(io.LimitReader(req.Body, MaxBody+1))
		if err != nil {
			return nil, err
		}
		if len(head) > MaxBody {
			rec.Partial = true
			rest := req.Body
			req.Body = readCloser{io.MultiReader(bytes.NewReader(head), rest), rest}
		} else {
			rec.Body = head
			_ = req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(head))
		}
	}
	resp, err := tr.next.RoundTrip(req)
	if err == nil && tr.responses && resp.Header.Get(FaultHeader) == "" {
		head, rerr := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
		if rerr != nil {
			_ = resp.Body.Close()
			return nil, rerr
		}
		if len(head) > MaxBody {
			// Too large to record: the answer goes on unvalidated.
			rest := resp.Body
			resp.Body = readCloser{io.MultiReader(bytes.NewReader(head), rest), rest}
		} else {
			_ = resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(head))
			rec.CheckResponse, rec.Status, rec.ResponseHeader, rec.ResponseBody = true, resp.StatusCode, resp.Header.Clone(), head
		}
	}
	if werr := tr.c.write(rec); werr != nil {
		tr.t.Errorf("contracttest: recording %s %s: %v", req.Method, req.URL.Path, werr)
	}
	return resp, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

// CheckExample records a documented response body as the answer with
// status to method on path (an escaped API path such as
// "/v3/example.com/bounces"), with the given content type. It returns an
// error only when the record cannot be written; the contract module
// validates it.
func (c *Contract) CheckExample(method, path string, status int, contentType string, body []byte) error {
	return c.example(Record{
		Kind: KindResponseExample, Method: method, URL: path, Status: status,
		ResponseHeader: http.Header{"Content-Type": {contentType}}, ResponseBody: body,
	})
}

// CheckRequestExample records a documented request body sent with method
// to path, for the contract module to validate.
func (c *Contract) CheckRequestExample(method, path, contentType string, body []byte) error {
	return c.example(Record{
		Kind: KindRequestExample, Method: method, URL: path,
		Header: http.Header{"Content-Type": {contentType}}, Body: body,
	})
}

func (c *Contract) example(r Record) error {
	if !c.Recording() {
		return nil
	}
	r.Test = callerTest()
	if err := c.write(r); err != nil {
		return fmt.Errorf("contracttest: recording example: %w", err)
	}
	return nil
}

// callerTest names the test file and line that recorded an example, since
// examples are checked without a testing.TB.
func callerTest() string {
	for skip := 3; skip < 8; skip++ {
		_, file, line, ok := runtime.Caller(skip)
		if !ok {
			break
		}
		if strings.HasSuffix(file, "_test.go") {
			return fmt.Sprintf("%s:%d", filepath.Base(file), line)
		}
	}
	return "unknown test"
}
