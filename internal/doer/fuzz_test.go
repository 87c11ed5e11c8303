package doer

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzEscapeSegment(f *testing.F) {
	for _, s := range []string{"bob+tag@example.org", "a/b", "%2F", "a b", "ü", "?#;", "..", "", "Weekly report: >5%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := EscapeSegment(s)
		for i := 0; i < len(e); i++ {
			if c := e[i]; !unreserved(c) && c != '%' {
				t.Fatalf("EscapeSegment(%q) = %q leaves %q unescaped", s, e, c)
			}
		}
		back, err := url.PathUnescape(e)
		if err != nil || back != s {
			t.Fatalf("EscapeSegment(%q) = %q does not unescape back: %q, %v", s, e, back, err)
		}
		p, err := BuildPath([]string{"v3", s})
		if s == "" || s == "." || s == ".." {
			if err == nil {
				t.Fatalf("BuildPath accepted segment %q", s)
			}
			return
		}
		if err != nil || strings.Count(p, "/") != 2 {
			t.Fatalf("BuildPath(%q) = %q, %v: not exactly two segments", s, p, err)
		}
	})
}

func FuzzCursorFromLink(f *testing.F) {
	for _, s := range []string{
		"https://api.mailgun.net/v3/example.com/bounces?page=next&address=bob%2Bnews%40example.com&limit=100&term=",
		"https://api.mailgun.net/v3/example.com/events/W3siYiI6IjIwMjQifV0=",
		"//evil.example/v3/x", "/v3/../x", "http://h/p/v2/x", "::", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, link string) {
		c, err := CursorFromLink(link)
		if err != nil {
			return
		}
		if CheckCursor(c) != nil || !strings.HasPrefix(c, "/v") || strings.HasPrefix(c, "//") {
			t.Fatalf("CursorFromLink(%q) = %q, which is not a safe cursor", link, c)
		}
		u, err := url.Parse("https://api.mailgun.net" + c)
		if err != nil || u.Host != "api.mailgun.net" {
			t.Fatalf("cursor %q leaves the base host: %v", c, err)
		}
	})
}

func FuzzErrorMessage(f *testing.F) {
	for _, s := range []string{
		`{"message":"Domain not found"}`, `{"Description":"x"}`, `{"Field":"a","Value":"b"}`, `{"Reason":1}`,
		"Forbidden", "<html><title>502 Bad Gateway</title></html>", "", "{", `{"message":null}`, "\x00\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg, _ := errorMessage(body)
		if strings.ContainsAny(msg, "\r\n\t") {
			t.Fatalf("message %q is not one line", msg)
		}
		if utf8.RuneCountInString(msg) > maxMessage+len("HTML page: ")+1 {
			t.Fatalf("message of %d runes is too long", utf8.RuneCountInString(msg))
		}
	})
}
