// Command quickstart walks through what the SDK can do.
//
// With no MAILGUN_API_KEY it starts the mailguntest fake in-process and
// needs no account:
//
//	go run ./examples/quickstart
//
// With MAILGUN_API_KEY (and optionally MAILGUN_REGION=us|eu and
// MAILGUN_DOMAIN) it talks to the real API and only reads.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// env is what every step gets.
type env struct {
	c      *mailgun.Client
	srv    *mailguntest.Server // nil against the real API
	domain string
}

// live reports whether the steps run against the real API, where they must only read.
func (e *env) live() bool { return e.srv == nil }

type step struct {
	name string
	run  func(ctx context.Context, e *env) error
}

// steps run in order; each file of this program adds the steps of one area.
var steps = []step{
	{"errors you can branch on", errorsStep},
	{"bounces: add, list, remove", bouncesStep},
	{"allowlist: add, list, remove", allowlistStep},
	{"alerts and a verified alert webhook", alertsStep},
	{"threshold alerts", thresholdAlertsStep},
	{"account webhooks", accountWebhookStep},
	{"click tracking", clickTrackingStep},
	{"verified send webhooks", signedWebhookStep},
	{"seed events", seedEventsStep},
	{"page through events and logs", pageEventsStep},
	{"totals from Stats and Metrics", totalsStep},
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e, closeFn, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
	defer closeFn()
	for _, s := range steps {
		fmt.Printf("\n== %s\n", s.name)
		if err := s.run(ctx, e); err != nil {
			fmt.Fprintf(os.Stderr, "quickstart: %s: %v\n", s.name, err)
			closeFn()
			os.Exit(1)
		}
	}
	fmt.Println("\ndone")
}

func setup() (*env, func(), error) {
	key := os.Getenv("MAILGUN_API_KEY")
	if key == "" {
		srv := mailguntest.Start()
		fmt.Printf("MAILGUN_API_KEY is not set: using the mailguntest fake at %s\n", srv.URL())
		return &env{c: srv.Client(), srv: srv, domain: "example.com"}, srv.Close, nil
	}
	region, err := mailgun.ParseRegion(os.Getenv("MAILGUN_REGION"))
	if err != nil {
		return nil, nil, err
	}
	c, err := mailgun.NewClient(key, mailgun.WithRegion(region), mailgun.WithUserAgent("quickstart"))
	if err != nil {
		return nil, nil, err
	}
	domain := os.Getenv("MAILGUN_DOMAIN")
	if domain == "" {
		domain = "example.com"
	}
	fmt.Printf("talking to %s (read-only) as %v, domain %s\n", c.BaseURL(), c, domain)
	return &env{c: c, domain: domain}, func() {}, nil
}
