package mailgun_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleMetricsService_Query() {
	srv := mailguntest.Start()
	defer srv.Close()
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	c := srv.Client()

	r, err := c.Metrics.Query(context.Background(), mailgun.MetricsQuery{
		Start:      time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC),
		End:        time.Date(2024, 7, 15, 0, 0, 0, 0, time.UTC),
		Resolution: mailgun.ResolutionDay,
		Dimensions: []mailgun.Dimension{mailgun.DimensionTime},
		Metrics: []mailgun.Metric{
			mailgun.MetricAcceptedCount, mailgun.MetricDeliveredCount, mailgun.MetricPermanentFailedCount, mailgun.MetricOpenedRate,
		},
		Filter:            []mailgun.FilterPredicate{mailgun.FilterDomain.Is("example.com")},
		IncludeAggregates: true,
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, it := range r.Items {
		day, _ := it.Dimension(mailgun.DimensionTime)
		m := it.Metrics // Count gives 0 for a counter that is absent: no nil checks
		fmt.Printf("%s: accepted %d, delivered %d, failed %d, opened rate %s\n", day.Value,
			m.Count(mailgun.MetricAcceptedCount), m.Count(mailgun.MetricDeliveredCount), m.Count(mailgun.MetricPermanentFailedCount), m.OpenedRate)
	}
	fmt.Println("all days: accepted", r.Aggregates.Count(mailgun.MetricAcceptedCount))
	// Output:
	// Mon, 08 Jul 2024 00:00:00 +0000: accepted 2, delivered 1, failed 1, opened rate 1.0000
	// all days: accepted 2
}

func ExampleMetricsService_QueryAll() {
	srv := mailguntest.Start()
	defer srv.Close()
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	c := srv.Client()

	// One item per recipient domain, walked one page of one at a time.
	for it, err := range c.Metrics.QueryAll(context.Background(), mailgun.MetricsQuery{
		Start:      time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC),
		Dimensions: []mailgun.Dimension{mailgun.DimensionRecipientDomain},
		Metrics:    []mailgun.Metric{mailgun.MetricAcceptedCount},
		Limit:      1,
	}) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		d, _ := it.Dimension(mailgun.DimensionRecipientDomain)
		fmt.Println(d.Value, *it.Metrics.AcceptedCount)
	}
	// Output:
	// example.net 1
	// example.org 1
}
