package mailgun_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleBouncesService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	srv.AddBounces("example.com",
		mailgun.Bounce{Address: "carol@example.com", Code: "550", Error: "No such mailbox"},
		mailgun.Bounce{Address: "alice@example.com", Code: "554", Error: "Relay denied"},
	)
	c := srv.Client()

	// The loop fetches one page at a time; break to stop early.
	for b, err := range c.Bounces.List(context.Background(), "example.com", &mailgun.ListOptions{Limit: 500}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.Address, b.Code, b.Error)
	}
	// Output:
	// alice@example.com 554 Relay denied
	// carol@example.com 550 No such mailbox
}

func ExampleBouncesService_ListPage() {
	srv := mailguntest.Start()
	defer srv.Close()
	for _, a := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		srv.AddBounces("example.com", mailgun.Bounce{Address: a})
	}
	c := srv.Client()
	ctx := context.Background()

	page, err := c.Bounces.ListPage(ctx, "example.com", &mailgun.ListOptions{Limit: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), "on the first page")

	// page.Next can be stored and used later, even by another process.
	page, err = c.Bounces.ListPage(ctx, "example.com", &mailgun.ListOptions{Cursor: page.Next})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Items[0].Address, "starts the second page")
	// Output:
	// 2 on the first page
	// c@example.com starts the second page
}

func ExampleBouncesService_Get() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	err := c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{
		Address:   "bob+news@example.com", // "+" is escaped for you
		Code:      "550",
		Error:     "No such mailbox",
		CreatedAt: time.Date(2025, 1, 26, 7, 29, 4, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	b, err := c.Bounces.Get(ctx, "example.com", "bob+news@example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Code, b.Error, b.CreatedAt.Format(time.DateOnly))

	_, err = c.Bounces.Get(ctx, "example.com", "nobody@example.com")
	fmt.Println("not bounced:", errors.Is(err, mailgun.ErrNotFound))
	// Output:
	// 550 No such mailbox 2025-01-26
	// not bounced: true
}

func ExampleBouncesService_AddMany() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()

	records := make([]mailgun.BounceInput, 2500)
	for i := range records {
		records[i] = mailgun.BounceInput{Address: fmt.Sprintf("user%d@example.com", i), Error: "migrated"}
	}
	// Sent as three requests of 999, 999 and 502 records.
	err := c.Bounces.AddMany(context.Background(), "example.com", records)
	var batchErr *mailgun.BatchError
	if errors.As(err, &batchErr) {
		// records[:batchErr.Accepted] are stored; retry the rest later.
		log.Fatalf("stopped after %d records: %v", batchErr.Accepted, batchErr.Err)
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(srv.Bounces("example.com")), "bounces")
	// Output:
	// 2500 bounces
}

func ExampleBouncesService_Import() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	// Any io.Reader works, and it is streamed. Pass an *os.File so that
	// the upload can be retried after a rate limit.
	csv := strings.NewReader("address,code,error,created_at\n" +
		"alice@example.com,550,No such mailbox,\"Thu, 13 Oct 2011 18:02:00 +0000\"\n" +
		"bob@example.com,,,\n")
	if err := c.Bounces.Import(ctx, "example.com", csv); err != nil {
		log.Fatal(err)
	}
	// Mailgun imports in the background; the fake has done it already.
	b, err := c.Bounces.Get(ctx, "example.com", "bob@example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Address, b.Code)
	// Output:
	// bob@example.com 550
}

func ExampleBouncesService_Delete() {
	srv := mailguntest.Start()
	defer srv.Close()
	srv.AddBounces("example.com", mailgun.Bounce{Address: "bob@example.com"})
	c := srv.Client()
	ctx := context.Background()

	// Mailgun delivers to bob@example.com again.
	if err := c.Bounces.Delete(ctx, "example.com", "bob@example.com"); err != nil {
		log.Fatal(err)
	}
	err := c.Bounces.Delete(ctx, "example.com", "bob@example.com")
	fmt.Println("second delete: not found =", errors.Is(err, mailgun.ErrNotFound))
	// Output:
	// second delete: not found = true
}
