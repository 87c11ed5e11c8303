package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/mgkit/mailgun"
)

var metricsOpts struct {
	since      time.Duration
	resolution string
}

// metricsColumns are the counts the table shows, in order.
var metricsColumns = []struct {
	title  string
	metric mailgun.Metric
}{
	{"ACCEPTED", mailgun.MetricAcceptedCount},
	{"DELIVERED", mailgun.MetricDeliveredCount},
	{"TEMP FAIL", mailgun.MetricTemporaryFailedCount},
	{"PERM FAIL", mailgun.MetricPermanentFailedCount},
	{"OPENED", mailgun.MetricOpenedCount},
	{"CLICKED", mailgun.MetricClickedCount},
	{"UNSUBSCRIBED", mailgun.MetricUnsubscribedCount},
	{"COMPLAINED", mailgun.MetricComplainedCount},
}

var metricsCommand = &Command{
	Name:      "metrics",
	UsageLine: "metrics DOMAIN [--since 24h] [--resolution hour|day|month]",
	Short:     "print a domain's sending counts as a small table",
	Long: "Metrics prints the domain's counts (accepted, delivered, failed, opened, clicked,\n" +
		"unsubscribed, complained) for the period that ends now, one row per hour, day or month,\n" +
		"and a total row. The resolution defaults to hour up to 48h and day beyond.",
	Flags: func(fs *flag.FlagSet, e *env) {
		fs.DurationVar(&metricsOpts.since, "since", 24*time.Hour, "the period before now")
		fs.StringVar(&metricsOpts.resolution, "resolution", "", "hour, day or month")
	},
	Run: func(ctx context.Context, e *env, args []string) error {
		domain, err := oneArg(args, "DOMAIN")
		if err != nil {
			return err
		}
		return printMetrics(ctx, e, domain, e.now())
	},
}

func printMetrics(ctx context.Context, e *env, domain string, now time.Time) error {
	if metricsOpts.since <= 0 {
		return usagef("--since must be positive")
	}
	res := mailgun.Resolution(metricsOpts.resolution)
	switch {
	case res == "" && metricsOpts.since <= 48*time.Hour:
		res = mailgun.ResolutionHour
	case res == "":
		res = mailgun.ResolutionDay
	case res != mailgun.ResolutionHour && res != mailgun.ResolutionDay && res != mailgun.ResolutionMonth:
		return usagef("--resolution %q is not hour, day or month", metricsOpts.resolution)
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	q := mailgun.MetricsQuery{
		Start: now.Add(-metricsOpts.since), End: now, Resolution: res,
		Dimensions:        []mailgun.Dimension{mailgun.DimensionTime},
		Filter:            []mailgun.FilterPredicate{mailgun.FilterDomain.Is(domain)},
		IncludeAggregates: true,
		Sort:              "time:asc",
	}
	for _, col := range metricsColumns {
		q.Metrics = append(q.Metrics, col.metric)
	}
	layout := map[mailgun.Resolution]string{mailgun.ResolutionHour: "2006-01-02 15:04", mailgun.ResolutionDay: "2006-01-02", mailgun.ResolutionMonth: "2006-01"}[res]
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "TIME (UTC)\t")
	for _, col := range metricsColumns {
		fmt.Fprintf(tw, "%s\t", col.title)
	}
	fmt.Fprintln(tw)
	totals := make([]int64, len(metricsColumns))
	for item, err := range c.Metrics.QueryAll(ctx, q) {
		if err != nil {
			_ = tw.Flush()
			return err
		}
		label := "?"
		if d, ok := item.Dimension(mailgun.DimensionTime); ok {
			label = d.Value
			if t, err := d.Time(); err == nil {
				label = t.UTC().Format(layout)
			}
		}
		row := make([]int64, len(metricsColumns))
		for i, col := range metricsColumns {
			row[i] = item.Metrics.Count(col.metric)
			totals[i] += row[i]
		}
		printMetricsRow(tw, label, row)
	}
	printMetricsRow(tw, "TOTAL", totals)
	return tw.Flush()
}

func printMetricsRow(tw *tabwriter.Writer, label string, row []int64) {
	fmt.Fprintf(tw, "%s\t", label)
	for _, n := range row {
		fmt.Fprintf(tw, "%d\t", n)
	}
	fmt.Fprintln(tw)
}
