package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// receipt is the attachment of the message.
const receipt = "1 x green tea   3.50\n1 x scone       2.75\ntotal           6.25\n"

// sendStep sends a message with an attachment, follows it through the
// Logs API until it is delivered (or fails), and, against the fake,
// receives its "delivered" webhook on a local WebhookHandler.
func sendStep(ctx context.Context, e *env) error {
	if e.to == "" {
		e.printf("read-only: set MAILGUN_QUICKSTART_SEND=1, MAILGUN_DOMAIN and MAILGUN_QUICKSTART_TO to send a message")
		return nil
	}
	var hook *receiver
	if e.live() {
		e.printf("(Mailgun cannot reach a webhook handler on this machine: see examples/batch-service)")
	} else {
		var err error
		if hook, err = listen(ctx, e); err != nil {
			return err
		}
		defer hook.close()
	}

	sentAt := time.Now()
	res, err := e.c.Messages.Send(ctx, e.domain, &mailgun.Message{
		From:    "Tea Shop <orders@" + e.domain + ">",
		To:      []string{e.to},
		Subject: "Your receipt",
		Text:    "Thank you for your order. Your receipt is attached.",
		// Attachments are streamed while the request is sent;
		// mailgun.FileAttachment(path) reads a file.
		Attachments: []mailgun.Attachment{{Filename: "receipt.txt", ContentType: "text/plain", Content: strings.NewReader(receipt)}},
		Tags:        []string{"quickstart"},
	})
	if err != nil {
		// When errors.Is(err, mailgun.ErrOutcomeUnknown), Mailgun may have
		// accepted it: look for the *mailgun.SendError's MessageID in the
		// Logs before sending it again.
		return err
	}
	e.printf("sent %s with receipt.txt attached: %s", res.ID, res.Message)

	if _, err := watch(ctx, e, res.ID, sentAt); err != nil || hook == nil {
		return err
	}
	select {
	case ev := <-hook.events:
		sameID := ev.Message != nil && "<"+ev.Message.Headers.MessageID+">" == res.ID
		e.printf("webhook: signature verified: %s %s, same Message-Id: %t", ev.Event, ev.Recipient, sameID)
	case <-time.After(e.patience):
		return errors.New("no delivered webhook came")
	case <-ctx.Done():
		return ctx.Err()
	}
	status, err := hook.postForged(ctx)
	if err != nil {
		return err
	}
	e.printf("webhook: a forged one is answered %d and never reaches the handler's function", status)
	return nil
}

// receiver is a local WebhookHandler registered as a domain webhook.
type receiver struct {
	srv    *httptest.Server
	url    string
	events chan mailgun.Event
	close  func()
}

// listen serves a WebhookHandler that verifies the fake's signed webhooks
// and passes their events on, and registers it for the domain's delivered
// events. close unregisters and stops it.
func listen(ctx context.Context, e *env) (*receiver, error) {
	r := &receiver{events: make(chan mailgun.Event, 8)}
	// The signing key is the account's "HTTP webhook signing key" (in the
	// dashboard); the token store makes a redelivered webhook count once.
	h := mailgun.WebhookHandler(e.srv.WebhookSigningKey(), func(_ context.Context, wh *mailgun.WebhookEvent) error {
		select {
		case r.events <- wh.EventData:
			return nil
		default:
			return errors.New("too many webhooks") // answered 500: Mailgun retries
		}
	}, mailgun.WithVerifyOptions(mailgun.WithTokenStore(mailgun.NewMemoryTokenStore(0, nil))))
	mux := http.NewServeMux()
	mux.Handle("POST /mailgun/webhooks", h)
	r.srv = httptest.NewServer(mux)
	r.url = r.srv.URL + "/mailgun/webhooks"
	if _, err := e.c.DomainWebhooks.CreateURL(ctx, e.domain, r.url, mailgun.WebhookEventDelivered); err != nil {
		r.srv.Close()
		return nil, err
	}
	r.close = func() {
		_, _ = e.c.DomainWebhooks.DeleteURLs(context.WithoutCancel(ctx), e.domain, r.url)
		r.srv.Close()
	}
	e.printf("webhook: a mailgun.WebhookHandler at %s receives %s's delivered events", r.url, e.domain)
	return r, nil
}

// postForged POSTs a webhook with a made-up signature and returns the answer's status.
func (r *receiver) postForged(ctx context.Context) (int, error) {
	forged := `{"signature":{"timestamp":"1700000000","token":"t","signature":"00"},"event-data":{"event":"delivered"}}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, strings.NewReader(forged))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// watch polls the Logs API until the message with Message-Id id, sent at
// sentAt, is delivered or fails for good, printing each of its events as
// it shows up; it returns the last one.
func watch(ctx context.Context, e *env, id string, sentAt time.Time) (mailgun.LogItem, error) {
	ctx, cancel := context.WithTimeout(ctx, e.patience)
	defer cancel()
	q := mailgun.LogsQuery{
		Start:     sentAt.Add(-time.Minute), // allow for clock skew
		Filter:    []mailgun.FilterPredicate{mailgun.FilterDomain.Is(e.domain)},
		Ascending: true,
		Limit:     mailgun.MaxLogsLimit,
	}
	seen := map[string]bool{}
	tick := time.NewTicker(e.poll)
	defer tick.Stop()
	for {
		for it, err := range e.c.Logs.List(ctx, q) {
			if err != nil {
				return mailgun.LogItem{}, err
			}
			if it.Message == nil || "<"+it.Message.Headers.MessageID+">" != id || seen[it.ID] {
				continue
			}
			seen[it.ID] = true
			e.printf("logs: %s", describe(it))
			if it.Event == mailgun.EventDelivered || it.Event == mailgun.EventFailed && it.Severity == mailgun.SeverityPermanent {
				return it, nil
			}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return mailgun.LogItem{}, fmt.Errorf("%s was not delivered within %v: %w", id, e.patience, ctx.Err())
		}
	}
}

// describe is a log item in a few words: "delivered alice@example.org (250 OK)".
func describe(it mailgun.LogItem) string {
	s := fmt.Sprintf("%-9s %s", it.Event, it.Recipient)
	if ds := it.DeliveryStatus; ds != nil && ds.Code != 0 {
		text := ds.Message
		if text == "" {
			text = ds.Description
		}
		s += fmt.Sprintf(" (%d %s)", ds.Code, text)
	}
	if it.Reason != "" && it.Event == mailgun.EventFailed {
		s += ", reason " + it.Reason
	}
	return s
}
