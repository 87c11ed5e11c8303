package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/mgkit/mailgun"
)

var alertsCommand = &Command{
	Name:  "alerts",
	Short: "list the account's alert settings and threshold alerts",
	Long:  "Read the account's alerts.",
	Commands: []*Command{{
		Name:      "list",
		UsageLine: "alerts list",
		Short:     "print the alert settings and threshold alerts",
		Long: "List prints each alert setting (event type, channel, target, state) and each\n" +
			"threshold alert (name, metric, comparator, limit, dimension, period). Signing keys\n" +
			"and Slack tokens are never printed.",
		Run: func(ctx context.Context, e *env, args []string) error {
			if len(args) != 0 {
				return usagef("unexpected argument %q", args[0])
			}
			return listAlerts(ctx, e)
		},
	}},
}

func listAlerts(ctx context.Context, e *env) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	settings, err := c.Alerts.GetSettings(ctx)
	if err != nil {
		return err
	}
	thresholds, err := c.Alerts.ListSendAlerts(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT\tCHANNEL\tTARGET\tSTATE\tID")
	for _, s := range settings.Events {
		state := "enabled"
		if s.Disabled() {
			state = "disabled since " + s.DisabledAt.UTC().Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.EventType, s.Channel, alertTarget(s.AlertTarget), state, s.ID)
	}
	if len(settings.Events) == 0 {
		fmt.Fprintln(tw, "(no alert settings)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	tw = tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "THRESHOLD ALERT\tMETRIC\tCONDITION\tDIMENSION\tPERIOD")
	for _, a := range thresholds.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t%s\n", a.Name, a.Metric, a.Comparator, a.Limit, a.Dimension, a.Period)
	}
	if len(thresholds.Items) == 0 {
		fmt.Fprintln(tw, "(no threshold alerts)")
	}
	return tw.Flush()
}

func alertTarget(t mailgun.AlertTarget) string {
	switch {
	case t.Settings.URL != "":
		return t.Settings.URL
	case len(t.Settings.Emails) > 0:
		return strings.Join(t.Settings.Emails, ",")
	default:
		return strings.Join(t.Settings.ChannelIDs, ",")
	}
}
