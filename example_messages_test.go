package mailgun_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// standInMailgun is a minimal stand-in for the send endpoint: it prints
// what it received and answers with the message's Message-Id, as Mailgun
// does when the sender sets one.
func standInMailgun() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, key, _ := r.BasicAuth(); key != "key-example" || !strings.HasSuffix(r.URL.Path, "/messages") {
			http.Error(w, "Forbidden", http.StatusUnauthorized)
			return
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
			http.Error(w, `{"message":"bad form"}`, http.StatusBadRequest)
			return
		}
		files := ""
		if r.MultipartForm != nil {
			for _, f := range r.MultipartForm.File["attachment"] {
				files += fmt.Sprintf(", attachment %s (%d bytes)", f.Filename, f.Size)
			}
		}
		fmt.Printf("mailgun got: to %s%s\n", strings.Join(r.Form["to"], ", "), files)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"id": r.FormValue("h:Message-Id"), "message": "Queued. Thank you."})
	}))
}

// standInClient returns a client of standInMailgun and a function that
// stops it.
func standInClient() (*mailgun.Client, func()) {
	mg := standInMailgun()
	c, err := mailgun.NewClient("key-example", mailgun.WithBaseURL(mg.URL))
	if err != nil {
		log.Fatal(err)
	}
	return c, mg.Close
}

func ExampleMessagesService_Send() {
	c, done := standInClient()
	defer done()

	res, err := c.Messages.Send(context.Background(), "mg.example.com", &mailgun.Message{
		From:    "Tea Shop <orders@mg.example.com>",
		To:      []string{"Alice <alice@example.org>"},
		Subject: "Your receipt",
		Text:    "Thank you for your order.",
		Tags:    []string{"receipt"},
		// Attachments are streamed; mailgun.FileAttachment(path) reads a file.
		Attachments: []mailgun.Attachment{{Filename: "receipt.txt", ContentType: "text/plain", Content: strings.NewReader("1 x green tea\n")}},
		// Optional: without it Send generates one. Keep it to find the message later.
		MessageID: "order-1042@mg.example.com",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ID, res.Message)
	// Output:
	// mailgun got: to Alice <alice@example.org>, attachment receipt.txt (14 bytes)
	// <order-1042@mg.example.com> Queued. Thank you.
}

func ExampleMessagesService_SendBatch() {
	c, done := standInClient()
	defer done()

	// Each recipient gets a copy of their own; %recipient.name% is theirs.
	msg := &mailgun.Message{
		From:    "news@mg.example.com",
		Subject: "Hello %recipient.name%",
		Text:    "Your code is %recipient.code%.",
	}
	res, err := c.Messages.SendBatch(context.Background(), "mg.example.com", msg, []mailgun.BatchRecipient{
		{Address: "alice@example.org", Variables: map[string]any{"name": "Alice", "code": "A-1"}},
		{Address: "bob@example.net", Variables: map[string]any{"name": "Bob", "code": "B-2"}},
	})
	if err != nil {
		log.Fatal(err) // a *mailgun.BatchSendError says which recipients were sent
	}
	for _, p := range res.Parts {
		fmt.Printf("recipients %d to %d: accepted: %t\n", p.Start, p.End-1, p.ID != "")
	}
	// Output:
	// mailgun got: to alice@example.org, bob@example.net
	// recipients 0 to 1: accepted: true
}

func ExampleFileAttachment() {
	c, done := standInClient()
	defer done()
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "report.csv")
	if err = os.WriteFile(path, []byte("day,orders\nmon,12\n"), 0o600); err != nil {
		log.Fatal(err)
	}

	// The file is opened while the request is sent (and again for a retry).
	_, err = c.Messages.Send(context.Background(), "mg.example.com", &mailgun.Message{
		From: "reports@mg.example.com", To: []string{"ops@example.org"},
		Subject: "Report", Text: "Attached.",
		Attachments: []mailgun.Attachment{mailgun.FileAttachment(path)},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// mailgun got: to ops@example.org, attachment report.csv (18 bytes)
}

// A send whose outcome is unknown may have been accepted: look for its
// Message-Id before sending it again.
func ExampleSendError() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	sentAt := time.Now()

	// Mailgun answers 503 after it received the request.
	srv.Fail(http.MethodPost, "/v3/*/messages", mailguntest.Fault{Status: http.StatusServiceUnavailable}, 1)
	msg := &mailgun.Message{
		From: "orders@example.com", To: []string{"alice@example.org"},
		Subject: "Your receipt", Text: "Thank you.",
	}
	_, err := c.Messages.Send(ctx, "example.com", msg)
	var se *mailgun.SendError
	if !errors.As(err, &se) || !errors.Is(err, mailgun.ErrOutcomeUnknown) {
		log.Fatal(err) // refused (or invalid): nothing was sent, fix and send again
	}
	fmt.Println("outcome unknown; the message has a Message-Id:", se.MessageID != "")

	// Here it was accepted after all (the fake is told so).
	srv.AddEvents("example.com", mailgun.Event{
		Event: mailgun.EventAccepted, Recipient: "alice@example.org",
		Message: &mailgun.EventMessage{Headers: mailgun.MessageHeaders{MessageID: strings.Trim(se.MessageID, "<>")}},
	})

	// Reconcile: search the domain's log around the send for the Message-Id
	// (Events can filter on it directly: EventFilter{MessageID: se.MessageID}).
	q := mailgun.LogsQuery{
		Start:  sentAt.Add(-time.Minute),
		End:    time.Now().Add(time.Minute),
		Events: []mailgun.EventName{mailgun.EventAccepted},
		Filter: []mailgun.FilterPredicate{mailgun.FilterDomain.Is("example.com")},
	}
	found := false
	for it, err := range c.Logs.List(ctx, q) {
		if err != nil {
			log.Fatal(err)
		}
		if it.Message != nil && "<"+it.Message.Headers.MessageID+">" == se.MessageID {
			found = true
			break
		}
	}
	if found {
		fmt.Println("accepted: do not send it again")
	} else {
		fmt.Println("not in the log: send it again (with the same MessageID)")
	}
	// Output:
	// outcome unknown; the message has a Message-Id: true
	// accepted: do not send it again
}
