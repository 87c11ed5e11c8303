package contract

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
)

func TestContractLoads(t *testing.T) {
	c := Load(t)
	ops := c.Operations()
	assert.Len(t, ops, 57+46)
	assert.Len(t, c.OperationsIn("mailgun.yaml"), 57)
	assert.Len(t, c.OperationsIn("sending.yaml"), 46)
	assert.Contains(t, ops, "GET-v3--domainID--bounces--address-")
}

func exchange(method, target, ctype, body string, auth bool) contracttest.Record {
	r := contracttest.Record{Kind: contracttest.KindExchange, Method: method, URL: target, Header: http.Header{}}
	if body != "" {
		r.Body = []byte(body)
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if auth {
		r.Header.Set("Authorization", "Basic YXBpOmtleS14") // api:key-x
	}
	return r
}

func answered(r contracttest.Record, status int, body string) contracttest.Record {
	r.CheckResponse, r.Status = true, status
	r.ResponseHeader = http.Header{"Content-Type": {"application/json"}}
	r.ResponseBody = []byte(body)
	return r
}

func TestValidateRecords(t *testing.T) {
	c := Load(t)
	const base = "http://127.0.0.1:8080"
	good := []contracttest.Record{
		answered(exchange("GET", base+"/v3/example.com/bounces/a%2Bb%40example.com", "", "", true), 200,
			`{"address":"a@example.com","code":"550","error":"","created_at":"Thu, 11 Dec 2025 01:49:40 UTC"}`),
		exchange("GET", base+"/prefix/v3/example.com/bounces/x%40example.com", "", "", true),
		exchange("POST", base+"/v3/example.com/bounces", "application/x-www-form-urlencoded", "address=bob%40example.com", true),
		exchange("GET", base+"/v3/example.com/unsubscribes", "", "", true),
	}
	for _, r := range good {
		assert.NoError(t, c.Validate(r), r.URL)
	}
	bad := []contracttest.Record{
		exchange("GET", base+"/v3/example.com/events?limit=500", "", "", true),                   // limit above 300
		exchange("GET", base+"/v3/example.com/bounces/x", "", "", false),                         // no credentials
		exchange("POST", base+"/v3/example.com/nowhere", "", "", true),                           // no such operation
		answered(exchange("GET", base+"/v1/webhooks", "", "", true), 200, `{"wrong":"shape"}`),   // response without webhooks
		exchange("POST", base+"/v1/alerts/settings/events", "application/json", `{"x":1}`, true), // missing channel
		{Kind: "mystery"},
	}
	for _, r := range bad {
		assert.Error(t, c.Validate(r), r.URL)
	}
	reqs, resps := c.Coverage()
	assert.Positive(t, reqs["GET-v3--domainID--bounces--address-"])
	assert.Positive(t, resps["GET-v3--domainID--bounces--address-"])
}

func TestCheckExamples(t *testing.T) {
	c := Load(t)
	assert.NoError(t, c.CheckExample("GET", "/v3/example.com/bounces", 200, "application/json",
		[]byte(`{"items":[],"paging":{"first":"a","last":"b","next":"c","previous":"d"}}`)))
	assert.Error(t, c.CheckExample("GET", "/v2/x509/t.example.com/status", 200, "application/json", []byte(`{"status":"sometimes"}`)))
	assert.Error(t, c.CheckExample("GET", "/v3/example.com/bounces", 418, "application/json", []byte(`{}`)), "undeclared status")
	assert.NoError(t, c.CheckRequestExample("POST", "/v3/example.com/bounces", "application/x-www-form-urlencoded", []byte("address=bob%40example.com&code=550")))
	assert.Error(t, c.CheckRequestExample("PUT", "/v3/domains/example.com/tracking/click", "application/x-www-form-urlencoded", []byte("active=maybe")))
	// Over the batch limit the contract refuses an unsubscribe batch too.
	big := "[" + strings.TrimSuffix(strings.Repeat(`{"address":"a@x.io"},`, 1001), ",") + "]"
	assert.Error(t, c.CheckRequestExample("POST", "/v3/example.com/unsubscribes", "application/json", []byte(big)))
	require.NoError(t, c.Validate(contracttest.Record{
		Kind: contracttest.KindResponseExample, Method: "GET", URL: "/v3/example.com/bounces", Status: 200,
		ResponseHeader: http.Header{"Content-Type": {"application/json"}}, ResponseBody: []byte(`{"items":[],"paging":{"first":"a","last":"b","next":"c","previous":"d"}}`),
	}))
}

// TestWebhookEventTypesDocumented checks that the SDK's webhook event types
// are exactly the contract's.
func TestWebhookEventTypesDocumented(t *testing.T) {
	enum := Load(t).Doc.Components.Schemas["AccountWebhookEventType"].Value.Enum
	var documented []string
	for _, v := range enum {
		documented = append(documented, v.(string))
	}
	var ours []string
	for _, et := range mailgun.WebhookEventTypes() {
		ours = append(ours, string(et))
	}
	assert.ElementsMatch(t, documented, ours)
}
