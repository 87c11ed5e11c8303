package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

var verifyOpts struct {
	body   string
	alert  bool
	xSign  string
	maxAge time.Duration
}

var webhooksCommand = &Command{
	Name:  "webhooks",
	Short: "check the signature of a captured webhook",
	Long:  "Work with webhooks Mailgun sent.",
	Commands: []*Command{{
		Name:      "verify",
		UsageLine: "webhooks verify [--body FILE] [--alert --x-sign HEX] [--max-age 0]",
		Short:     "check a captured webhook's signature with the key from the environment",
		Long: "Verify reads a captured webhook from --body FILE, or from stdin: either the body alone,\n" +
			"or a whole HTTP request as a proxy or \"nc -l\" captured it (request line, headers, body).\n\n" +
			"A send webhook (domain or account) carries its signature in the body's \"signature\"\n" +
			"object; it is checked with MAILGUN_WEBHOOK_SIGNING_KEY. A captured webhook is usually\n" +
			"older than the 5 minutes a live handler accepts, so the timestamp is only checked\n" +
			"with --max-age.\n\n" +
			"An alert webhook (--alert) is signed in its X-Sign header, taken from the captured\n" +
			"request or from --x-sign; it is checked with MAILGUN_ALERT_SIGNING_KEY.\n\n" +
			"It prints \"valid\" and exits 0, or says why not and exits 1. Keys are never printed.",
		Flags: func(fs *flag.FlagSet, e *env) {
			fs.StringVar(&verifyOpts.body, "body", "-", "file holding the body or the whole request; - for stdin")
			fs.BoolVar(&verifyOpts.alert, "alert", false, "an alert webhook (X-Sign header) instead of a send webhook")
			fs.StringVar(&verifyOpts.xSign, "x-sign", "", "the alert's X-Sign header, when the capture has no headers")
			fs.DurationVar(&verifyOpts.maxAge, "max-age", 0, "also require the send webhook's timestamp to be this recent (0: any age)")
		},
		Run: func(ctx context.Context, e *env, args []string) error {
			if len(args) != 0 {
				return usagef("unexpected argument %q", args[0])
			}
			return verifyWebhook(e)
		},
	}},
}

func verifyWebhook(e *env) error {
	var in io.Reader = os.Stdin
	if verifyOpts.body != "-" {
		f, err := os.Open(verifyOpts.body)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	raw, err := io.ReadAll(io.LimitReader(in, 32<<20))
	if err != nil {
		return err
	}
	body, header := splitCapture(raw)
	if verifyOpts.alert {
		key := e.getenv("MAILGUN_ALERT_SIGNING_KEY")
		if key == "" {
			return errors.New("MAILGUN_ALERT_SIGNING_KEY is not set")
		}
		sign := verifyOpts.xSign
		if sign == "" {
			sign = header.Get(mailgun.AlertSignatureHeader)
		}
		if err := mailgun.VerifyAlertSignature(key, body, sign); err != nil {
			return fmt.Errorf("invalid: %w", err)
		}
		fmt.Fprintln(e.stdout, "valid")
		return nil
	}
	key := e.getenv("MAILGUN_WEBHOOK_SIGNING_KEY")
	if key == "" {
		return errors.New("MAILGUN_WEBHOOK_SIGNING_KEY is not set")
	}
	var payload struct {
		Signature *mailgun.WebhookSignature `json:"signature"`
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		return fmt.Errorf("the body is not a send webhook's JSON: %w", err)
	}
	if payload.Signature == nil {
		return errors.New(`the body has no "signature" object (an alert webhook? use --alert)`)
	}
	window := verifyOpts.maxAge
	if window <= 0 {
		window = 100 * 365 * 24 * time.Hour
	}
	if err := mailgun.VerifyWebhookSignature(key, *payload.Signature, mailgun.WithTimestampWindow(window)); err != nil {
		return fmt.Errorf("invalid: %w", err)
	}
	fmt.Fprintln(e.stdout, "valid")
	return nil
}

// splitCapture separates a captured HTTP request into its body and
// headers; anything that does not start with a request line is a body.
func splitCapture(raw []byte) ([]byte, http.Header) {
	first, _, _ := bytes.Cut(raw, []byte("\n"))
	if f := strings.Fields(string(first)); len(f) != 3 || !strings.HasPrefix(f[2], "HTTP/") {
		return raw, http.Header{}
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return raw, http.Header{}
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return raw, http.Header{}
	}
	return body, req.Header
}
