package mailguntest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// suppCall sends a raw authenticated request to the fake and returns the
// status and body.
func suppCall(t *testing.T, srv *mailguntest.Server, method, target, contentType string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+target, body)
	require.NoError(t, err)
	req.SetBasicAuth("api", srv.APIKey())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// suppPage is a list page as raw JSON: items stay raw to tell null from [].
type suppPage struct {
	Items  json.RawMessage `json:"items"`
	Paging struct{ First, Last, Next, Previous string }
}

func suppGetPage(t *testing.T, srv *mailguntest.Server, target string) (suppPage, []string) {
	t.Helper()
	status, body := suppCall(t, srv, http.MethodGet, target, "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	var p suppPage
	require.NoError(t, json.Unmarshal(body, &p))
	var items []struct {
		Address string `json:"address"`
		Value   string `json:"value"`
	}
	require.NoError(t, json.Unmarshal(p.Items, &items))
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Address+it.Value)
	}
	return p, keys
}

// suppMultipart builds a multipart body with a "file" part holding content.
func suppMultipart(t *testing.T, content string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	require.NoError(t, w.WriteField("note", "ignored"))
	fw, err := w.CreateFormFile("file", "list.csv")
	require.NoError(t, err)
	_, err = io.WriteString(fw, content)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return w.FormDataContentType(), &buf
}

func TestBouncePagingLinks(t *testing.T) {
	srv := mailguntest.NewServer(t)
	for _, a := range []string{"alice@example.com", "bob+news@example.com", "carol@example.com", "dan@example.com", "erin@example.com"} {
		srv.AddBounces("example.com", mailgun.Bounce{Address: a})
	}
	base := srv.URL() + "/v3/example.com/bounces"

	p, keys := suppGetPage(t, srv, "/v3/example.com/bounces?limit=2")
	assert.Equal(t, []string{"alice@example.com", "bob+news@example.com"}, keys)
	assert.Equal(t, base+"?limit=2&term=", p.Paging.First)
	assert.Equal(t, base+"?page=last&limit=2&term=", p.Paging.Last)
	assert.Equal(t, base+"?page=next&address=bob%2Bnews%40example.com&limit=2&term=", p.Paging.Next)
	assert.Equal(t, base+"?page=previous&address=alice%40example.com&limit=2&term=", p.Paging.Previous)

	next := strings.TrimPrefix(p.Paging.Next, srv.URL())
	p, keys = suppGetPage(t, srv, next)
	assert.Equal(t, []string{"carol@example.com", "dan@example.com"}, keys)
	p, keys = suppGetPage(t, srv, strings.TrimPrefix(p.Paging.Next, srv.URL()))
	assert.Equal(t, []string{"erin@example.com"}, keys)

	// After the last entry: an empty page whose links point at the cursor.
	p, keys = suppGetPage(t, srv, strings.TrimPrefix(p.Paging.Next, srv.URL()))
	assert.Empty(t, keys)
	assert.JSONEq(t, `[]`, string(p.Items))
	assert.Equal(t, base+"?page=next&address=erin%40example.com&limit=2&term=", p.Paging.Next)
	assert.Equal(t, base+"?page=previous&address=erin%40example.com&limit=2&term=", p.Paging.Previous)

	// A cursor beyond every entry: items null.
	p, _ = suppGetPage(t, srv, "/v3/example.com/bounces?page=next&address=zz%40example.com&limit=2&term=")
	assert.Equal(t, "null", string(p.Items))

	// Previous and last pages.
	_, keys = suppGetPage(t, srv, "/v3/example.com/bounces?page=previous&address=dan%40example.com&limit=2&term=")
	assert.Equal(t, []string{"bob+news@example.com", "carol@example.com"}, keys)
	_, keys = suppGetPage(t, srv, "/v3/example.com/bounces?page=previous&address=alice%40example.com&limit=2&term=")
	assert.Empty(t, keys)
	_, keys = suppGetPage(t, srv, "/v3/example.com/bounces?page=last&limit=2")
	assert.Equal(t, []string{"dan@example.com", "erin@example.com"}, keys)
	_, keys = suppGetPage(t, srv, "/v3/example.com/bounces?page=first&limit=1")
	assert.Equal(t, []string{"alice@example.com"}, keys)

	// The term filter is a prefix and is carried in the links.
	p, keys = suppGetPage(t, srv, "/v3/example.com/bounces?term=bob%2B")
	assert.Equal(t, []string{"bob+news@example.com"}, keys)
	assert.Equal(t, base+"?page=next&address=bob%2Bnews%40example.com&limit=100&term=bob%2B", p.Paging.Next)

	// A domain without bounces has an empty first page.
	p, keys = suppGetPage(t, srv, "/v3/other.example/bounces")
	assert.Empty(t, keys)
	assert.JSONEq(t, `[]`, string(p.Items))

	for _, q := range []string{"limit=0", "limit=1001", "limit=ten", "page=middle"} {
		status, body := suppCall(t, srv, http.MethodGet, "/v3/example.com/bounces?"+q, "", nil)
		assert.Equal(t, http.StatusBadRequest, status, q)
		assert.Contains(t, string(body), `"message"`, q)
	}
}

func TestBounceAnswers(t *testing.T) {
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC) }))

	status, body := suppCall(t, srv, http.MethodPost, "/v3/example.com/bounces", "application/x-www-form-urlencoded",
		strings.NewReader("address=bob%2Bnews%40example.com&error=No+such+mailbox"))
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Address has been added to the bounces table","address":"bob+news@example.com"}`, string(body))

	status, body = suppCall(t, srv, http.MethodGet, "/v3/example.com/bounces/bob%2Bnews%40example.com", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"address":"bob+news@example.com","code":"550","error":"No such mailbox","created_at":"Thu, 11 Dec 2025 01:49:40 UTC"}`, string(body))

	// A "+" left raw in the path is a space to the server, as on the real API.
	status, body = suppCall(t, srv, http.MethodGet, "/v3/example.com/bounces/bob+news@example.com", "", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, `{"message":"Address not found in bounces table"}`, string(body))

	// Multipart forms work too.
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	require.NoError(t, w.WriteField("address", "carol@example.com"))
	require.NoError(t, w.WriteField("code", "554"))
	require.NoError(t, w.WriteField("created_at", "Thu, 13 Oct 2011 18:02:00 -0500"))
	require.NoError(t, w.Close())
	status, _ = suppCall(t, srv, http.MethodPost, "/v3/example.com/bounces", w.FormDataContentType(), &buf)
	assert.Equal(t, http.StatusOK, status)
	got := srv.Bounces("example.com")
	require.Len(t, got, 2)
	assert.Equal(t, "554", got[1].Code)
	assert.True(t, got[1].CreatedAt.Equal(time.Date(2011, 10, 13, 23, 2, 0, 0, time.UTC)))

	// JSON batches: codes as strings or numbers.
	status, body = suppCall(t, srv, http.MethodPost, "/v3/example.com/bounces", "application/json",
		strings.NewReader(`[{"address":"dan@example.com","code":"551"},{"address":"erin@example.com","code":552}]`))
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"2 addresses have been added to the bounces table"}`, string(body))
	assert.Equal(t, "552", srv.Bounces("example.com")[3].Code)

	for name, tc := range map[string]struct{ ctype, body string }{
		"no address":      {"application/x-www-form-urlencoded", "code=550"},
		"not an address":  {"application/x-www-form-urlencoded", "address=bob"},
		"bad created_at":  {"application/x-www-form-urlencoded", "address=bob%40x.io&created_at=yesterday"},
		"JSON object":     {"application/json", `{"address":"bob@x.io"}`},
		"bad JSON record": {"application/json", `[{"address":"bob@x.io"},{"address":""}]`},
		"code is a bool":  {"application/json", `[{"address":"bob@x.io","code":true}]`},
		"plain text":      {"text/plain", "bob@x.io"},
	} {
		status, body := suppCall(t, srv, http.MethodPost, "/v3/example.com/bounces", tc.ctype, strings.NewReader(tc.body))
		assert.Equal(t, http.StatusBadRequest, status, name)
		assert.Contains(t, string(body), `"message"`, name)
	}
	assert.Len(t, srv.Bounces("example.com"), 4, "nothing of a rejected request was stored")

	status, body = suppCall(t, srv, http.MethodDelete, "/v3/example.com/bounces/dan%40example.com", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"address":"dan@example.com","message":"Bounced address has been removed"}`, string(body))
	status, body = suppCall(t, srv, http.MethodDelete, "/v3/example.com/bounces/dan%40example.com", "", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, `{"message":"Address not found in bounces table"}`, string(body))

	status, body = suppCall(t, srv, http.MethodDelete, "/v3/example.com/bounces", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Bounced addresses for this domain have been removed"}`, string(body))
	assert.Empty(t, srv.Bounces("example.com"))
}

func TestBounceBatchLimit(t *testing.T) {
	srv := mailguntest.NewServer(t)
	batch := func(n int) io.Reader {
		recs := make([]map[string]string, n)
		for i := range recs {
			recs[i] = map[string]string{"address": fmt.Sprintf("u%d@x.io", i)}
		}
		b, err := json.Marshal(recs)
		require.NoError(t, err)
		return bytes.NewReader(b)
	}
	status, body := suppCall(t, srv, http.MethodPost, "/v3/example.com/bounces", "application/json", batch(1000))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.JSONEq(t, `{"message":"Batch size should be less than 1000"}`, string(body))
	assert.Empty(t, srv.Bounces("example.com"))

	status, _ = suppCall(t, srv, http.MethodPost, "/v3/example.com/bounces", "application/json", batch(999))
	assert.Equal(t, http.StatusOK, status)
	assert.Len(t, srv.Bounces("example.com"), 999)
}

func TestBounceImportCSV(t *testing.T) {
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }))
	for name, tc := range map[string]struct {
		csv    string
		status int
		want   []mailgun.Bounce
	}{
		"reference example": {
			csv:    "address,code,error,created_at\nalice@example.com,550,No such mailbox,\"Thu, 13 Oct 2011 18:02:00 +0000\"\nbob@example.com,,,\n",
			status: http.StatusAccepted,
			want: []mailgun.Bounce{
				{Address: "alice@example.com", Code: "550", Error: "No such mailbox", CreatedAt: time.Date(2011, 10, 13, 18, 2, 0, 0, time.UTC)},
				{Address: "bob@example.com", Code: "550", CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
			},
		},
		"address only, BOM, CRLF": {
			csv:    "\ufeffaddress\r\ncarol@example.com\r\n",
			status: http.StatusAccepted,
			want:   []mailgun.Bounce{{Address: "carol@example.com", Code: "550", CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}},
		},
		"columns in another order, short rows": {
			csv:    "Code, Address\n554,dan@example.com\n551\n",
			status: http.StatusAccepted,
			want:   []mailgun.Bounce{{Address: "dan@example.com", Code: "554", CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}},
		},
		"bad rows are skipped": {
			csv:    "address,created_at\nnobody,\nerin@example.com,not a date\nfrank@example.com,\n",
			status: http.StatusAccepted,
			want:   []mailgun.Bounce{{Address: "frank@example.com", Code: "550", CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}},
		},
		"no header":      {csv: "alice@example.com,550\n", status: http.StatusBadRequest},
		"unknown column": {csv: "address,reason\nalice@example.com,x\n", status: http.StatusBadRequest},
		"empty file":     {csv: "", status: http.StatusBadRequest},
		"broken quoting, rows before it stay": {
			csv:    "address\ngina@example.com\n\"open@example.com\n",
			status: http.StatusBadRequest,
			want:   []mailgun.Bounce{{Address: "gina@example.com", Code: "550", CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			domain := strings.NewReplacer(" ", "-", ",", "").Replace(name) + ".example"
			ctype, body := suppMultipart(t, tc.csv)
			status, resp := suppCall(t, srv, http.MethodPost, "/v3/"+domain+"/bounces/import", ctype, body)
			assert.Equal(t, tc.status, status, string(resp))
			if status == http.StatusAccepted {
				assert.JSONEq(t, `{"message":"file uploaded successfully for processing. standby..."}`, string(resp))
			}
			if status == http.StatusBadRequest && !strings.HasPrefix(name, "broken") {
				assert.JSONEq(t, `{"message":"while reading csv header"}`, string(resp))
			}
			got := srv.Bounces(domain)
			require.Len(t, got, len(tc.want))
			for i := range got {
				assert.True(t, tc.want[i].CreatedAt.Equal(got[i].CreatedAt), "%v", got[i].CreatedAt)
				got[i].CreatedAt, tc.want[i].CreatedAt = time.Time{}, time.Time{}
			}
			assert.Equal(t, tc.want, got)
		})
	}

	status, _ := suppCall(t, srv, http.MethodPost, "/v3/example.com/bounces/import", "text/csv", strings.NewReader("address\n"))
	assert.Equal(t, http.StatusBadRequest, status, "not multipart")
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	require.NoError(t, w.WriteField("other", "x"))
	require.NoError(t, w.Close())
	status, body := suppCall(t, srv, http.MethodPost, "/v3/example.com/bounces/import", w.FormDataContentType(), &buf)
	assert.Equal(t, http.StatusBadRequest, status, "no file part")
	assert.Contains(t, string(body), "file")
}

func TestAddBouncesSeeding(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return now }))
	assert.Empty(t, srv.Bounces("example.com"))
	seed := []mailgun.Bounce{{Address: "b@example.com"}, {Address: "a@example.com", Code: "554", Error: "x", CreatedAt: now.Add(-time.Hour)}}
	srv.AddBounces("example.com", seed...)
	assert.Equal(t, mailgun.Bounce{Address: "b@example.com"}, seed[0], "the caller's slice is not modified")
	assert.Equal(t, []mailgun.Bounce{
		{Address: "a@example.com", Code: "554", Error: "x", CreatedAt: now.Add(-time.Hour)},
		{Address: "b@example.com", Code: "550", CreatedAt: now},
	}, srv.Bounces("example.com"))
	assert.Empty(t, srv.Bounces("other.example"))

	// Seeded bounces are what the API serves.
	b, err := srv.Client().Bounces.Get(t.Context(), "example.com", "a@example.com")
	require.NoError(t, err)
	assert.Equal(t, "x", b.Error)
}

func ExampleServer_AddBounces() {
	srv := mailguntest.Start()
	defer srv.Close()
	// Seed what the code under test will find on the bounce list.
	srv.AddBounces("example.com",
		mailgun.Bounce{Address: "gone@example.org", Error: "No such mailbox"},
		mailgun.Bounce{Address: "full@example.org", Code: "552", Error: "Mailbox full"},
	)

	c := srv.Client()
	if err := c.Bounces.Delete(context.Background(), "example.com", "gone@example.org"); err != nil {
		log.Fatal(err)
	}
	for _, b := range srv.Bounces("example.com") {
		fmt.Println(b.Address, b.Code)
	}
	// Output:
	// full@example.org 552
}
