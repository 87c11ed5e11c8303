package mailgun_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleLogsService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	c := srv.Client()

	q := mailgun.LogsQuery{
		Start:     time.Date(2024, 7, 8, 0, 0, 0, 0, time.UTC),
		End:       time.Date(2024, 7, 9, 0, 0, 0, 0, time.UTC),
		Events:    []mailgun.EventName{mailgun.EventAccepted, mailgun.EventFailed},
		Filter:    []mailgun.FilterPredicate{mailgun.FilterDomain.Is("example.com")},
		Ascending: true,
		Limit:     2, // pages of two, followed as the loop goes
	}
	for it, err := range c.Logs.List(context.Background(), q) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(it.Timestamp.Format(time.TimeOnly), it.Domain.Name, it.Event, it.Recipient)
	}
	// Output:
	// 09:00:00 example.com accepted alice@example.org
	// 09:02:00 example.com accepted bob@example.net
	// 09:03:00 example.com failed bob@example.net
}
