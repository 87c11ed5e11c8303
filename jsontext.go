package mailgun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/mgkit/mailgun/internal/timefmt"
)

// errNotText is returned for a JSON value that is neither a string nor a number.
var errNotText = errors.New("neither a string nor a number")

// textOf returns a JSON string's value or a JSON number's exact text, for
// fields Mailgun sends either way; null or nothing gives "".
func textOf(raw []byte) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		return jsonString(raw)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", errNotText
	}
	return n.String(), nil
}

// jsonString returns the string a JSON string literal holds. A literal
// without escapes and in valid UTF-8 is copied as it is; anything else goes
// through encoding/json (which also replaces invalid UTF-8).
func jsonString(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// stringOrNull returns a JSON string's value; null gives "". Any other
// value is an error.
func stringOrNull(raw []byte) (string, error) {
	switch {
	case string(raw) == "null":
		return "", nil
	case len(raw) > 0 && raw[0] == '"':
		return jsonString(raw)
	}
	return "", fmt.Errorf("%.40s is not a JSON string", raw)
}

// fastString is a string field of the hot lists (the suppression
// records): it decodes long text faster than encoding/json's string, with
// jsonString (one IndexByte and one utf8.Valid instead of a scan byte by
// byte). null leaves it unchanged, as for a string; any other value is an
// error, which the list rule reads as absent.
type fastString string

func (s *fastString) UnmarshalJSON(raw []byte) error {
	if string(raw) == "null" {
		return nil
	}
	if len(raw) == 0 || raw[0] != '"' {
		return fmt.Errorf("%.40s is not a JSON string", raw)
	}
	v, err := jsonString(raw)
	if err != nil {
		return err
	}
	*s = fastString(v)
	return nil
}

// jsonText reads a value Mailgun sends as a JSON string or a number (an
// SMTP code, a DNS priority, a template name), as its text; null is "".
// Any other value is an error, which the list rule reads as absent.
type jsonText string

func (t *jsonText) UnmarshalJSON(raw []byte) error {
	s, err := textOf(raw)
	if err != nil {
		return err
	}
	*t = jsonText(s)
	return nil
}

// rfc2822Time reads a date of the v3 APIs: RFC 2822, with a zone name or
// a numeric offset, or RFC 3339. null or "" is the zero time. Any other
// value, or a date that does not parse, is an error, which the list rule
// reads as absent.
type rfc2822Time time.Time

func (t *rfc2822Time) UnmarshalJSON(raw []byte) error {
	s, err := stringOrNull(raw)
	if err != nil {
		return fmt.Errorf("time: %w", err)
	}
	v, err := timefmt.Parse(s)
	if err != nil {
		return err
	}
	*t = rfc2822Time(v)
	return nil
}

// rfc2822 formats t for a request, with a numeric offset, or "" for the
// zero time, which leaves the field out so that the API applies its
// default. The format has whole seconds, so a fraction is dropped: right
// for the start of a range.
func rfc2822(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return timefmt.FormatRFC2822(t)
}

// rfc2822End formats the end of a range as rfc2822 does, rounded up to a
// whole second so that the range still holds the events of its own second.
func rfc2822End(t time.Time) string {
	if t.Nanosecond() != 0 {
		t = t.Truncate(time.Second).Add(time.Second)
	}
	return rfc2822(t)
}
