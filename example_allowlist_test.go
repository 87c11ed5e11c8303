package mailgun_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleAllowlistService_AddAddress() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	// Deliveries that bounce for these are not added to the bounce list.
	if err := c.Allowlist.AddAddress(ctx, "example.com", "qa+inbox@example.org", "QA mailbox"); err != nil {
		log.Fatal(err)
	}
	if err := c.Allowlist.AddDomain(ctx, "example.com", "test.example.org", "internal test domain"); err != nil {
		log.Fatal(err)
	}
	e, err := c.Allowlist.Get(ctx, "example.com", "test.example.org")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Value, e.Type, e.Reason)
	// Output:
	// test.example.org domain internal test domain
}

func ExampleAllowlistService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	srv.AddAllowlist("example.com",
		mailgun.AllowlistEntry{Value: "test.example.org", Reason: "staging"},
		mailgun.AllowlistEntry{Value: "qa@example.org", Reason: "QA mailbox"},
	)
	c := srv.Client()

	for e, err := range c.Allowlist.List(context.Background(), "example.com", nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-7s %s (%s)\n", e.Type, e.Value, e.Reason)
	}
	// Output:
	// address qa@example.org (QA mailbox)
	// domain  test.example.org (staging)
}

func ExampleAllowlistService_Import() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()

	// Each row fills exactly one of the two columns.
	csv := strings.NewReader("address,domain\nalice@example.org,\n,test.example.org\n")
	if err := c.Allowlist.Import(context.Background(), "example.com", csv); err != nil {
		log.Fatal(err)
	}
	for _, e := range srv.Allowlist("example.com") {
		fmt.Println(e.Type, e.Value)
	}
	// Output:
	// address alice@example.org
	// domain test.example.org
}
