package mailgun_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

// A handler built with no signing key could only answer 500 to every
// delivery (Mailgun then retries for hours and disables the alert), so both
// constructors panic at once, naming the handler and the problem.
func TestWebhookHandlersPanicOnEmptyKey(t *testing.T) {
	constructors := map[string]func(key string) http.Handler{
		"AlertWebhookHandler": func(key string) http.Handler {
			return mailgun.AlertWebhookHandler(key, func(context.Context, *mailgun.AlertWebhook) error { return nil })
		},
		"WebhookHandler": func(key string) http.Handler {
			return mailgun.WebhookHandler(key, func(context.Context, *mailgun.WebhookEvent) error { return nil })
		},
	}
	for name, build := range constructors {
		for key, problem := range map[string]string{"": "is empty", " ": "is blank", "\t\r\n ": "is blank"} {
			t.Run(fmt.Sprintf("%s/%q", name, key), func(t *testing.T) {
				var msg any
				func() {
					defer func() { msg = recover() }()
					build(key)
				}()
				require.NotNil(t, msg, "a handler without a key must not be built")
				s, ok := msg.(string)
				require.True(t, ok, "the panic value is a message: %#v", msg)
				assert.Contains(t, s, "mailgun: "+name+": signing key "+problem)
			})
		}
		t.Run(name+"/a real key", func(t *testing.T) {
			assert.NotPanics(t, func() { build("key-0123") })
		})
	}
}
