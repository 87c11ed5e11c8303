package mailgun_test

//lint:file-ignore SA1019 the Events API is deprecated upstream but still served; these examples show it.

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// seedExampleEvents gives the examples a small event log.
func seedExampleEvents(srv *mailguntest.Server, t0 time.Time) {
	srv.AddEvents("example.com",
		mailgun.Event{Event: mailgun.EventAccepted, Timestamp: t0, Recipient: "alice@example.org", Tags: []string{"welcome"}},
		mailgun.Event{Event: mailgun.EventDelivered, Timestamp: t0.Add(time.Minute), Recipient: "alice@example.org", Tags: []string{"welcome"}},
		mailgun.Event{Event: mailgun.EventAccepted, Timestamp: t0.Add(2 * time.Minute), Recipient: "bob@example.net"},
		mailgun.Event{Event: mailgun.EventFailed, Timestamp: t0.Add(3 * time.Minute), Recipient: "bob@example.net",
			Severity: mailgun.SeverityPermanent, Reason: mailgun.ReasonBounce,
			DeliveryStatus: &mailgun.DeliveryStatus{Code: 550, Message: "5.1.1 no such user"}},
		mailgun.Event{Event: mailgun.EventOpened, Timestamp: t0.Add(4 * time.Minute), Recipient: "alice@example.org",
			UserVariables: json.RawMessage(`{"customer-id": "42"}`)},
	)
}

func ExampleEventsService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	c := srv.Client()

	q := &mailgun.EventsQuery{
		EventFilter: mailgun.EventFilter{Event: mailgun.Or(mailgun.EventDelivered, mailgun.EventFailed)},
		Ascending:   true,
	}
	for e, err := range c.Events.List(context.Background(), "example.com", q) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(e.Timestamp.Format(time.TimeOnly), e.Event, e.Recipient)
	}
	// Output:
	// 09:01:00 delivered alice@example.org
	// 09:03:00 failed bob@example.net
}

func ExampleEventsService_ListPage() {
	srv := mailguntest.Start()
	defer srv.Close()
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	c := srv.Client()
	ctx := context.Background()

	// Read two events, keep the cursor, and resume later.
	page, err := c.Events.ListPage(ctx, "example.com", &mailgun.EventsQuery{Limit: 2})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, e := range page.Items {
		fmt.Println(e.Event, e.Recipient)
	}
	page, err = c.Events.ListPage(ctx, "example.com", &mailgun.EventsQuery{Cursor: page.Next})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("then", page.Items[0].Event, page.Items[0].Recipient)
	// Output:
	// opened alice@example.org
	// failed bob@example.net
	// then accepted bob@example.net
}

func ExampleEventsService_Poll() {
	srv := mailguntest.Start()
	defer srv.Close()
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	c := srv.Client()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := &mailgun.PollOptions{
		Begin:       time.Date(2024, 7, 8, 0, 0, 0, 0, time.UTC),
		EventFilter: mailgun.EventFilter{Recipient: "alice@example.org"},
		Threshold:   5 * time.Minute, // deliver events once they are 5 minutes old
	}
	n := 0
	for e, err := range c.Events.Poll(ctx, "example.com", opts) {
		if err != nil {
			fmt.Println("error:", err) // Poll keeps going if the loop does
			continue
		}
		fmt.Println(e.Event, e.Recipient)
		if n++; n == 3 {
			cancel() // or break
		}
	}
	// Output:
	// accepted alice@example.org
	// delivered alice@example.org
	// opened alice@example.org
}

func ExampleEvent_DecodeUserVariables() {
	var e mailgun.Event
	_ = json.Unmarshal([]byte(`{"event": "opened", "id": "x", "timestamp": 1720429440.5, "user-variables": {"customer-id": "42"}}`), &e)
	var vars struct {
		CustomerID string `json:"customer-id"`
	}
	if err := e.DecodeUserVariables(&vars); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(e.Event, e.Timestamp.Format(time.RFC3339Nano), vars.CustomerID)
	// Output: opened 2024-07-08T09:04:00.5Z 42
}

func ExampleEventsService_Poll_noThreshold() {
	srv := mailguntest.Start()
	defer srv.Close()
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	c := srv.Client()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Without a threshold each page is taken as soon as it is read: events
	// come at once, and one stored late, behind the pages already taken,
	// is missed.
	opts := &mailgun.PollOptions{
		Begin:       time.Date(2024, 7, 8, 0, 0, 0, 0, time.UTC),
		EventFilter: mailgun.EventFilter{Event: mailgun.Or(mailgun.EventFailed, mailgun.EventOpened)},
		NoThreshold: true,
	}
	n := 0
	for e, err := range c.Events.Poll(ctx, "example.com", opts) {
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(e.Event, e.Recipient)
		if n++; n == 2 {
			break
		}
	}
	// Output:
	// failed bob@example.net
	// opened alice@example.org
}
