package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

var logsCommand = &Command{
	Name:  "logs",
	Short: "follow a domain's events as they are stored",
	Long:  "Follow the events of a domain.",
	Commands: []*Command{{
		Name:      "tail",
		UsageLine: "logs tail DOMAIN [--event TYPE] [--recipient ADDRESS] [--since 1h] [--threshold 30m] [--json]",
		Short:     "print new events until Ctrl-C",
		Long: "Tail follows the domain's events with the SDK's reliable poller: it asks for an\n" +
			"ascending range and prints a page once its newest event is older than --threshold,\n" +
			"because Mailgun stores events out of order; so each event shows up about that long\n" +
			"after it happened, and none is missed or printed twice. A smaller threshold shows\n" +
			"events sooner at the risk of missing late ones. Each event is one readable line, or\n" +
			"its JSON with --json. Ctrl-C stops after the request in flight.",
		Flags: func(fs *flag.FlagSet, e *env) {
			fs.StringVar(&tailOpts.event, "event", "", "only events of this type (delivered, failed, opened, ...)")
			fs.StringVar(&tailOpts.recipient, "recipient", "", "only events about this recipient")
			fs.DurationVar(&tailOpts.since, "since", 0, "start this long ago (default: the threshold)")
			fs.DurationVar(&tailOpts.threshold, "threshold", mailgun.DefaultPollThreshold, "how old a page's newest event must be before it is printed")
			fs.DurationVar(&tailOpts.interval, "interval", 5*time.Second, "wait between requests once caught up")
			fs.BoolVar(&tailOpts.json, "json", false, "print each event as a JSON line")
		},
		Run: func(ctx context.Context, e *env, args []string) error {
			domain, err := oneArg(args, "DOMAIN")
			if err != nil {
				return err
			}
			return tail(ctx, e, domain, tailOpts)
		},
	}},
}

type tailOptions struct {
	event, recipient           string
	since, threshold, interval time.Duration
	json                       bool
}

var tailOpts tailOptions

func tail(ctx context.Context, e *env, domain string, o tailOptions) error {
	if o.threshold <= 0 || o.interval <= 0 || o.since < 0 {
		return usagef("--threshold and --interval must be positive and --since not negative")
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	// The request in flight finishes when the user asks to stop: only
	// the poller's waits watch e.stop.
	//lint:ignore SA1019 Events.Poll is the SDK's one reliable poller; the Logs API has no polling recipe yet.
	opts := &mailgun.PollOptions{Threshold: o.threshold, Interval: o.interval, Clock: stopClock{e.stop}}
	opts.Event, opts.Recipient = mailgun.EventName(o.event), o.recipient
	if o.since > 0 {
		opts.Begin = e.now().Add(-o.since)
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	for ev, err := range c.Events.Poll(ctx, domain, opts) {
		if err != nil {
			// Poll goes on after a failed request; say so on stderr.
			fmt.Fprintf(e.stderr, "mailgun logs tail: %s (retrying)\n", oneLine(err))
			continue
		}
		if o.json {
			_, _ = out.Write(ev.Raw)
			_ = out.WriteByte('\n')
		} else {
			writeEventLine(out, ev)
		}
		if err := out.Flush(); err != nil {
			return err
		}
		e.progress.add("events", 1)
		if e.stopped() {
			break
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

// writeEventLine prints an event as "time event recipient message-id detail".
func writeEventLine(w io.Writer, ev mailgun.Event) {
	id := ""
	if ev.Message != nil {
		id = ev.Message.Headers.MessageID
	}
	var detail []string
	if ev.Severity != "" {
		detail = append(detail, string(ev.Severity))
	}
	if ev.Reason != "" {
		detail = append(detail, ev.Reason)
	}
	if ev.DeliveryStatus != nil && ev.DeliveryStatus.Message != "" {
		detail = append(detail, fmt.Sprintf("%d %s", ev.DeliveryStatus.Code, ev.DeliveryStatus.Message))
	}
	if ev.URL != "" {
		detail = append(detail, ev.URL)
	}
	fmt.Fprintf(w, "%s  %-12s  %s  <%s>", ev.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z"), ev.Event, ev.Recipient, id)
	if len(detail) > 0 {
		fmt.Fprintf(w, "  %s", strings.Join(detail, "; "))
	}
	fmt.Fprintln(w)
}

// stopClock is the poller's clock: real time, with waits that also end
// when the user asks to stop.
type stopClock struct{ stop context.Context }

func (stopClock) Now() time.Time { return time.Now() }

func (s stopClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stop.Done():
		return s.stop.Err()
	}
}
