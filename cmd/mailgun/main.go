// Command mailgun does an operator's everyday Mailgun chores from a shell:
// export, import and delete suppressions, follow a domain's events, send a
// message, check a captured webhook's signature, list alert settings, show
// a domain's metrics, and serve a fake Mailgun API to try all of it.
//
//	go install github.com/mgkit/mailgun/cmd/mailgun@latest
//	export MAILGUN_API_KEY=key-...   # never a flag, never printed
//	mailgun bounces export example.com > bounces.csv
//
// Credentials come from the environment only: MAILGUN_API_KEY, and
// MAILGUN_REGION (us, the default, or eu). --base-url (or
// MAILGUN_BASE_URL) points the command at another host, such as the fake
// that "mailgun fake" serves. Run "mailgun help" for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mgkit/mailgun"
)

// Command is one subcommand, after the go command's own layout: a usage
// line, help texts, its flags and what it runs. A command with Commands is
// a group ("bounces") whose first argument picks one of them.
type Command struct {
	Name      string
	UsageLine string // after "mailgun "
	Short     string
	Long      string
	// Flags adds the command's flags to fs; it may be nil.
	Flags func(fs *flag.FlagSet, e *env)
	// Run does the work with the arguments left after the flags.
	Run      func(ctx context.Context, e *env, args []string) error
	Commands []*Command
}

// env is what a command runs with: its streams, the environment, and the
// settings of the global flags.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// stop ends when the user asks to stop (the first Ctrl-C): long
	// commands finish the request in flight and return.
	stop    context.Context
	baseURL string
	// progress reports long work on stderr; it is quiet unless stderr is
	// a terminal.
	progress *progress
	now      func() time.Time
}

// usageError is a mistake in the command line; it prints the usage line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// Exit codes.
const (
	exitOK          = 0
	exitError       = 1   // the work failed (an API error, a bad signature)
	exitUsage       = 2   // the command line was wrong
	exitInterrupted = 130 // stopped by Ctrl-C before the work was done
)

// errInterrupted ends work the user stopped; the message says how far it got.
var errInterrupted = errors.New("interrupted")

var commands = []*Command{
	suppressionGroup("bounces", bouncesList),
	suppressionGroup("unsubscribes", unsubscribesList),
	suppressionGroup("complaints", complaintsList),
	suppressionGroup("allowlist", allowlistList),
	sendCommand,
	logsCommand,
	webhooksCommand,
	alertsCommand,
	metricsCommand,
	fakeCommand,
	versionCommand,
}

func main() {
	// The first Ctrl-C asks long commands to stop after the request in
	// flight; the second one cancels it.
	stop, stopNow := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-stop.Done()
		stopNow()
		hard := make(chan os.Signal, 1)
		signal.Notify(hard, os.Interrupt, syscall.SIGTERM)
		<-hard
		cancel()
	}()
	code := run(ctx, stop, os.Args[1:], os.Stdout, os.Stderr, os.Getenv, isTerminal(os.Stderr))
	cancel()
	os.Exit(code)
}

// run is the whole command, testable: it parses args, runs the command
// and returns the exit code. Errors are one line on stderr.
func run(ctx, stop context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, tty bool) int {
	p := newProgress(stderr, tty)
	// Output goes through the progress line's guard, which clears that
	// line first, so a terminal that shows both never mixes them.
	e := &env{stdout: p.guard(stdout), stderr: stderr, getenv: getenv, stop: stop, progress: p, now: time.Now}
	global := flag.NewFlagSet("mailgun", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&e.baseURL, "base-url", getenv("MAILGUN_BASE_URL"), "")
	if err := global.Parse(args); err != nil {
		fmt.Fprintf(stderr, "mailgun: %v\n", err)
		fmt.Fprintln(stderr, "Run 'mailgun help' for usage.")
		return exitUsage
	}
	args = global.Args()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		return help(stdout, stderr, args)
	}
	cmd, rest, path := find(commands, args)
	if cmd == nil {
		fmt.Fprintf(stderr, "mailgun %s: unknown command\nRun 'mailgun help' for usage.\n", strings.Join(path, " "))
		return exitUsage
	}
	if cmd.Run == nil {
		fmt.Fprintf(stderr, "usage: mailgun %s\n", groupUsage(cmd))
		return exitUsage
	}
	fs := flag.NewFlagSet("mailgun "+strings.Join(path, " "), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.baseURL, "base-url", e.baseURL, "")
	if cmd.Flags != nil {
		cmd.Flags(fs, e)
	}
	if err := parseInterspersed(fs, rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(stdout, cmd)
			return exitOK
		}
		fmt.Fprintf(stderr, "mailgun %s: %v\nusage: mailgun %s\n", strings.Join(path, " "), err, cmd.UsageLine)
		return exitUsage
	}
	err := cmd.Run(ctx, e, fs.Args())
	e.progress.done()
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "mailgun %s: %s\nusage: mailgun %s\n", strings.Join(path, " "), ue.msg, cmd.UsageLine)
		return exitUsage
	case errors.Is(err, errInterrupted):
		fmt.Fprintf(stderr, "mailgun %s: %s\n", strings.Join(path, " "), oneLine(err))
		return exitInterrupted
	case ctx.Err() != nil:
		// The second Ctrl-C cancelled the request in flight.
		fmt.Fprintf(stderr, "mailgun %s: interrupted: %s\n", strings.Join(path, " "), oneLine(err))
		return exitInterrupted
	default:
		fmt.Fprintf(stderr, "mailgun %s: %s\n", strings.Join(path, " "), oneLine(err))
		return exitError
	}
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("export example.com --format jsonl").
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			positional = append(positional, rest[1:]...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

// find walks the command tree along args and returns the command, the
// arguments after its name, and the words that named it.
func find(cmds []*Command, args []string) (*Command, []string, []string) {
	var path []string
	for len(args) > 0 {
		var next *Command
		for _, c := range cmds {
			if c.Name == args[0] {
				next = c
			}
		}
		path = append(path, args[0])
		if next == nil {
			return nil, nil, path
		}
		args = args[1:]
		if len(next.Commands) == 0 || len(args) == 0 {
			return next, args, path
		}
		cmds = next.Commands
		if !hasCommand(cmds, args[0]) {
			return next, args, path
		}
	}
	return nil, nil, path
}

func hasCommand(cmds []*Command, name string) bool {
	for _, c := range cmds {
		if c.Name == name {
			return true
		}
	}
	return false
}

// oneLine makes an error fit on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// client builds the API client from the environment. The key is read from
// MAILGUN_API_KEY only, so it never shows in a process list or history.
func (e *env) client() (*mailgun.Client, error) {
	key := e.getenv("MAILGUN_API_KEY")
	if strings.TrimSpace(key) == "" {
		return nil, errors.New("MAILGUN_API_KEY is not set")
	}
	var opts []mailgun.Option
	region := strings.ToLower(strings.TrimSpace(e.getenv("MAILGUN_REGION")))
	switch {
	case e.baseURL != "":
		if region != "" {
			return nil, errors.New("MAILGUN_REGION and --base-url cannot be combined")
		}
		opts = append(opts, mailgun.WithBaseURL(e.baseURL))
	case region == "" || region == "us":
	case region == "eu":
		opts = append(opts, mailgun.WithRegion(mailgun.RegionEU))
	default:
		return nil, fmt.Errorf("MAILGUN_REGION %q is not us or eu", region)
	}
	opts = append(opts, mailgun.WithUserAgent("mailgun-cli"))
	return mailgun.NewClient(key, opts...)
}

// stopped reports whether the user asked to stop.
func (e *env) stopped() bool { return e.stop.Err() != nil }

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
