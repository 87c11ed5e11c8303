package main

//lint:file-ignore SA1019 the quickstart shows the deprecated Events and Stats APIs next to Metrics and Logs.

import (
	"context"
	"time"

	"github.com/mgkit/mailgun"
)

// reportingStep reads the last day back: the newest events, how many
// items the Logs API has, and the totals of Stats and Metrics.
func reportingStep(ctx context.Context, e *env) error {
	since := time.Now().Add(-24 * time.Hour)
	page, err := e.c.Events.ListPage(ctx, e.domain, &mailgun.EventsQuery{Begin: since, Limit: 5})
	if err != nil {
		return err
	}
	e.printf("newest events (a page of %d; page.Next resumes):", len(page.Items))
	for _, ev := range page.Items {
		e.printf("  %s %-9s %s", ev.Timestamp.Format(time.TimeOnly), ev.Event, ev.Recipient)
	}
	n := 0
	for _, err := range e.c.Logs.List(ctx, mailgun.LogsQuery{Start: since, Filter: []mailgun.FilterPredicate{mailgun.FilterDomain.Is(e.domain)}, Limit: 100}) {
		if err != nil {
			return err
		}
		n++
	}
	e.printf("the Logs API lists %d items for the same day", n)

	st, err := e.c.Stats.DomainTotals(ctx, e.domain, mailgun.StatsQuery{
		Events:   []mailgun.EventName{mailgun.EventAccepted, mailgun.EventDelivered, mailgun.EventFailed},
		Duration: mailgun.Days(1), Resolution: mailgun.ResolutionHour,
	})
	if err != nil {
		return err
	}
	var accepted, delivered, failed int64
	for _, it := range st.Stats {
		if it.Accepted != nil {
			accepted += it.Accepted.Total
		}
		if it.Delivered != nil {
			delivered += it.Delivered.Total
		}
		if it.Failed != nil {
			failed += it.Failed.Permanent.Total
		}
	}
	e.printf("stats:   accepted %d, delivered %d, failed permanently %d", accepted, delivered, failed)

	m, err := e.c.Metrics.Query(ctx, mailgun.MetricsQuery{
		Duration: mailgun.Days(1), Resolution: mailgun.ResolutionHour,
		Metrics:           []mailgun.Metric{mailgun.MetricAcceptedCount, mailgun.MetricDeliveredCount, mailgun.MetricPermanentFailedCount, mailgun.MetricDeliveredRate},
		Filter:            []mailgun.FilterPredicate{mailgun.FilterDomain.Is(e.domain)},
		IncludeAggregates: true,
	})
	if err != nil {
		return err
	}
	if a := m.Aggregates; a != nil {
		e.printf("metrics: accepted %d, delivered %d, failed permanently %d, delivered rate %s",
			deref(a.AcceptedCount), deref(a.DeliveredCount), deref(a.PermanentFailedCount), a.DeliveredRate)
	}
	return nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
