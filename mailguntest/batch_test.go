package mailguntest_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

// copies returns each recipient's subject, text and HTML by address.
func copies(t *testing.T, l *lifecycle, id string) map[string][3]string {
	t.Helper()
	msg, ok := l.srv.Message(id)
	require.True(t, ok)
	out := map[string][3]string{}
	for _, r := range msg.Recipients {
		out[r.Address] = [3]string{r.Subject, r.Text, r.HTML}
	}
	return out
}

// TestBatchRecipientCopies: with recipient-variables, Mailgun sends each
// recipient a copy with %recipient.key% replaced by its values
// (sending.md 1.1); each Recipient of the stored Message holds the parts
// of its copy, so a batch test can check what each recipient got.
func TestBatchRecipientCopies(t *testing.T) {
	l := newLifecycle(t)
	res := l.send(t, url.Values{
		"from": {"shop@" + domain}, "to": {"ann@example.org", "Ben <ben@example.org>", "carol@example.org"},
		"subject":             {"Hi %recipient.name%"},
		"text":                {"Order %recipient.order% for %recipient.name%%recipient.missing%"},
		"html":                {"<p>%recipient.name%: %recipient.vip%</p>"},
		"recipient-variables": {`{"ann@example.org": {"name": "Ann", "order": 17, "vip": true}, "BEN@example.org": {"name": "Ben", "order": 18.5}}`},
	})
	assert.Equal(t, map[string][3]string{
		"ann@example.org": {"Hi Ann", "Order 17 for Ann%recipient.missing%", "<p>Ann: true</p>"},
		"ben@example.org": {"Hi Ben", "Order 18.5 for Ben%recipient.missing%", "<p>Ben: %recipient.vip%</p>"},
		"carol@example.org": {"Hi %recipient.name%", "Order %recipient.order% for %recipient.name%%recipient.missing%",
			"<p>%recipient.name%: %recipient.vip%</p>"},
	}, copies(t, l, res.ID), "a key the recipient lacks, or a recipient without values, stays as written")
	msg, _ := l.srv.Message(res.ID)
	assert.Contains(t, string(msg.MIME), "%recipient.name%", "the stored MIME is the message as sent")

	// Without recipient-variables every recipient gets the message itself.
	res = l.send(t, basic("ann@example.org", "ben@example.org"))
	msg, _ = l.srv.Message(res.ID)
	for _, r := range msg.Recipients {
		assert.Equal(t, [3]string{msg.Subject, msg.Text, ""}, [3]string{r.Subject, r.Text, r.HTML})
	}
}

// TestBatchTemplateRecipientVariables: Mailgun's template variables page:
// in a templated batch send, each recipient's values are available under
// recipient ({{recipient.key}}), in the content and the template's
// headers, next to the shared t:variables.
func TestBatchTemplateRecipientVariables(t *testing.T) {
	l := newLifecycle(t)
	_, err := l.c.Templates.Create(context.Background(), domain, mailgun.TemplateInput{
		Name: "news", Version: &mailgun.TemplateVersionInput{Tag: "v1",
			Template: "<p>Hi {{recipient.name}}, {{month}}{{#each recipient.items}} [{{this}}]{{/each}} %recipient.code%</p>",
			Headers:  mailgun.TemplateHeaders{Subject: "{{month}} for {{recipient.name}}", From: "shop@" + domain}},
	})
	require.NoError(t, err)
	res := l.send(t, url.Values{
		"to": {"ann@example.org", "ben@example.org"}, "template": {"news"}, "t:text": {"yes"},
		"t:variables":         {`{"month": "March"}`},
		"recipient-variables": {`{"ann@example.org": {"name": "Ann", "items": ["tea"], "code": "A1"}, "ben@example.org": {"name": "Ben", "code": "B2"}}`},
	})
	assert.Equal(t, map[string][3]string{
		"ann@example.org": {"March for Ann", "Hi Ann, March [tea] A1", "<p>Hi Ann, March [tea] A1</p>"},
		"ben@example.org": {"March for Ben", "Hi Ben, March B2", "<p>Hi Ben, March B2</p>"},
	}, copies(t, l, res.ID))

	// A subject the send sets wins over the template's, and is substituted.
	res = l.send(t, url.Values{
		"to": {"ann@example.org"}, "template": {"news"}, "subject": {"Yours, %recipient.name%"},
		"recipient-variables": {`{"ann@example.org": {"name": "Ann", "code": "A1"}}`},
	})
	assert.Equal(t, "Yours, Ann", copies(t, l, res.ID)["ann@example.org"][0])
}
