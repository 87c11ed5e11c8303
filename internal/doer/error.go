package doer

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxErrorBody is how much of an error response body is kept.
const MaxErrorBody = 64 << 10

// maxMessage bounds a message taken from a plain-text or HTML body.
const maxMessage = 200

// HTTPError describes a non-2xx response. The client turns it into its public error type.
type HTTPError struct {
	StatusCode int
	Method     string
	Path       string // escaped path, without the query
	Message    string
	Field      string // the parameter named by a {"Field", "Value"} error body
	RetryAfter time.Duration
	Header     http.Header
	Body       []byte // at most MaxErrorBody bytes
}

// errorMessage extracts a one-line human message from an error body: the JSON
// keys message, Description, Reason or error, a {"Field","Value"} pair, the
// title of an HTML page, or a short plain-text body.
func errorMessage(body []byte) (msg, field string) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return "", ""
	}
	if b[0] == '{' {
		var m struct {
			Message     json.RawMessage `json:"message"`
			Description json.RawMessage `json:"Description"`
			Reason      json.RawMessage `json:"Reason"`
			Error       json.RawMessage `json:"error"`
			Field       string          `json:"Field"`
			Value       json.RawMessage `json:"Value"`
		}
		if json.Unmarshal(b, &m) == nil {
			for _, raw := range []json.RawMessage{m.Message, m.Description, m.Reason, m.Error} {
				if s := textOf(raw); s != "" {
					return s, m.Field
				}
			}
			if m.Field != "" {
				if v := textOf(m.Value); v != "" {
					return m.Field + ": " + v, m.Field
				}
				return m.Field + " is invalid", m.Field
			}
			return "", ""
		}
	}
	if looksLikeHTML(b) {
		return htmlSummary(b), ""
	}
	return oneLine(string(b)), ""
}

// textOf returns a JSON string's text, or a short rendering of another JSON value.
func textOf(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return oneLine(s)
	}
	return oneLine(string(raw))
}

func looksLikeHTML(b []byte) bool {
	if b[0] != '<' {
		return false
	}
	head := asciiLower(string(b[:min(len(b), 512)]))
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype") ||
		strings.Contains(head, "<head") || strings.Contains(head, "<body") || strings.Contains(head, "<title")
}

// htmlSummary returns the page's <title> (or first <h1>) as plain text.
func htmlSummary(b []byte) string {
	s := string(b)
	for _, tag := range []string{"title", "h1"} {
		if t := between(s, tag); t != "" {
			return "HTML page: " + oneLine(html.UnescapeString(t))
		}
	}
	return "HTML page"
}

func between(s, tag string) string {
	lower := asciiLower(s) // same length as s, so its indexes fit s
	i := strings.Index(lower, "<"+tag)
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(lower[i:], '>')
	if j < 0 {
		return ""
	}
	start := i + j + 1
	end := strings.Index(lower[start:], "</"+tag)
	if end < 0 {
		return ""
	}
	return strings.TrimSpace(s[start : start+end])
}

// asciiLower lowers A-Z only. Unlike strings.ToLower it never changes the
// length (invalid UTF-8 would become U+FFFD), so indexes stay valid.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// oneLine collapses white space, drops control characters and caps the length.
func oneLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if r == utf8.RuneError || unicode.IsControl(r) {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if b.Len() >= maxMessage {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
