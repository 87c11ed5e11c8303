package mailgun_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleAccountWebhooksService_Create() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	hook, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{
		URL:         "https://hooks.example.com/mailgun",
		EventTypes:  []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventPermanentFail},
		Description: "delivery status",
	})
	if err != nil {
		log.Fatal(err) // the webhook was not created (or, with ErrOutcomeUnknown, may have been)
	}
	// hook.ID identifies it; CreatedAt is zero when the read-back after
	// the create failed (the API is eventually consistent).
	fmt.Println(hook.ID != "", hook.URL, hook.EventTypes, hook.Description, !hook.CreatedAt.IsZero())
	// Output: true https://hooks.example.com/mailgun [delivered permanent_fail] delivery status true
}

func ExampleAccountWebhooksService_Create_urlLimit() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	// Each event type goes to at most 3 distinct URLs.
	for _, host := range []string{"a", "b", "c", "d"} {
		_, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{
			URL:        "https://" + host + ".example.com/mailgun",
			EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventDelivered},
		})
		var apiErr *mailgun.APIError
		if errors.As(err, &apiErr) {
			fmt.Println(host, errors.Is(err, mailgun.ErrConflict), apiErr.Message)
		}
	}
	// Output: d true unable to add more than 3 urls for event type delivered
}

func ExampleAccountWebhooksService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	for _, u := range []string{"https://a.example.com/events", "https://b.example.com/events"} {
		if _, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{URL: u, EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventOpened}}); err != nil {
			log.Fatal(err)
		}
	}
	hooks, err := c.AccountWebhooks.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range hooks {
		fmt.Println(h.URL, h.EventTypes)
	}
	// Output:
	// https://a.example.com/events [opened]
	// https://b.example.com/events [opened]
}

func ExampleAccountWebhooksService_DeleteByIDs() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	hook, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{URL: "https://a.example.com/", EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventClicked}})
	if err != nil {
		log.Fatal(err)
	}
	// Without ids nothing is sent: deleting everything takes DeleteAll.
	err = c.AccountWebhooks.DeleteByIDs(ctx)
	fmt.Println(errors.Is(err, mailgun.ErrInvalidArgument))

	if err := c.AccountWebhooks.DeleteByIDs(ctx, hook.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(srv.AccountWebhooks()))
	// Output:
	// true
	// 0
}
