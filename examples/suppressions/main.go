// Command suppressions exports a domain's bounce list to CSV and imports an
// allowlist from CSV.
//
//	go run ./examples/suppressions -domain example.com -out bounces.csv -allowlist allowlist.csv
//
// The exported file has the header row "address,code,error,created_at" and
// dates with numeric offsets, so it can be imported again with
// BouncesService.Import. The allowlist file needs the header row
// "address,domain" and fills one of the two columns per row.
//
// With no MAILGUN_API_KEY it runs against the mailguntest fake, seeded with
// a few bounces, and imports a sample allowlist unless -allowlist is given.
// With MAILGUN_API_KEY (and MAILGUN_REGION=us|eu) it exports the real list,
// and changes the allowlist only when -allowlist is given.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// rfc2822 is how the export writes dates: what the import expects, with a
// numeric offset.
const rfc2822 = "Mon, 2 Jan 2006 15:04:05 -0700"

// sampleAllowlist is imported into the fake when no file is given.
const sampleAllowlist = "address,domain\nqa+inbox@example.org,\n,test.example.org\n"

func main() {
	domain := flag.String("domain", envOr("MAILGUN_DOMAIN", "example.com"), "sending domain")
	out := flag.String("out", "-", `file to write the bounces CSV to ("-" for stdout)`)
	allowlist := flag.String("allowlist", "", "allowlist CSV to import (address,domain)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *domain, *out, *allowlist); err != nil {
		fmt.Fprintln(os.Stderr, "suppressions:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, domain, out, allowlist string) error {
	c, srv, err := client()
	if err != nil {
		return err
	}
	if srv != nil {
		defer srv.Close()
		srv.AddBounces(domain,
			mailgun.Bounce{Address: "alice@example.org", Code: "550", Error: "5.1.1 No such mailbox"},
			mailgun.Bounce{Address: "bob+news@example.org", Code: "552", Error: "Mailbox full, over quota"},
			mailgun.Bounce{Address: "carol@example.org"},
		)
	}

	w, closeOut, err := create(out)
	if err != nil {
		return err
	}
	n, err := exportBounces(ctx, c, domain, w)
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("exporting bounces: %w", err)
	}
	fmt.Fprintf(os.Stderr, "exported %d bounces of %s to %s\n", n, domain, out)

	switch {
	case allowlist != "":
		f, err := os.Open(allowlist)
		if err != nil {
			return err
		}
		defer f.Close()
		// An *os.File can be rewound, so the upload is retried after a 429.
		if err := c.Allowlist.Import(ctx, domain, f); err != nil {
			return fmt.Errorf("importing %s: %w", allowlist, err)
		}
		fmt.Fprintf(os.Stderr, "uploaded %s; Mailgun imports it in the background\n", allowlist)
	case srv != nil:
		if err := c.Allowlist.Import(ctx, domain, strings.NewReader(sampleAllowlist)); err != nil {
			return fmt.Errorf("importing the sample allowlist: %w", err)
		}
		fmt.Fprintln(os.Stderr, "imported the sample allowlist")
	default:
		return nil
	}
	if srv == nil {
		return nil
	}
	for e, err := range c.Allowlist.List(ctx, domain, nil) {
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "allowlisted %s %s\n", e.Type, e.Value)
	}
	return nil
}

// exportBounces writes every bounce of domain as CSV, one page in memory at a time.
func exportBounces(ctx context.Context, c *mailgun.Client, domain string, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"address", "code", "error", "created_at"}); err != nil {
		return 0, err
	}
	n := 0
	for b, err := range c.Bounces.List(ctx, domain, &mailgun.ListOptions{Limit: 1000}) {
		if err != nil {
			return n, err
		}
		created := ""
		if !b.CreatedAt.IsZero() {
			created = b.CreatedAt.Format(rfc2822)
		}
		if err := cw.Write([]string{b.Address, b.Code, b.Error, created}); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, cw.Error()
}

// client returns a client for the real API, or for a fake it started.
func client() (*mailgun.Client, *mailguntest.Server, error) {
	key := os.Getenv("MAILGUN_API_KEY")
	if key == "" {
		srv := mailguntest.Start()
		fmt.Fprintf(os.Stderr, "MAILGUN_API_KEY is not set: using the mailguntest fake at %s\n", srv.URL())
		return srv.Client(), srv, nil
	}
	region, err := mailgun.ParseRegion(os.Getenv("MAILGUN_REGION"))
	if err != nil {
		return nil, nil, err
	}
	c, err := mailgun.NewClient(key, mailgun.WithRegion(region), mailgun.WithUserAgent("suppressions-example"))
	return c, nil, err
}

// create opens path for writing, or stdout for "-".
func create(path string) (io.Writer, func() error, error) {
	if path == "-" {
		return os.Stdout, func() error { return nil }, nil
	}
	if path == "" {
		return nil, nil, errors.New("-out is empty")
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
