package mailgun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleVerifyWebhookSignature() {
	sig := mailgun.WebhookSignature{
		Timestamp: "1529006854",
		Token:     "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
		Signature: "c8eda93e66d2c94a17d10e6589c0200a7bc417c935bee5dc17de70ba612c0a4b",
	}
	// A fixed clock, because this signature is from 2018.
	signedAt := time.Unix(1529006854, 0)
	clock := mailgun.WithVerifyClock(func() time.Time { return signedAt.Add(time.Minute) })

	err := mailgun.VerifyWebhookSignature("key-0123456789abcdef0123456789abcdef", sig, clock)
	fmt.Println(err)

	err = mailgun.VerifyWebhookSignature("key-0123456789abcdef0123456789abcdef", sig)
	fmt.Println(errors.Is(err, mailgun.ErrSignatureExpired))
	// Output:
	// <nil>
	// true
}

func ExampleWithTokenStore() {
	store := mailgun.NewMemoryTokenStore(10_000, nil)
	sig := mailgun.NewWebhookSignature("key-example", time.Now())

	fmt.Println(mailgun.VerifyWebhookSignature("key-example", sig, mailgun.WithTokenStore(store)))
	err := mailgun.VerifyWebhookSignature("key-example", sig, mailgun.WithTokenStore(store))
	fmt.Println(errors.Is(err, mailgun.ErrSignatureReplayed))
	// Output:
	// <nil>
	// true
}

func ExampleWebhookHandler() {
	srv := mailguntest.Start()
	defer srv.Close()

	handler := mailgun.WebhookHandler(srv.WebhookSigningKey(), func(ctx context.Context, ev *mailgun.WebhookEvent) error {
		fmt.Println("received", ev.EventData.Event, "for", ev.EventData.Recipient)
		return nil
	}, mailgun.WithVerifyOptions(mailgun.WithTokenStore(mailgun.NewMemoryTokenStore(0, nil))))
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/mailgun", handler)
	receiver := httptest.NewServer(mux)
	defer receiver.Close()

	// The fake signs the webhook with its key and POSTs it, as Mailgun does.
	err := srv.DeliverWebhook(context.Background(), receiver.URL+"/webhooks/mailgun", mailgun.Event{
		Event:     mailgun.EventDelivered,
		Recipient: "bob@example.com",
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: received delivered for bob@example.com
}

// With a TokenStore, a webhook is handled once however often it arrives:
// here the second delivery plays Mailgun's retry after a lost 200.
func ExampleWebhookHandler_redelivery() {
	const key = "key-example"
	handled := 0
	handler := mailgun.WebhookHandler(key, func(ctx context.Context, ev *mailgun.WebhookEvent) error {
		handled++
		return nil
	}, mailgun.WithVerifyOptions(mailgun.WithTokenStore(mailgun.NewMemoryTokenStore(0, nil))))

	body, err := json.Marshal(mailgun.WebhookEvent{
		Signature: mailgun.NewWebhookSignature(key, time.Now()),
		EventData: mailgun.Event{Event: mailgun.EventDelivered, ID: "ev-1", Timestamp: time.Now()},
	})
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhooks/mailgun", bytes.NewReader(body)))
		fmt.Println(rec.Code)
	}
	fmt.Println("handled", handled, "time(s)")
	// Output:
	// 200
	// 200
	// handled 1 time(s)
}

func ExampleNewWebhookSignature() {
	// Build a signed payload for a test of your own handler.
	sig := mailgun.NewWebhookSignature("key-test", time.Now())
	fmt.Println(len(sig.Token), sig.Signature == mailgun.SignWebhook("key-test", sig.Timestamp, sig.Token))
	fmt.Println(mailgun.VerifyWebhookSignature("key-test", sig))
	// Output:
	// 50 true
	// <nil>
}
