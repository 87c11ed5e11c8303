package mailgun_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleDomainsService_Create() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	d, err := c.Domains.Create(ctx, mailgun.DomainInput{Name: "mg.example.com", SpamAction: mailgun.SpamActionTag})
	if err != nil {
		log.Fatal(err)
	}
	// Publish these records at your DNS provider.
	for _, r := range d.SendingRecords {
		fmt.Println(r.RecordType, r.Name, r.Valid)
	}
	for _, r := range d.ReceivingRecords {
		fmt.Println(r.RecordType, r.Priority, r.Value)
	}

	// Then ask Mailgun to check them (the fake finds them published).
	d, err = c.Domains.Verify(ctx, "mg.example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Domain.State, d.Verified())
	// Output:
	// TXT mg.example.com unknown
	// TXT smtp._domainkey.mg.example.com unknown
	// CNAME email.mg.example.com unknown
	// MX 10 mxa.mailgun.org
	// MX 10 mxb.mailgun.org
	// active true
}

func ExampleDomainsService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	srv.AddDomains(
		mailgun.Domain{Name: "a.example.com", State: mailgun.DomainStateActive, CreatedAt: t0},
		mailgun.Domain{Name: "b.example.com", CreatedAt: t0.Add(time.Hour)},
		mailgun.Domain{Name: "c.example.com", State: mailgun.DomainStateActive, CreatedAt: t0.Add(2 * time.Hour)},
	)
	c := srv.Client()

	// Newest first; the loop fetches one page at a time.
	for d, err := range c.Domains.List(context.Background(), &mailgun.DomainListOptions{State: mailgun.DomainStateActive}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.Name, d.CreatedAt.Format(time.DateTime))
	}
	// Output:
	// c.example.com 2025-01-01 02:00:00
	// a.example.com 2025-01-01 00:00:00
}

func ExampleDomainsService_Update() {
	srv := mailguntest.Start()
	defer srv.Close()
	srv.AddDomains(mailgun.Domain{Name: "mg.example.com", State: mailgun.DomainStateActive})
	c := srv.Client()
	ctx := context.Background()

	// Only the fields set are sent; the others keep their value.
	scheme, spam := mailgun.WebSchemeHTTPS, mailgun.SpamActionBlock
	d, err := c.Domains.Update(ctx, "mg.example.com", mailgun.DomainUpdate{WebScheme: &scheme, SpamAction: &spam})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Domain.WebScheme, d.Domain.SpamAction, d.Domain.WebPrefix)

	_, err = c.Domains.Get(ctx, "unknown.example.com")
	fmt.Println("unknown domain:", errors.Is(err, mailgun.ErrNotFound))
	// Output:
	// https block email
	// unknown domain: true
}
