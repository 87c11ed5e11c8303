package mailguntest_test

//lint:file-ignore SA1019 the test reads the deprecated Events API too, which the fake still serves.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// TestRoutesDomainCaseIsOneDomain: domain names are case-insensitive, so
// MG.EXAMPLE.COM and mg.example.com are one domain for every per-domain
// resource, through the API and the seeding helpers alike: a send to the
// upper-case name is suppressed by a bounce seeded on the lower-case one,
// and its events list under either name.
func TestRoutesDomainCaseIsOneDomain(t *testing.T) {
	l := newLifecycle(t)
	ctx := context.Background()
	upper := strings.ToUpper(domain)
	l.srv.AddBounces(domain, mailgun.Bounce{Address: "bob@example.org"})
	var out map[string]string
	require.NoError(t, l.c.Do(ctx, "POST", "/v3/"+upper+"/messages", basic("bob@example.org"), &out))
	l.clock.Advance(time.Second)
	msgs := l.srv.Messages(domain)
	require.Len(t, msgs, 1)
	assert.Equal(t, mailguntest.DeliveryFailed, msgs[0].Recipients[0].State, "suppressed by the bounce on "+domain)
	assert.Len(t, l.srv.Events(domain), 2, "accepted and failed, listed under "+domain)
	assert.Len(t, l.srv.Events(upper), 2, "and under "+upper)
	assert.Equal(t, "/v3/"+upper+"/messages", l.srv.Requests()[0].Path, "the request log keeps the path as sent")

	// The API reads what the helpers seeded, and the other way round.
	_, err := l.c.Bounces.Get(ctx, upper, "bob@example.org")
	assert.NoError(t, err)
	l.srv.AddUnsubscribes(upper, mailgun.Unsubscribe{Address: "ann@example.org"})
	_, err = l.c.Unsubscribes.Get(ctx, domain, "ann@example.org")
	assert.NoError(t, err)
	rc := newReceiver(t, l)
	_, err = l.c.DomainWebhooks.Create(ctx, upper, mailgun.WebhookEventDelivered, rc.URL)
	require.NoError(t, err)
	assert.Equal(t, []string{rc.URL}, l.srv.DomainWebhooks(domain)[mailgun.WebhookEventDelivered])
	l.sendAndDeliver(t, basic("carol@example.org"))
	assert.Len(t, rc.received(), 1, "the webhook registered on "+upper+" gets the events of "+domain)
	n := 0
	for _, err := range l.c.Events.List(ctx, upper, &mailgun.EventsQuery{Begin: period.start, End: period.end}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 4, n, "the Events API under "+upper)
}
