package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/mgkit/mailgun"
)

// errorsStep shows the error types: input checked before sending, and an
// API error matched by status.
func errorsStep(ctx context.Context, e *env) error {
	err := e.c.Do(ctx, "GET", "/v3/"+e.domain+"/no-such-endpoint", nil, nil)
	var apiErr *mailgun.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("expected an API error, got %v", err)
	}
	fmt.Printf("unknown endpoint: status %d, errors.Is(err, mailgun.ErrNotFound) = %v\n",
		apiErr.StatusCode, errors.Is(err, mailgun.ErrNotFound))

	_, err = mailgun.NewClient("")
	fmt.Printf("empty key: %v (errors.Is ErrInvalidArgument = %v)\n", err, errors.Is(err, mailgun.ErrInvalidArgument))
	return nil
}
