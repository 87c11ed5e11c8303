package main

import (
	"context"
	"flag"
	"fmt"
	"net"

	"github.com/mgkit/mailgun/mailguntest"
)

var fakeAddr string

var fakeCommand = &Command{
	Name:      "fake",
	UsageLine: "fake [--addr 127.0.0.1:8025]",
	Short:     "serve a fake Mailgun API to try commands and clients without an account",
	Long: "Fake serves mailguntest, the SDK's in-memory fake of the Mailgun API, until Ctrl-C.\n" +
		"It keeps suppressions, webhooks, alerts, events and sent messages in memory and\n" +
		"prints the environment that points this command (or any client) at it, e.g.:\n\n" +
		"\tmailgun fake &\n" +
		"\texport MAILGUN_BASE_URL=http://127.0.0.1:8025 MAILGUN_API_KEY=" + mailguntest.DefaultAPIKey + "\n" +
		"\tmailgun bounces export example.com",
	Flags: func(fs *flag.FlagSet, e *env) {
		fs.StringVar(&fakeAddr, "addr", "127.0.0.1:8025", "address to listen on")
	},
	Run: func(ctx context.Context, e *env, args []string) error {
		if len(args) != 0 {
			return usagef("unexpected argument %q", args[0])
		}
		l, err := net.Listen("tcp", fakeAddr)
		if err != nil {
			return err
		}
		srv := mailguntest.Start(mailguntest.WithListener(l))
		defer srv.Close()
		fmt.Fprintf(e.stdout, "mailgun fake: serving the Mailgun API on %s until Ctrl-C\n", srv.URL())
		fmt.Fprintf(e.stdout, "export MAILGUN_BASE_URL=%s MAILGUN_API_KEY=%s\n", srv.URL(), srv.APIKey())
		select {
		case <-e.stop.Done():
		case <-ctx.Done():
		}
		return nil
	},
}
