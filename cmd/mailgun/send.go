package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/mgkit/mailgun"
)

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type sendFlags struct {
	from, subject, text, html, template, textFile, htmlFile string
	to, cc, bcc, attach, tags, vars, headers                listFlag
	testMode                                                bool
}

var sendOpts sendFlags

var sendCommand = &Command{
	Name: "send",
	UsageLine: "send DOMAIN --from ADDR --to ADDR... --subject TEXT (--text TEXT | --html HTML | --template NAME) " +
		"[--attach FILE]... [--tag TAG]... [--var NAME=VALUE]... [--header NAME:VALUE]... [--test-mode]",
	Short: "send one message, with attachments streamed from files",
	Long: "Send sends one message from DOMAIN and prints its Message-Id. --to, --cc, --bcc, --attach,\n" +
		"--tag, --var and --header may be repeated. The body is --text and/or --html (or\n" +
		"--text-file/--html-file to read it from a file), or a stored --template, whose\n" +
		"variables are the --var values. Attachments are read from their files while the\n" +
		"request is sent, never held in memory whole. --test-mode asks Mailgun to accept the\n" +
		"message without delivering it.\n\n" +
		"If the answer is lost after the request may have reached Mailgun, the command says\n" +
		"so, prints the Message-Id to look for (mailgun logs tail DOMAIN), and exits 1: the\n" +
		"message may have gone out, so do not simply send it again.",
	Flags: func(fs *flag.FlagSet, e *env) {
		sendOpts = sendFlags{} // repeated flags start empty on every run
		fs.StringVar(&sendOpts.from, "from", "", `sender, such as "App <app@DOMAIN>"`)
		fs.Var(&sendOpts.to, "to", "recipient (repeatable)")
		fs.Var(&sendOpts.cc, "cc", "copy recipient (repeatable)")
		fs.Var(&sendOpts.bcc, "bcc", "blind copy recipient (repeatable)")
		fs.StringVar(&sendOpts.subject, "subject", "", "subject line")
		fs.StringVar(&sendOpts.text, "text", "", "plain-text body")
		fs.StringVar(&sendOpts.html, "html", "", "HTML body")
		fs.StringVar(&sendOpts.textFile, "text-file", "", "read the plain-text body from this file")
		fs.StringVar(&sendOpts.htmlFile, "html-file", "", "read the HTML body from this file")
		fs.StringVar(&sendOpts.template, "template", "", "name of a stored template")
		fs.Var(&sendOpts.vars, "var", "template variable NAME=VALUE (repeatable)")
		fs.Var(&sendOpts.attach, "attach", "file to attach (repeatable)")
		fs.Var(&sendOpts.tags, "tag", "tag (repeatable, at most 3)")
		fs.Var(&sendOpts.headers, "header", "extra MIME header NAME:VALUE (repeatable)")
		fs.BoolVar(&sendOpts.testMode, "test-mode", false, "accept without delivering")
	},
	Run: func(ctx context.Context, e *env, args []string) error {
		domain, err := oneArg(args, "DOMAIN")
		if err != nil {
			return err
		}
		msg, err := messageFromFlags()
		if err != nil {
			return err
		}
		c, err := e.client()
		if err != nil {
			return err
		}
		res, err := c.Messages.Send(ctx, domain, msg)
		var se *mailgun.SendError
		if errors.Is(err, mailgun.ErrOutcomeUnknown) && errors.As(err, &se) {
			return fmt.Errorf("%w; it may have been sent: look for Message-Id %s (mailgun logs tail %s) before sending again", err, se.MessageID, domain)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "queued %s\n", res.ID)
		return nil
	},
}

// messageFromFlags builds the message; the SDK checks the rest (a
// recipient, a body, the tag count) before anything is sent.
func messageFromFlags() (*mailgun.Message, error) {
	o := &sendOpts
	msg := &mailgun.Message{
		From: o.from, To: o.to, Cc: o.cc, Bcc: o.bcc, Subject: o.subject,
		Text: o.text, HTML: o.html, Template: o.template, Tags: o.tags, TestMode: o.testMode,
	}
	for _, f := range []struct {
		path string
		dst  *string
		name string
	}{{o.textFile, &msg.Text, "--text-file"}, {o.htmlFile, &msg.HTML, "--html-file"}} {
		if f.path == "" {
			continue
		}
		if *f.dst != "" {
			return nil, usagef("%s cannot be combined with the inline body", f.name)
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		*f.dst = string(b)
	}
	for _, v := range o.vars {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return nil, usagef("--var %q is not NAME=VALUE", v)
		}
		if msg.TemplateVariables == nil {
			msg.TemplateVariables = map[string]any{}
		}
		msg.TemplateVariables[name] = value
	}
	for _, h := range o.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, usagef("--header %q is not NAME:VALUE", h)
		}
		if msg.Headers == nil {
			msg.Headers = map[string]string{}
		}
		msg.Headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	for _, path := range o.attach {
		msg.Attachments = append(msg.Attachments, mailgun.FileAttachment(path))
	}
	return msg, nil
}
