package mailgun_test

//lint:file-ignore SA1019 the Stats API is deprecated upstream but still served; this example shows it.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleStatsService_DomainTotals() {
	srv := mailguntest.Start()
	defer srv.Close()
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	c := srv.Client()

	r, err := c.Stats.DomainTotals(context.Background(), "example.com", mailgun.StatsQuery{
		Events: []mailgun.EventName{mailgun.EventAccepted, mailgun.EventDelivered, mailgun.EventFailed},
		Start:  time.Date(2024, 7, 7, 0, 0, 0, 0, time.UTC),
		End:    time.Date(2024, 7, 9, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, day := range r.Stats {
		fmt.Printf("%s accepted=%d delivered=%d failed permanently=%d\n", day.Time.Format(time.DateOnly),
			day.Accepted.Total, day.Delivered.Total, day.Failed.Permanent.Total)
	}
	// Output:
	// 2024-07-07 accepted=0 delivered=0 failed permanently=0
	// 2024-07-08 accepted=2 delivered=1 failed permanently=1
}

func ExampleStatsService_Providers() {
	srv := mailguntest.Start()
	defer srv.Close()
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	c := srv.Client()

	// Only the "providers" member of the response is read; a counter of an
	// unexpected type would be left out rather than fail the call.
	byProvider, err := c.Stats.Providers(context.Background(), "example.com")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, name := range slices.Sorted(maps.Keys(byProvider)) {
		counts := byProvider[name]
		fmt.Printf("%s accepted=%d opened=%d\n", name, counts["accepted"], counts["opened"])
	}
	// Output:
	// example.net accepted=1 opened=0
	// example.org accepted=1 opened=1
}
