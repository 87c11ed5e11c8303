package main

//lint:file-ignore SA1019 the quickstart shows the deprecated Events and Stats APIs next to Metrics and Logs.

import (
	"context"
	"fmt"
	"time"

	"github.com/mgkit/mailgun"
)

// seedEventsStep fills the fake's event log with a morning of traffic; it
// does nothing against the real API.
func seedEventsStep(_ context.Context, e *env) error {
	if e.live() {
		fmt.Println("real API: nothing to seed")
		return nil
	}
	t0 := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Minute)
	var events []mailgun.Event
	for i, rcpt := range []string{"alice@example.org", "bob@example.net", "carol@example.com"} {
		at := t0.Add(time.Duration(i) * time.Minute)
		events = append(events,
			mailgun.Event{Event: mailgun.EventAccepted, Timestamp: at, Recipient: rcpt, Tags: []string{"welcome"}},
			mailgun.Event{Event: mailgun.EventDelivered, Timestamp: at.Add(10 * time.Second), Recipient: rcpt, Tags: []string{"welcome"}},
		)
	}
	events = append(events,
		mailgun.Event{Event: mailgun.EventOpened, Timestamp: t0.Add(5 * time.Minute), Recipient: "alice@example.org"},
		mailgun.Event{Event: mailgun.EventFailed, Timestamp: t0.Add(6 * time.Minute), Recipient: "dave@example.org",
			Severity: mailgun.SeverityPermanent, Reason: mailgun.ReasonBounce},
	)
	e.srv.AddEvents(e.domain, events...)
	fmt.Printf("added %d events to %s\n", len(events), e.domain)
	return nil
}

// pageEventsStep walks the newest events page by page, then reads the
// same period from the Logs API.
func pageEventsStep(ctx context.Context, e *env) error {
	since := time.Now().Add(-24 * time.Hour)
	page, err := e.c.Events.ListPage(ctx, e.domain, &mailgun.EventsQuery{Begin: since, Limit: 3})
	for n := 1; err == nil && len(page.Items) > 0 && n <= 3; n++ {
		fmt.Printf("events page %d:\n", n)
		for _, ev := range page.Items {
			fmt.Printf("  %s %-10s %s\n", ev.Timestamp.Format(time.TimeOnly), ev.Event, ev.Recipient)
		}
		if page.Next == "" {
			break
		}
		page, err = e.c.Events.ListPage(ctx, e.domain, &mailgun.EventsQuery{Cursor: page.Next})
	}
	if err != nil {
		return err
	}
	n := 0
	for _, err := range e.c.Logs.List(ctx, mailgun.LogsQuery{Start: since, Filter: []mailgun.FilterPredicate{mailgun.FilterDomain.Is(e.domain)}, Limit: 100}) {
		if err != nil {
			return err
		}
		n++
	}
	fmt.Printf("the Logs API lists %d items for the same day\n", n)
	return nil
}

// totalsStep prints the last day's totals from Stats and from Metrics.
func totalsStep(ctx context.Context, e *env) error {
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
	fmt.Printf("stats:   accepted %d, delivered %d, failed permanently %d\n", accepted, delivered, failed)

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
		fmt.Printf("metrics: accepted %d, delivered %d, failed permanently %d, delivered rate %s\n",
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
