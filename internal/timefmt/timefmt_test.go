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
