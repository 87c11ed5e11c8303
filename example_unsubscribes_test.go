package mailgun_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleUnsubscribesService_Add() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	// No tag: from all of the domain's mail ("*").
	if err := c.Unsubscribes.Add(ctx, "example.com", mailgun.UnsubscribeInput{Address: "alice@example.org"}); err != nil {
		log.Fatal(err)
	}
	// Only from the mail tagged "newsletter" or "promo".
	err := c.Unsubscribes.Add(ctx, "example.com", mailgun.UnsubscribeInput{
		Address: "bob+news@example.org", // "+" is escaped for you
		Tags:    []string{"newsletter", "promo"},
	})
	if err != nil {
		log.Fatal(err)
	}

	u, err := c.Unsubscribes.Get(ctx, "example.com", "bob+news@example.org")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.Tags)
	fmt.Println("newsletter blocked:", u.Blocks("newsletter"))
	fmt.Println("invoice blocked:", u.Blocks("invoice"))

	_, err = c.Unsubscribes.Get(ctx, "example.com", "carol@example.org")
	fmt.Println("carol unsubscribed:", !errors.Is(err, mailgun.ErrNotFound))
	// Output:
	// [newsletter promo]
	// newsletter blocked: true
	// invoice blocked: false
	// carol unsubscribed: false
}

func ExampleUnsubscribesService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	srv.AddUnsubscribes("example.com",
		mailgun.Unsubscribe{Address: "carol@example.org", Tags: []string{"promo"}},
		mailgun.Unsubscribe{Address: "alice@example.org"}, // no tags: "*"
	)
	c := srv.Client()

	for u, err := range c.Unsubscribes.List(context.Background(), "example.com", nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.Address, u.Tags)
	}
	// Output:
	// alice@example.org [*]
	// carol@example.org [promo]
}

func ExampleUnsubscribesService_AddMany() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	records := make([]mailgun.UnsubscribeInput, 2500)
	for i := range records {
		records[i] = mailgun.UnsubscribeInput{Address: fmt.Sprintf("user%04d@example.org", i), Tags: []string{"newsletter"}}
	}
	// Make the second request fail, as a rate limit that outlasts the retries would.
	srv.Fail(http.MethodPost, "/v3/example.com/unsubscribes", mailguntest.Fault{}, 1)
	srv.Fail(http.MethodPost, "/v3/example.com/unsubscribes", mailguntest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"}, 4)

	// Sent as requests of 999, 999 and 502 records.
	err := c.Unsubscribes.AddMany(ctx, "example.com", records)
	var batchErr *mailgun.BatchError
	if errors.As(err, &batchErr) {
		fmt.Printf("stored: %d, then %d %s, rate limited: %v\n",
			batchErr.Accepted, batchErr.Failed, batchErr.Outcome, errors.Is(err, mailgun.ErrRateLimited))
		// Adding a record again is harmless, so resume after the stored ones.
		err = c.Unsubscribes.AddMany(ctx, "example.com", records[batchErr.Accepted:])
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(srv.Unsubscribes("example.com")), "unsubscribed")
	// Output:
	// stored: 999, then 999 not stored, rate limited: true
	// 2500 unsubscribed
}

func ExampleUnsubscribesService_Import() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	// One tag per row; an empty tags cell is "*". Pass an *os.File so that
	// the streamed upload can be retried after a rate limit.
	csv := strings.NewReader("address,tags,created_at\n" +
		"alice@example.org,newsletter,\"Thu, 13 Oct 2011 18:02:00 +0000\"\n" +
		"bob@example.org,,\n")
	if err := c.Unsubscribes.Import(ctx, "example.com", csv); err != nil {
		log.Fatal(err)
	}
	for _, u := range srv.Unsubscribes("example.com") {
		fmt.Println(u.Address, u.Tags)
	}
	// Output:
	// alice@example.org [newsletter]
	// bob@example.org [*]
}

func ExampleUnsubscribesService_Delete() {
	srv := mailguntest.Start()
	defer srv.Close()
	srv.AddUnsubscribes("example.com", mailgun.Unsubscribe{Address: "bob@example.org", Tags: []string{"a", "b"}})
	c := srv.Client()
	ctx := context.Background()

	// Removes the address with all its tags: Mailgun delivers to it again.
	if err := c.Unsubscribes.Delete(ctx, "example.com", "bob@example.org"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("still unsubscribed:", srv.Unsubscribed("example.com", "bob@example.org", "a"))
	err := c.Unsubscribes.DeleteAll(ctx, "example.com")
	fmt.Println("clearing an empty list:", err)
	// Output:
	// still unsubscribed: false
	// clearing an empty list: <nil>
}
