package bench

import (
	"net/http"
	"time"

	official "github.com/mailgun/mailgun-go/v4"
	"github.com/mgkit/mailgun"
)

// MaxIdleConnsPerHost is the idle pool of the shared transport: enough for
// the 64-goroutine benchmark to keep every connection alive.
const MaxIdleConnsPerHost = 64

// NewHTTPClient returns the one *http.Client that all three clients use, so
// that only the work of the clients themselves differs: HTTP/1.1 keep-alive
// to the local server with a pool of MaxIdleConnsPerHost connections.
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:        2 * MaxIdleConnsPerHost,
		MaxIdleConnsPerHost: MaxIdleConnsPerHost,
		IdleConnTimeout:     90 * time.Second,
	}}
}

// NewSDK returns this SDK's client for the server at base.
func NewSDK(hc *http.Client, base string, opts ...mailgun.Option) (*mailgun.Client, error) {
	opts = append([]mailgun.Option{mailgun.WithBaseURL(base), mailgun.WithHTTPClient(hc)}, opts...)
	return mailgun.NewClient(APIKey, opts...)
}

// NewOfficial returns the official SDK's client for domain on the server at
// base. Its API base carries the version.
func NewOfficial(hc *http.Client, base, domain string) *official.MailgunImpl {
	mg := official.NewMailgun(domain, APIKey)
	mg.SetAPIBase(base + "/v3")
	mg.SetClient(hc)
	return mg
}
