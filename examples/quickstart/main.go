// Command quickstart sends a message and watches what happens to it, then
// walks through the rest of the SDK: errors, suppressions, alerts,
// webhooks, tracking and reporting.
//
// With no MAILGUN_API_KEY it needs no account: it starts the mailguntest
// fake in-process, and nothing leaves the machine.
//
//	go run ./examples/quickstart
//
// The fake accepts the message and its attachment, delivers it within
// milliseconds, lists its events in the Logs API, and POSTs a signed
// "delivered" webhook to a mailgun.WebhookHandler this program serves.
//
// With MAILGUN_API_KEY it talks to the real API (MAILGUN_REGION=us|eu,
// default us; MAILGUN_DOMAIN, default example.com; or MAILGUN_BASE_URL,
// such as a proxy or the fake "mailgun fake" serves) and only reads: it
// sends, creates, changes and deletes nothing. To send the first step's
// message for real, opt in with all three of:
//
//	MAILGUN_QUICKSTART_SEND=1
//	MAILGUN_DOMAIN=mg.example.com         # your sending domain
//	MAILGUN_QUICKSTART_TO=you@example.com # on a sandbox domain, an authorized recipient
//
// It then polls the Logs API for up to three minutes until the message is
// delivered or fails. Mailgun cannot reach a webhook handler on this
// machine; examples/batch-service is one to deploy.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// to is the recipient of the send step; "" against the real API
	// without MAILGUN_QUICKSTART_SEND=1, where nothing is sent.
	to  string
	out io.Writer
	// poll is how often the Logs API is asked about the message, and
	// patience how long to wait for its delivery.
	poll, patience time.Duration
}

// live reports whether the steps run against the real API, where they
// must only read.
func (e *env) live() bool { return e.srv == nil }

// printf writes one line of the program's output.
func (e *env) printf(format string, args ...any) { fmt.Fprintf(e.out, format+"\n", args...) }

type step struct {
	name string
	run  func(ctx context.Context, e *env) error
}

// steps run in order; each file of this program adds the steps of one area.
var steps = []step{
	{"send a message and watch it be delivered", sendStep},
	{"errors you can branch on", errorsStep},
	{"suppressions", suppressionsStep},
	{"alerts", alertsStep},
	{"webhooks and tracking", webhooksStep},
	{"reporting", reportingStep},
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		cancel()
		os.Exit(1)
	}
}

// run sets up the client (a fake, or the real API) and runs every step,
// writing to out.
func run(ctx context.Context, out io.Writer) error {
	e, err := setup(out)
	if err != nil {
		return err
	}
	if e.srv != nil {
		defer e.srv.Close()
	}
	return e.run(ctx)
}

// run runs the steps in order and stops at the first error.
func (e *env) run(ctx context.Context) error {
	for _, s := range steps {
		e.printf("\n== %s", s.name)
		if err := s.run(ctx, e); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	e.printf("\ndone")
	return nil
}

func setup(out io.Writer) (*env, error) {
	key := os.Getenv("MAILGUN_API_KEY")
	if key == "" {
		srv := mailguntest.Start()
		fmt.Fprintf(out, "MAILGUN_API_KEY is not set: using the mailguntest fake at %s\n", srv.URL())
		return &env{c: srv.Client(), srv: srv, domain: "example.com", to: "Alice <alice@example.org>", out: out,
			poll: 10 * time.Millisecond, patience: 10 * time.Second}, nil
	}
	where := mailgun.WithBaseURL(os.Getenv("MAILGUN_BASE_URL"))
	if os.Getenv("MAILGUN_BASE_URL") == "" {
		region, err := mailgun.ParseRegion(os.Getenv("MAILGUN_REGION"))
		if err != nil {
			return nil, err
		}
		where = mailgun.WithRegion(region)
	}
	c, err := mailgun.NewClient(key, where, mailgun.WithUserAgent("quickstart"))
	if err != nil {
		return nil, err
	}
	e := &env{c: c, domain: os.Getenv("MAILGUN_DOMAIN"), out: out, poll: 5 * time.Second, patience: 3 * time.Minute}
	if os.Getenv("MAILGUN_QUICKSTART_SEND") == "1" {
		e.to = os.Getenv("MAILGUN_QUICKSTART_TO")
		if e.domain == "" || e.to == "" {
			return nil, errors.New("MAILGUN_QUICKSTART_SEND=1 needs MAILGUN_DOMAIN (the sending domain) and MAILGUN_QUICKSTART_TO (the recipient)")
		}
	}
	if e.domain == "" {
		e.domain = "example.com"
	}
	mode := "read-only"
	if e.to != "" {
		mode = "read-only but for one message to " + e.to
	}
	fmt.Fprintf(out, "talking to %s (%s) as %v, domain %s\n", c.BaseURL(), mode, c, e.domain)
	return e, nil
}
