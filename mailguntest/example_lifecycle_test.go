package mailguntest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// A manual Clock makes the lifecycle of a send happen only when the test
// moves time: the message is accepted at once, delivered (and the
// webhooks POSTed) inside Advance.
func ExampleClock() {
	clock := mailguntest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	srv := mailguntest.Start(mailguntest.WithManualClock(clock))
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	// A webhook handler that verifies the fake's signatures by its clock.
	hook := httptest.NewServer(mailgun.WebhookHandler(srv.WebhookSigningKey(), func(_ context.Context, ev *mailgun.WebhookEvent) error {
		fmt.Println("webhook:", ev.EventData.Event, ev.EventData.Recipient)
		return nil
	}, mailgun.WithVerifyOptions(mailgun.WithVerifyClock(clock.Now))))
	defer hook.Close()
	if _, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{
		URL: hook.URL, EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventDelivered},
	}); err != nil {
		log.Fatal(err)
	}

	var sent struct{ ID string }
	err := c.Do(ctx, "POST", "/v3/mg.example.com/messages", url.Values{
		"from": {"shop@mg.example.com"}, "to": {"ann@example.org"}, "subject": {"Receipt"}, "text": {"Thanks!"},
	}, &sent)
	if err != nil {
		log.Fatal(err)
	}
	msg, _ := srv.Message(sent.ID)
	fmt.Println("sent:", msg.Subject, "to", msg.To, msg.Recipients[0].State)

	clock.Advance(time.Second)
	msg, _ = srv.Message(sent.ID)
	fmt.Println("after a second:", msg.Recipients[0].State)
	for _, e := range srv.Events("mg.example.com") {
		fmt.Println("event:", e.Event, e.Timestamp.Format(time.TimeOnly))
	}
	// Output:
	// sent: Receipt to [ann@example.org] queued
	// webhook: delivered ann@example.org
	// after a second: delivered
	// event: accepted 10:00:00
	// event: delivered 10:00:00
}

// Recipient rules script what happens to a delivery; here two temporary
// failures, retried on the compressed schedule, then a hard bounce that
// puts the address on the bounce list.
func ExampleServer_SetRecipientRule() {
	clock := mailguntest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	srv := mailguntest.Start(mailguntest.WithManualClock(clock))
	defer srv.Close()
	srv.SetRecipientRule("flaky@example.org", mailguntest.RecipientRule{TemporaryFailures: 2, Bounce: true})

	err := srv.Client().Do(context.Background(), "POST", "/v3/mg.example.com/messages", url.Values{
		"from": {"shop@mg.example.com"}, "to": {"flaky@example.org"}, "subject": {"Hi"}, "text": {"Hello"},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	clock.Advance(time.Minute)
	for _, e := range srv.Events("mg.example.com") {
		fmt.Println(strings.TrimSpace(fmt.Sprint(e.Timestamp.Format(time.TimeOnly), " ", e.Event, " ", e.Severity, " ", e.Reason)))
	}
	fmt.Println("bounce list:", len(srv.Bounces("mg.example.com")))
	// Output:
	// 10:00:00 accepted
	// 10:00:00 failed temporary generic
	// 10:00:02 failed temporary generic
	// 10:00:05 failed permanent bounce
	// bounce list: 1
}

// Open and Click simulate engagement with a delivered, tracked message.
func ExampleServer_Open() {
	clock := mailguntest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	srv := mailguntest.Start(mailguntest.WithManualClock(clock))
	defer srv.Close()

	var sent struct{ ID string }
	err := srv.Client().Do(context.Background(), "POST", "/v3/mg.example.com/messages", url.Values{
		"from": {"shop@mg.example.com"}, "to": {"ann@example.org"}, "subject": {"Sale"},
		"html": {`<a href="https://shop.example/sale">Sale</a>`}, "o:tracking": {"yes"},
	}, &sent)
	if err != nil {
		log.Fatal(err)
	}
	err = srv.Open(sent.ID)
	fmt.Println("before delivery:", errors.Is(err, mailguntest.ErrNotDelivered))
	clock.Advance(time.Second)
	fmt.Println(srv.Open(sent.ID), srv.Click(sent.ID, "https://shop.example/sale"))
	for _, e := range srv.Events("mg.example.com") {
		fmt.Println(strings.TrimSpace(string(e.Event) + " " + e.URL))
	}
	// Output:
	// before delivery: true
	// <nil> <nil>
	// accepted
	// delivered
	// opened
	// clicked https://shop.example/sale
}

// A batch send gives each recipient a copy of their own: Recipients holds
// what each one got.
func ExampleServer_batch() {
	srv := mailguntest.Start()
	defer srv.Close()

	var sent struct{ ID string }
	err := srv.Client().Do(context.Background(), "POST", "/v3/mg.example.com/messages", url.Values{
		"from": {"shop@mg.example.com"}, "to": {"ann@example.org", "ben@example.org"},
		"subject": {"Hi %recipient.name%"}, "text": {"Your code: %recipient.code%"},
		"recipient-variables": {`{"ann@example.org": {"name": "Ann", "code": 17}, "ben@example.org": {"name": "Ben", "code": 18}}`},
	}, &sent)
	if err != nil {
		log.Fatal(err)
	}
	msg, _ := srv.Message(sent.ID)
	for _, r := range msg.Recipients {
		fmt.Printf("%s: %q %q\n", r.Address, r.Subject, r.Text)
	}
	// Output:
	// ann@example.org: "Hi Ann" "Your code: 17"
	// ben@example.org: "Hi Ben" "Your code: 18"
}
