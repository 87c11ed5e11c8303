// Command batch-service sends a templated newsletter to a batch of
// recipients, one copy each, and records from Mailgun's webhooks whether
// each was delivered or failed. It serves:
//
//	POST /webhooks/mailgun  the delivered and permanent_fail webhooks (mailgun.WebhookHandler)
//	GET  /status            each recipient's state, as JSON
//
// With no MAILGUN_API_KEY it runs a demo against the mailguntest fake and
// needs no account: six recipients, two of them on the bounce list and one
// whose mailbox does not exist; it prints the status page once every
// outcome is in, and exits.
//
//	go run ./examples/batch-service
//
// Against the real API it sends to the recipients given as arguments,
// then serves until interrupted:
//
//	MAILGUN_API_KEY=key-... MAILGUN_DOMAIN=mg.example.com \
//	MAILGUN_WEBHOOK_SIGNING_KEY=... \
//	go run ./examples/batch-service -addr :8080 -public-url https://hooks.example.com \
//		'Ann <ann@example.org>' bob@example.net
//
// MAILGUN_REGION=eu picks the EU region (or MAILGUN_BASE_URL another base
// URL). MAILGUN_WEBHOOK_SIGNING_KEY is the account's HTTP webhook signing
// key, shown in the dashboard.
// With -public-url, the URL at which Mailgun reaches -addr, the service
// registers <public-url>/webhooks/mailgun as the domain's webhook for
// delivered and permanent_fail events; without it, register that URL
// yourself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func main() {
	addr := flag.String("addr", ":8080", "address to serve on (real API only; the demo picks a free port)")
	publicURL := flag.String("public-url", "", "the URL at which Mailgun reaches -addr; registers the webhook")
	month := flag.String("month", time.Now().Format("January"), "the newsletter's month")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if os.Getenv("MAILGUN_API_KEY") == "" {
		err = demo(ctx, os.Stdout, *month)
	} else {
		err = serve(ctx, os.Stdout, *addr, *publicURL, *month, flag.Args())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "batch-service:", err)
		stop()
		os.Exit(1)
	}
}

// serve sends the newsletter through the real API and serves the webhooks
// and the status page until ctx ends.
func serve(ctx context.Context, out io.Writer, addr, publicURL, month string, to []string) error {
	domain, signingKey := os.Getenv("MAILGUN_DOMAIN"), os.Getenv("MAILGUN_WEBHOOK_SIGNING_KEY")
	if domain == "" || signingKey == "" || len(to) == 0 {
		return errors.New("against the real API, set MAILGUN_DOMAIN and MAILGUN_WEBHOOK_SIGNING_KEY, and give the recipients as arguments")
	}
	c, err := client()
	if err != nil {
		return err
	}
	t := newTracker()
	base, stop, err := listen(addr, newMux(t, signingKey, time.Now))
	if err != nil {
		return err
	}
	defer stop()
	if publicURL != "" {
		if err := registerWebhook(ctx, c, domain, strings.TrimSuffix(publicURL, "/")+"/webhooks/mailgun"); err != nil {
			return fmt.Errorf("registering the webhook: %w", err)
		}
	}
	res, err := sendNewsletter(ctx, c, t, domain, month, to)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "sent %d recipients in %d request(s); status at %s/status\n", len(to), len(res.Parts), base)
	<-ctx.Done()
	return nil
}

// listen serves h on addr and returns its base URL and a function that
// stops it.
func listen(addr string, h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// client returns a client for the real API, in MAILGUN_REGION or at
// MAILGUN_BASE_URL.
func client() (*mailgun.Client, error) {
	if base := os.Getenv("MAILGUN_BASE_URL"); base != "" {
		return mailgun.NewClient(os.Getenv("MAILGUN_API_KEY"), mailgun.WithBaseURL(base), mailgun.WithUserAgent("batch-service-example"))
	}
	region, err := mailgun.ParseRegion(os.Getenv("MAILGUN_REGION"))
	if err != nil {
		return nil, err
	}
	return mailgun.NewClient(os.Getenv("MAILGUN_API_KEY"), mailgun.WithRegion(region), mailgun.WithUserAgent("batch-service-example"))
}

// demoRecipients are the demo's batch; see demo for what happens to each.
var demoRecipients = []string{
	"Ann <ann@example.org>", "Bob <bob@example.net>", "Carol <carol@example.com>",
	"Dan <dan@example.org>", "Erin <erin@example.net>", "Frank <frank@example.com>",
}

// demo runs the service against a mailguntest fake in this process: Bob
// and Erin are on the bounce list, so Mailgun does not even try them;
// Carol's mailbox does not exist, so her delivery bounces; the others are
// delivered. It writes the status page to out once no recipient is queued.
func demo(ctx context.Context, out io.Writer, month string) error {
	const domain = "example.com"
	fake := mailguntest.Start()
	defer fake.Close()
	fake.AddBounces(domain, mailgun.Bounce{Address: "bob@example.net"}, mailgun.Bounce{Address: "erin@example.net"})
	fake.SetRecipientRule("carol@example.com", mailguntest.RecipientRule{Bounce: true})
	c := fake.Client()

	t := newTracker()
	base, stop, err := listen("127.0.0.1:0", newMux(t, fake.WebhookSigningKey(), time.Now))
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(out, "no MAILGUN_API_KEY: a mailguntest fake at %s sends; the service is at %s\n", fake.URL(), base)

	if err := registerWebhook(ctx, c, domain, base+"/webhooks/mailgun"); err != nil {
		return err
	}
	res, err := sendNewsletter(ctx, c, t, domain, month, demoRecipients)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "sent the %s newsletter to %d recipients in %d request(s)\n", month, len(demoRecipients), len(res.Parts))

	// The fake delivers within milliseconds; wait for the webhooks.
	for deadline := time.Now().Add(10 * time.Second); t.page().Counts[stateQueued] > 0; {
		if time.Now().After(deadline) {
			return errors.New("some webhooks did not come within 10 seconds")
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.Get(base + "/status")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	fmt.Fprintf(out, "GET %s/status:\n", base)
	_, err = io.Copy(out, resp.Body)
	return err
}
