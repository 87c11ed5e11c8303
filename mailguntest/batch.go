package mailguntest

import (
	"regexp"
	"strings"
)

// Batch sends: with recipient-variables, Mailgun sends each recipient a
// copy of their own (sending.md 1.1): %recipient.key% in the subject and
// the body is replaced by that recipient's value, and a template reads the
// recipient's values under "recipient" ({{recipient.key}}, Mailgun's
// template variables page). The stored MIME is the message as sent; each
// Recipient holds the parts of its copy.

// recipientPlaceholder is %recipient.key%.
var recipientPlaceholder = regexp.MustCompile(`%recipient\.([^%\s]+)%`)

// recipientCopyLocked returns the subject, text and HTML of the copy of st
// that address gets: the message's own, unless st is a batch send that
// has values for address. rendered says st's template was rendered by the
// fake (a form send), ownSubject is the subject the send set itself.
func (s *Server) recipientCopyLocked(st *storedMessage, address string, rendered bool, ownSubject string) (subject, text, html string) {
	m := &st.msg
	subject, text, html = m.Subject, st.text, st.html
	vars, ok := recipientValues(m.RecipientVariables, address)
	if !ok {
		return subject, text, html
	}
	if rendered && m.TemplateError == "" {
		ctx := cloneJSONMap(m.TemplateVariables)
		if ctx == nil {
			ctx = map[string]any{}
		}
		ctx["recipient"] = vars
		if r, err := s.renderStoredTemplateLocked(m.Domain, m.Template, m.TemplateVersion, ctx); err == nil {
			html = r.HTML
			if m.TemplateText {
				text = r.Text
			}
			if ownSubject == "" {
				subject = r.Headers.Subject
			}
		}
	}
	return substituteRecipient(subject, vars), substituteRecipient(text, vars), substituteRecipient(html, vars)
}

// recipientValues returns the recipient-variables of address (its key
// matched without regard to case); ok is false when it has none.
func recipientValues(all map[string]map[string]any, address string) (vars map[string]any, ok bool) {
	if vars, ok = all[address]; ok {
		return vars, true
	}
	for k, v := range all {
		if strings.EqualFold(k, address) {
			return v, true
		}
	}
	return nil, false
}

// substituteRecipient replaces each %recipient.key% of s with the value
// of key in vars (strings as they are, other values as JSON); a key vars
// lacks stays as written.
func substituteRecipient(s string, vars map[string]any) string {
	if !strings.Contains(s, "%recipient.") {
		return s
	}
	return recipientPlaceholder.ReplaceAllStringFunc(s, func(p string) string {
		v, ok := vars[p[len("%recipient."):len(p)-1]]
		if !ok {
			return p
		}
		return jsonText(v)
	})
}
