package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

const helpHeader = `mailgun does everyday Mailgun chores from a shell.

Credentials come from the environment, never from flags:
	MAILGUN_API_KEY   the account's private API key (required)
	MAILGUN_REGION    us (default) or eu
	MAILGUN_BASE_URL  another host, such as "mailgun fake" (or --base-url)

Usage:

	mailgun [--base-url URL] <command> [arguments]

The commands are:
`

// help prints the overview, or the help of the command named in args[1:].
func help(stdout, stderr io.Writer, args []string) int {
	if len(args) > 1 {
		cmd, rest, path := find(commands, args[1:])
		if cmd == nil || len(rest) > 0 {
			fmt.Fprintf(stderr, "mailgun help %s: unknown command\n", strings.Join(path, " "))
			return exitUsage
		}
		printCommandHelp(stdout, cmd)
		return exitOK
	}
	fmt.Fprint(stdout, helpHeader)
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "\t%s\t%s\n", c.Name, c.Short)
	}
	_ = tw.Flush()
	fmt.Fprintln(stdout, "\nUse \"mailgun help <command>\" for more about a command.")
	return exitOK
}

func printCommandHelp(w io.Writer, c *Command) {
	if len(c.Commands) > 0 {
		fmt.Fprintf(w, "usage: mailgun %s\n\n%s\n", groupUsage(c), strings.TrimSpace(c.Long))
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw)
		for _, sub := range c.Commands {
			fmt.Fprintf(tw, "\tmailgun %s\t%s\n", sub.UsageLine, sub.Short)
		}
		_ = tw.Flush()
		return
	}
	fmt.Fprintf(w, "usage: mailgun %s\n\n%s\n", c.UsageLine, strings.TrimSpace(c.Long))
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	if c.Flags != nil {
		c.Flags(fs, &env{})
	}
	var flags strings.Builder
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", flags.String())
	}
}

func groupUsage(c *Command) string {
	names := make([]string, len(c.Commands))
	for i, sub := range c.Commands {
		names[i] = sub.Name
	}
	return c.Name + " " + strings.Join(names, "|") + " ..."
}
