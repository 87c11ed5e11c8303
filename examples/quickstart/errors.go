package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/mgkit/mailgun"
)

// errorsStep shows the errors to branch on: an API error matched by
// status, and input checked before anything is sent.
func errorsStep(ctx context.Context, e *env) error {
	err := e.c.Do(ctx, "GET", "/v3/"+e.domain+"/no-such-endpoint", nil, nil)
	var apiErr *mailgun.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("expected an API error, got %v", err)
	}
	e.printf("unknown endpoint: status %d, errors.Is(err, mailgun.ErrNotFound) = %t",
		apiErr.StatusCode, errors.Is(err, mailgun.ErrNotFound))

	// A message without a recipient never leaves the program.
	_, err = e.c.Messages.Send(ctx, e.domain, &mailgun.Message{From: "orders@" + e.domain, Subject: "Hi", Text: "Hi"})
	e.printf("%v (errors.Is(err, mailgun.ErrInvalidArgument) = %t)", err, errors.Is(err, mailgun.ErrInvalidArgument))
	return nil
}
