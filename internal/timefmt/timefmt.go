// Package timefmt reads and writes the time formats of the Mailgun API.
package timefmt

import (
	"fmt"
	"strings"
	"time"
)

// RFC2822 is the layout the SDK sends: a numeric offset, never a zone
// abbreviation, which Mailgun may misread.
const RFC2822 = "Mon, 2 Jan 2006 15:04:05 -0700"

// rfc2822Layouts are the shapes seen in responses: zone names (UTC, GMT) or
// numeric offsets, one- or two-digit days, with or without the weekday.
var rfc2822Layouts = []string{
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
}

// ParseRFC2822 parses an RFC 2822 date such as "Thu, 11 Dec 2025 01:49:40
// UTC" or "Thu, 13 Oct 2011 18:02:00 +0000". Zone names other than UTC and
// GMT keep the offset Go assigns them (zero for unknown names).
func ParseRFC2822(s string) (time.Time, error) {
	// The common shape first, without copying s.
	if t, err := time.Parse(rfc2822Layouts[0], s); err == nil {
		return t, nil
	}
	s = strings.Join(strings.Fields(s), " ")
	for _, layout := range rfc2822Layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not an RFC 2822 date", s)
}

// Parse reads a date as Mailgun writes them: RFC 2822 (as ParseRFC2822
// reads it) or RFC 3339. A blank s is the zero time.
func Parse(s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	t, err := ParseRFC2822(s)
	if err == nil {
		return t, nil
	}
	if t, err3339 := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err3339 == nil {
		return t, nil
	}
	return time.Time{}, err
}

// FormatRFC2822 formats t with a numeric offset, as Mailgun's docs advise.
func FormatRFC2822(t time.Time) string { return t.Format(RFC2822) }
