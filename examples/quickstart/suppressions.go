package main

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/mgkit/mailgun"
)

// suppressionsStep adds bounces, shows that a message to a bounced
// address is not delivered, removes the bounce and allowlists an address.
// Against the real API it only lists the first few entries.
func suppressionsStep(ctx context.Context, e *env) error {
	if e.live() {
		err := show(e, "bounce", e.c.Bounces.List(ctx, e.domain, nil), func(b mailgun.Bounce) string {
			return b.Address + " " + b.Code + " " + b.Error
		})
		if err != nil {
			return err
		}
		return show(e, "allowlist entry", e.c.Allowlist.List(ctx, e.domain, nil), func(a mailgun.AllowlistEntry) string {
			return string(a.Type) + " " + a.Value
		})
	}
	err := e.c.Bounces.AddMany(ctx, e.domain, []mailgun.BounceInput{
		{Address: "bob@example.net", Error: "No such mailbox"},
		{Address: "carol@example.net", Code: "552", Error: "Mailbox full"},
	})
	if err != nil {
		return err
	}
	for b, err := range e.c.Bounces.List(ctx, e.domain, nil) {
		if err != nil {
			return err
		}
		e.printf("bounced: %s (%s %s)", b.Address, b.Code, b.Error)
	}

	sentAt := time.Now()
	res, err := e.c.Messages.Send(ctx, e.domain, &mailgun.Message{
		From: "orders@" + e.domain, To: []string{"bob@example.net"}, Subject: "Your receipt", Text: "Thank you.",
	})
	if err != nil {
		return err
	}
	e.printf("sent %s to bob@example.net", res.ID)
	if _, err := watch(ctx, e, res.ID, sentAt); err != nil {
		return err
	}

	if err := e.c.Bounces.Delete(ctx, e.domain, "bob@example.net"); err != nil {
		return err
	}
	_, err = e.c.Bounces.Get(ctx, e.domain, "bob@example.net")
	e.printf("removed bob@example.net from the bounces: Get says not found = %t", errors.Is(err, mailgun.ErrNotFound))

	// An allowlisted address is never added to the bounces.
	if err := e.c.Allowlist.AddAddress(ctx, e.domain, "qa+inbox@example.org", "QA mailbox"); err != nil {
		return err
	}
	return show(e, "allowlisted", e.c.Allowlist.List(ctx, e.domain, nil), func(a mailgun.AllowlistEntry) string {
		return string(a.Type) + " " + a.Value + " (" + a.Reason + ")"
	})
}

// show prints up to five entries of a list.
func show[T any](e *env, what string, items iter.Seq2[T, error], line func(T) string) error {
	n := 0
	for item, err := range items {
		if err != nil {
			return err
		}
		if n == 5 {
			e.printf("...")
			break
		}
		e.printf("%s: %s", what, line(item))
		n++
	}
	if n == 0 {
		e.printf("no %s on the list", what)
	}
	return nil
}
