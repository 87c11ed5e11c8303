package mailgun_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// A write whose answer was lost may or may not have been stored: read the
// state back before repeating it.
func Example_outcomeUnknown() {
	srv := mailguntest.Start()
	defer srv.Close()
	// The fake drops the next bounce POST after reading it, without storing it.
	srv.Fail("POST", "/v3/*/bounces", mailguntest.Fault{DropConnection: true}, 1)
	c := srv.Client()
	ctx := context.Background()

	in := mailgun.BounceInput{Address: "bob@example.com", Code: "550"}
	err := c.Bounces.Add(ctx, "example.com", in)
	if errors.Is(err, mailgun.ErrOutcomeUnknown) {
		fmt.Println("outcome unknown; connection error:", errors.Is(err, mailgun.ErrConnection))
		_, gerr := c.Bounces.Get(ctx, "example.com", in.Address)
		switch {
		case gerr == nil:
			fmt.Println("stored after all")
			err = nil
		case errors.Is(gerr, mailgun.ErrNotFound):
			fmt.Println("not stored: adding it again")
			err = c.Bounces.Add(ctx, "example.com", in)
		default:
			err = gerr // still unknown: try again later
		}
	}
	if err != nil {
		log.Fatal(err)
	}
	b, err := c.Bounces.Get(ctx, "example.com", in.Address)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Address, b.Code)
	// Output:
	// outcome unknown; connection error: true
	// not stored: adding it again
	// bob@example.com 550
}
