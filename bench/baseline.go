package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"mime/multipart"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/mgkit/mailgun"
)

// Baseline is the floor: a hand-written client that does only what a call
// needs with net/http and encoding/json (build the request, set the
// precomputed headers, Do, check the status, decode, drain and close). It
// has no retries, no input checks, no path escaping and no error decoding.
//
// It sends the same headers as this SDK (Authorization, User-Agent, Accept),
// so that the in-process server does the same work for both and the
// difference between them is the SDK's own.
type Baseline struct {
	hc            *http.Client
	base          string
	authorization []string
	userAgent     []string
}

// NewBaseline returns a baseline client for the server at base.
func NewBaseline(hc *http.Client, base string) *Baseline {
	return &Baseline{
		hc:            hc,
		base:          base,
		authorization: []string{basicAuthorization(APIKey)},
		userAgent:     []string{SDKUserAgent},
	}
}

// SDKUserAgent is the User-Agent this SDK sends (see mailgun.NewClient).
var SDKUserAgent = "mgkit-mailgun/" + mailgun.Version + " go/" + runtime.Version()

var acceptJSON = []string{"application/json"}

func basicAuthorization(key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("api:"+key))
}

// BaselineBounce is the typed bounce the baseline returns.
type BaselineBounce struct {
	Address   string
	Code      string
	Error     string
	CreatedAt time.Time
}

type wireBounce struct {
	Address   string `json:"address"`
	Code      string `json:"code"`
	Error     string `json:"error"`
	CreatedAt string `json:"created_at"`
}

func (w *wireBounce) typed() (BaselineBounce, error) {
	t, err := time.Parse(time.RFC1123, w.CreatedAt)
	return BaselineBounce{Address: w.Address, Code: w.Code, Error: w.Error, CreatedAt: t}, err
}

// get sends a GET to url and decodes a 200 JSON body into out.
func (c *Baseline) get(ctx context.Context, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header["Authorization"] = c.authorization
	req.Header["User-Agent"] = c.userAgent
	req.Header["Accept"] = acceptJSON
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	var data []byte
	if resp.ContentLength >= 0 {
		data = make([]byte, resp.ContentLength)
		_, err = io.ReadFull(resp.Body, data)
	} else {
		data, err = io.ReadAll(resp.Body)
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// GetBounce fetches one bounce.
func (c *Baseline) GetBounce(ctx context.Context, domain, address string) (BaselineBounce, error) {
	var w wireBounce
	if err := c.get(ctx, c.base+"/v3/"+domain+"/bounces/"+address, &w); err != nil {
		return BaselineBounce{}, err
	}
	return w.typed()
}

// Bounces walks a bounce list page by page, following the next links
// verbatim, until an empty page. One page's slice is reused for the next.
func (c *Baseline) Bounces(ctx context.Context, domain string, limit int) iter.Seq2[BaselineBounce, error] {
	return func(yield func(BaselineBounce, error) bool) {
		next := c.base + "/v3/" + domain + "/bounces?limit=" + strconv.Itoa(limit)
		var page struct {
			Items  []wireBounce `json:"items"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		for {
			page.Paging.Next = ""
			if err := c.get(ctx, next, &page); err != nil {
				yield(BaselineBounce{}, err)
				return
			}
			if len(page.Items) == 0 || page.Paging.Next == "" {
				return
			}
			for i := range page.Items {
				b, err := page.Items[i].typed()
				if !yield(b, err) || err != nil {
					return
				}
			}
			next = page.Paging.Next
		}
	}
}

// SendMessage sends a text message as the hand-written floor would: a
// multipart/form-data body built with mime/multipart into a buffer, POSTed
// with the precomputed headers, and the {id, message} answer decoded.
func (c *Baseline) SendMessage(ctx context.Context, domain, from, to, subject, text string) (string, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range [...][2]string{{"from", from}, {"to", to}, {"subject", subject}, {"text", text}} {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return "", err
		}
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v3/"+domain+"/messages", &body)
	if err != nil {
		return "", err
	}
	req.Header["Authorization"] = c.authorization
	req.Header["User-Agent"] = c.userAgent
	req.Header["Accept"] = acceptJSON
	req.Header["Content-Type"] = []string{w.FormDataContentType()}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST messages: status %d", resp.StatusCode)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	var out struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	}
	err = json.Unmarshal(data, &out)
	return out.ID, err
}

// EventsPage fetches one page of events and decodes it into typed events.
func (c *Baseline) EventsPage(ctx context.Context, domain string, limit int) ([]BaselineEvent, error) {
	var page BaselineEventsPage
	err := c.get(ctx, c.base+"/v3/"+domain+"/events?limit="+strconv.Itoa(limit), &page)
	return page.Items, err
}
