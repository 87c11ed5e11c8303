package mailgun_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleDomainWebhooksService_Create() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	// v3: one event type, up to 3 URLs.
	urls, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventDelivered,
		"https://hooks.example.com/mailgun", "https://backup.example.com/mailgun")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(urls)

	// A fourth URL is refused before anything is sent.
	_, err = c.DomainWebhooks.Update(ctx, "example.com", mailgun.WebhookEventDelivered,
		"https://a.example.com/", "https://b.example.com/", "https://c.example.com/", "https://d.example.com/")
	fmt.Println(errors.Is(err, mailgun.ErrInvalidArgument))
	// Output:
	// [https://hooks.example.com/mailgun https://backup.example.com/mailgun]
	// true
}

func ExampleDomainWebhooksService_CreateURL() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	// v4: one URL for several event types. v3 and v4 edit the same table.
	const hook = "https://hooks.example.com/mailgun"
	if _, err := c.DomainWebhooks.CreateURL(ctx, "example.com", hook,
		mailgun.WebhookEventDelivered, mailgun.WebhookEventPermanentFail); err != nil {
		log.Fatal(err)
	}
	urls, err := c.DomainWebhooks.Get(ctx, "example.com", mailgun.WebhookEventPermanentFail)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(urls)

	// UpdateURL sets exactly the event types the URL receives.
	table, err := c.DomainWebhooks.UpdateURL(ctx, "example.com", hook, mailgun.WebhookEventOpened)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(table.EventTypes(hook))

	table, err = c.DomainWebhooks.DeleteURLs(ctx, "example.com", hook)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(table))
	// Output:
	// [https://hooks.example.com/mailgun]
	// [opened]
	// 0
}

func ExampleDomainWebhooksService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	if _, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventOpened, "https://a.example.com/"); err != nil {
		log.Fatal(err)
	}
	if _, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventClicked, "https://a.example.com/", "https://b.example.com/"); err != nil {
		log.Fatal(err)
	}
	table, err := c.DomainWebhooks.List(ctx, "example.com")
	if err != nil {
		log.Fatal(err)
	}
	for _, et := range mailgun.WebhookEventTypes() {
		if urls, ok := table[et]; ok {
			fmt.Println(et, urls)
		}
	}
	// Output:
	// opened [https://a.example.com/]
	// clicked [https://a.example.com/ https://b.example.com/]
}
