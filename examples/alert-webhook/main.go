// Command alert-webhook receives Mailgun alert webhooks: it verifies the
// X-Sign header with the account's alert signing key, decodes the alert and
// logs it, answering Mailgun's reachability GET with 200.
//
// Against a real account, give it the signing key (GET /v1/alerts/settings,
// or the dashboard) or an API key to read it with, and a public URL that
// reaches -addr:
//
//	MAILGUN_ALERT_SIGNING_KEY=... go run ./examples/alert-webhook -addr :8080
//	MAILGUN_API_KEY=... MAILGUN_REGION=eu go run ./examples/alert-webhook
//
// With neither variable set it runs a demo against the mailguntest fake:
// it registers itself as the webhook of an ip_listed alert, lets the fake
// deliver one signed alert, and exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stdout, nil)))
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "alert-webhook:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	key := os.Getenv("MAILGUN_ALERT_SIGNING_KEY")
	if key == "" && os.Getenv("MAILGUN_API_KEY") != "" {
		var err error
		if key, err = keyFromAccount(ctx); err != nil {
			return err
		}
	}
	if key == "" {
		return demo(ctx)
	}
	srv := &http.Server{Addr: addr, Handler: newMux(key, newDedup()), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	slog.Info("listening for alert webhooks", "addr", addr, "path", "/mailgun/alerts")
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// keyFromAccount reads the alert signing key with the API key.
func keyFromAccount(ctx context.Context) (string, error) {
	region, err := mailgun.ParseRegion(os.Getenv("MAILGUN_REGION"))
	if err != nil {
		return "", err
	}
	c, err := mailgun.NewClient(os.Getenv("MAILGUN_API_KEY"), mailgun.WithRegion(region), mailgun.WithUserAgent("alert-webhook-example"))
	if err != nil {
		return "", err
	}
	s, err := c.Alerts.GetSettings(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the alert signing key: %w", err)
	}
	if s.WebhookSigningKey == "" {
		return "", errors.New("the account has no alert signing key; set MAILGUN_ALERT_SIGNING_KEY")
	}
	return string(s.WebhookSigningKey), nil
}

// newMux serves the alert handler at /mailgun/alerts.
func newMux(signingKey string, seen *dedup) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/mailgun/alerts", mailgun.AlertWebhookHandler(signingKey, func(ctx context.Context, wh *mailgun.AlertWebhook) error {
		d := wh.EventData
		if d.ID != "" && seen.add(d.ID) {
			return nil // a retry of an alert already handled
		}
		switch {
		case d.IP != "":
			slog.InfoContext(ctx, "IP blocklist alert", "event", d.Event, "ip", d.IP, "blocklist", d.Blocklist)
		case d.BulkValidationJob != nil:
			j := d.BulkValidationJob
			slog.InfoContext(ctx, "bulk validation alert", "list", j.ListID, "status", j.Status, "deliverable", j.Summary.Result.Deliverable)
		default:
			slog.InfoContext(ctx, "alert", "event", d.Event, "message", d.Message, "raw", string(d.Raw))
		}
		return nil
	}, mailgun.WithMaxBodyBytes(256<<10)))
	return mux
}

// dedup remembers the IDs of handled alerts, so Mailgun's retries are not
// handled twice. A real service would keep them in its database.
type dedup struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

func newDedup() *dedup { return &dedup{ids: map[string]struct{}{}} }

// add records id and reports whether it had been seen.
func (d *dedup) add(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.ids[id]; ok {
		return true
	}
	d.ids[id] = struct{}{}
	return false
}

// demo runs the receiver on a free local port against mailguntest.
func demo(ctx context.Context) error {
	fake := mailguntest.Start()
	defer fake.Close()
	c := fake.Client()
	settings, err := c.Alerts.GetSettings(ctx)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newMux(string(settings.WebhookSigningKey), newDedup()), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/mailgun/alerts"
	fmt.Println("demo: no MAILGUN_ALERT_SIGNING_KEY or MAILGUN_API_KEY; receiving at", url)

	if _, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel(url)); err != nil {
		return fmt.Errorf("creating the alert (the fake GETs the URL first): %w", err)
	}
	alert := map[string]string{
		"id": "927156bd-0000-0000-0000-38100897278d", "event": "ip_listed", "ip": "192.0.2.10",
		"blocklist": "Spamhaus", "message": "IP 192.0.2.10 was blocklisted by Spamhaus",
	}
	for range 2 { // the second delivery plays a retry and is skipped
		if err := fake.DeliverAlert(ctx, url, alert); err != nil {
			return err
		}
	}
	fmt.Println("demo: delivered one alert twice; it was verified and logged once")
	return nil
}
