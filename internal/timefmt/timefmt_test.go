package timefmt

import (
	"testing"
	"time"
)

func TestParseRFC2822(t *testing.T) {
	want := time.Date(2025, 12, 1, 1, 49, 40, 0, time.UTC)
	for _, s := range []string{
		"Mon, 01 Dec 2025 01:49:40 UTC",
		"Mon, 1 Dec 2025 01:49:40 UTC",
		"Mon, 01 Dec 2025 01:49:40 GMT",
		"Mon, 01 Dec 2025 01:49:40 +0000",
		"Mon, 01 Dec 2025 02:49:40 +0100",
		"01 Dec 2025 01:49:40 +0000",
		"  Mon,  1 Dec 2025 01:49:40 UTC ",
	} {
		got, err := ParseRFC2822(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if !got.Equal(want) {
			t.Errorf("%q: got %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"", "2025-12-01T01:49:40Z", "Mon, 01 Dec 2025", "yesterday"} {
		if _, err := ParseRFC2822(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func TestFormatRFC2822(t *testing.T) {
	tm := time.Date(2011, 10, 3, 18, 2, 0, 0, time.FixedZone("", -5*3600))
	if got, want := FormatRFC2822(tm), "Mon, 3 Oct 2011 18:02:00 -0500"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	back, err := ParseRFC2822(FormatRFC2822(tm))
	if err != nil || !back.Equal(tm) {
		t.Errorf("round trip: %v %v", back, err)
	}
}

func TestParse(t *testing.T) {
	want := time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC)
	for _, s := range []string{"Thu, 11 Dec 2025 01:49:40 UTC", "Thu, 11 Dec 2025 01:49:40 +0000", "11 Dec 2025 01:49:40 GMT", "2025-12-11T01:49:40Z", " 2025-12-11T02:49:40+01:00 "} {
		got, err := Parse(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := Parse("  "); err != nil || !got.IsZero() {
		t.Errorf("Parse(blank) = %v, %v; want the zero time", got, err)
	}
	for _, s := range []string{"yesterday", "2025-13-45", "1700000000"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded", s)
		}
	}
}
