package main

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/mgkit/mailgun"
)

// bouncesStep adds bounces, walks the list with the iterator and removes
// one; against the real API it only lists the first few.
func bouncesStep(ctx context.Context, e *env) error {
	if e.live() {
		return showSuppressions("bounce", e.c.Bounces.List(ctx, e.domain, nil), func(b mailgun.Bounce) string {
			return b.Address + " " + b.Code + " " + b.Error
		})
	}
	if err := e.c.Bounces.Add(ctx, e.domain, mailgun.BounceInput{Address: "bob+news@example.org", Error: "No such mailbox"}); err != nil {
		return err
	}
	err := e.c.Bounces.AddMany(ctx, e.domain, []mailgun.BounceInput{
		{Address: "alice@example.org", Code: "552", Error: "Mailbox full"},
		{Address: "carol@example.org"},
	})
	if err != nil {
		return err
	}
	for b, err := range e.c.Bounces.List(ctx, e.domain, &mailgun.ListOptions{Limit: 2}) {
		if err != nil {
			return err
		}
		fmt.Printf("bounced: %s (%s %s)\n", b.Address, b.Code, b.Error)
	}
	if err := e.c.Bounces.Delete(ctx, e.domain, "bob+news@example.org"); err != nil {
		return err
	}
	_, err = e.c.Bounces.Get(ctx, e.domain, "bob+news@example.org")
	fmt.Printf("removed bob+news@example.org: Get says not found = %v\n", errors.Is(err, mailgun.ErrNotFound))
	return nil
}

// allowlistStep allowlists an address and a domain, lists them and removes
// one; against the real API it only lists the first few.
func allowlistStep(ctx context.Context, e *env) error {
	if e.live() {
		return showSuppressions("allowlist entry", e.c.Allowlist.List(ctx, e.domain, nil), func(a mailgun.AllowlistEntry) string {
			return string(a.Type) + " " + a.Value
		})
	}
	if err := e.c.Allowlist.AddAddress(ctx, e.domain, "qa+inbox@example.org", "QA mailbox"); err != nil {
		return err
	}
	if err := e.c.Allowlist.AddDomain(ctx, e.domain, "test.example.org", "staging"); err != nil {
		return err
	}
	for a, err := range e.c.Allowlist.List(ctx, e.domain, nil) {
		if err != nil {
			return err
		}
		fmt.Printf("allowlisted %s: %s (%s)\n", a.Type, a.Value, a.Reason)
	}
	if err := e.c.Allowlist.Delete(ctx, e.domain, "test.example.org"); err != nil {
		return err
	}
	fmt.Println("removed test.example.org from the allowlist")
	return nil
}

// showSuppressions prints up to five entries of a suppression list.
func showSuppressions[T any](what string, items iter.Seq2[T, error], show func(T) string) error {
	n := 0
	for item, err := range items {
		if err != nil {
			return err
		}
		if n == 5 {
			fmt.Println("...")
			break
		}
		fmt.Printf("%s: %s\n", what, show(item))
		n++
	}
	if n == 0 {
		fmt.Printf("no %s on the list\n", what)
	}
	return nil
}
