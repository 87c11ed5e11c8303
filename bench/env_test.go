package bench

import (
	"context"
	"net/http"
	"os"
	"sync"
	"testing"

	official "github.com/mailgun/mailgun-go/v4"
	"github.com/mgkit/mailgun"
)

// EventsPageSize is the number of events on the benchmarked page.
const EventsPageSize = 300

// env is what every benchmark shares: one server, one *http.Client, and a
// client of each kind on top of it. It is built once per test binary.
type env struct {
	srv        *Server
	baseline   *Baseline
	sdk        *mailgun.Client // DefaultRetryPolicy
	sdkNoRetry *mailgun.Client // WithMaxRetries(0)
	official   *official.MailgunImpl
	hc         *http.Client
}

var (
	envOnce sync.Once
	theEnv  *env
	envErr  error
)

func setupEnv() (*env, error) {
	envOnce.Do(func() {
		shapes, err := EventShapes("../testdata/examples/events")
		if err != nil {
			envErr = err
			return
		}
		srv, err := NewServer(func(host string) ([]byte, error) { return EventsPage(shapes, EventsPageSize, host) })
		if err != nil {
			envErr = err
			return
		}
		hc := NewHTTPClient()
		e := &env{srv: srv, baseline: NewBaseline(hc, srv.URL), hc: hc}
		if e.sdk, err = NewSDK(hc, srv.URL); err == nil {
			e.sdkNoRetry, err = NewSDK(hc, srv.URL, mailgun.WithMaxRetries(0))
		}
		if err != nil {
			srv.Close()
			envErr = err
			return
		}
		e.official = NewOfficial(hc, srv.URL, Domain)
		theEnv = e
	})
	return theEnv, envErr
}

func getEnv(tb testing.TB) *env {
	tb.Helper()
	e, err := setupEnv()
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func TestMain(m *testing.M) {
	code := m.Run()
	if theEnv != nil {
		theEnv.srv.Close()
	}
	os.Exit(code)
}

// loop runs fn once untimed (to warm the connection and check the result),
// then b.Loop times.
func loop(b *testing.B, fn func() error) {
	b.Helper()
	if err := fn(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
}

var bg = context.Background()
