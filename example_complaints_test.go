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

func ExampleComplaintsService_Get() {
	srv := mailguntest.Start()
	defer srv.Close()
	srv.AddComplaints("example.com", mailgun.Complaint{
		Address:   "angry+list@example.org",
		CreatedAt: time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC),
	})
	c := srv.Client()
	ctx := context.Background()

	cp, err := c.Complaints.Get(ctx, "example.com", "angry+list@example.org")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cp.Address, cp.CreatedAt.Format(time.DateOnly))

	_, err = c.Complaints.Get(ctx, "example.com", "happy@example.org")
	fmt.Println("happy complained:", !errors.Is(err, mailgun.ErrNotFound))
	// Output:
	// angry+list@example.org 2025-12-11
	// happy complained: false
}

func ExampleComplaintsService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	err := c.Complaints.AddMany(ctx, "example.com", []mailgun.ComplaintInput{
		{Address: "b@example.org"},
		{Address: "a@example.org", CreatedAt: time.Date(2025, 1, 26, 7, 29, 4, 0, time.UTC)},
	})
	if err != nil {
		log.Fatal(err)
	}
	// In address order, one page at a time.
	for cp, err := range c.Complaints.List(ctx, "example.com", &mailgun.ListOptions{Limit: 1}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(cp.Address)
	}
	// Output:
	// a@example.org
	// b@example.org
}

func ExampleComplaintsService_Import() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	csv := strings.NewReader("address,created_at\n" +
		"angry@example.org,\"Thu, 13 Oct 2011 18:02:00 +0000\"\n" +
		"not-an-address,\n") // skipped: Mailgun does not report bad rows
	if err := c.Complaints.Import(ctx, "example.com", csv); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(srv.Complaints("example.com")), "complaint")
	// Delivery to the address resumes once it is removed.
	if err := c.Complaints.Delete(ctx, "example.com", "angry@example.org"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("complained:", srv.Complained("example.com", "angry@example.org"))
	// Output:
	// 1 complaint
	// complained: false
}
