package mailgun_test

//lint:file-ignore SA1019 the Tags API is deprecated upstream but still served; these examples show it.

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleTagsService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	// A tag exists once a message carrying it was accepted.
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	srv.AddEvents("example.com", mailgun.Event{Event: mailgun.EventAccepted, Timestamp: time.Date(2024, 7, 9, 10, 0, 0, 0, time.UTC),
		Recipient: "carol@example.org", Tags: []string{"newsletter", "welcome"}})
	c := srv.Client()
	ctx := context.Background()

	if err := c.Tags.Update(ctx, "example.com", "welcome", "sign-up mail"); err != nil {
		log.Fatal(err)
	}
	for tag, err := range c.Tags.List(ctx, "example.com", nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %q first seen %s, last seen %s\n", tag.Name, tag.Description,
			tag.FirstSeen.Format(time.DateOnly), tag.LastSeen.Format(time.DateOnly))
	}
	// Output:
	// newsletter "" first seen 2024-07-09, last seen 2024-07-09
	// welcome "sign-up mail" first seen 2024-07-08, last seen 2024-07-09
}

func ExampleTagsService_Stats() {
	srv := mailguntest.Start()
	defer srv.Close()
	seedExampleEvents(srv, time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC))
	c := srv.Client()

	r, err := c.Tags.Stats(context.Background(), "example.com", "welcome", mailgun.TagStatsQuery{
		Events: []mailgun.EventName{mailgun.EventAccepted, mailgun.EventDelivered},
		Start:  time.Date(2024, 7, 8, 0, 0, 0, 0, time.UTC),
		End:    time.Date(2024, 7, 9, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, day := range r.Stats {
		fmt.Printf("%s %s accepted=%d delivered=%d\n", r.Tag, day.Time.Format(time.DateOnly), day.Accepted.Total, day.Delivered.Total)
	}
	// Output:
	// welcome 2024-07-08 accepted=1 delivered=1
}
