package doer

import (
	"fmt"
	"net/url"
	"strings"
)

const upperHex = "0123456789ABCDEF"

// EscapeSegment percent-encodes every byte of s outside A-Z a-z 0-9 - . _ ~,
// so that s reaches the server as exactly one path segment. Unlike
// url.PathEscape it also encodes '+', which Mailgun decodes as a space.
func EscapeSegment(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// BuildPath joins segments into an escaped absolute path ("/v3/example.com/bounces").
// It rejects empty, "." and ".." segments, which a server would collapse
// into a different resource.
func BuildPath(segments []string) (string, error) { return buildURL("", segments) }

// buildURL returns base followed by the escaped segments, in one allocation.
func buildURL(base string, segments []string) (string, error) {
	size := len(base)
	for i, s := range segments {
		if err := checkSegment(s); err != nil {
			return "", fmt.Errorf("path segment %d: %w", i+1, err)
		}
		size += 1 + len(s)
		for j := 0; j < len(s); j++ {
			if !unreserved(s[j]) {
				size += 2
			}
		}
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(base)
	for _, s := range segments {
		b.WriteByte('/')
		for j := 0; j < len(s); j++ {
			if c := s[j]; unreserved(c) {
				b.WriteByte(c)
			} else {
				b.WriteByte('%')
				b.WriteByte(upperHex[c>>4])
				b.WriteByte(upperHex[c&15])
			}
		}
	}
	return b.String(), nil
}

func checkSegment(s string) error {
	switch s {
	case "":
		return fmt.Errorf("empty value")
	case ".", "..":
		return fmt.Errorf("%q is not allowed", s)
	}
	return nil
}

// CursorFromLink reduces a paging link returned by the server to its path
// and query, starting at the API version segment ("/v3/..."), so that the
// next page is always fetched from the configured base URL.
func CursorFromLink(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("paging link does not parse")
	}
	p := u.EscapedPath()
	i := versionIndex(p)
	if i < 0 {
		return "", fmt.Errorf("paging link %q has no API version in its path", truncate(u.Path, 80))
	}
	c := p[i:]
	if u.RawQuery != "" {
		c += "?" + u.RawQuery
	}
	if err := CheckCursor(c); err != nil {
		return "", err
	}
	return c, nil
}

// FromVersion returns the part of an escaped path that starts at its API
// version segment ("/prefix/v3/x" gives "/v3/x"), or p when it has none.
func FromVersion(p string) string {
	if i := versionIndex(p); i > 0 {
		return p[i:]
	}
	return p
}

// versionIndex returns the index of the "/vN/" segment in an escaped path, or -1.
func versionIndex(p string) int {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' || i+2 >= len(p) || p[i+1] != 'v' {
			continue
		}
		j := i + 2
		for j < len(p) && '0' <= p[j] && p[j] <= '9' {
			j++
		}
		if j > i+2 && (j == len(p) || p[j] == '/') {
			return i
		}
	}
	return -1
}

// CheckCursor reports whether c is a version-rooted path and query that can
// be appended to the base URL without leaving it.
func CheckCursor(c string) error {
	if !strings.HasPrefix(c, "/v") || strings.HasPrefix(c, "//") {
		return fmt.Errorf("cursor must start with an API version path such as /v3/")
	}
	u, err := url.Parse(c)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("cursor is not a relative API path")
	}
	if versionIndex(u.EscapedPath()) != 0 {
		return fmt.Errorf("cursor must start with an API version path such as /v3/")
	}
	for _, seg := range strings.Split(u.Path[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("cursor path has an empty, \".\" or \"..\" segment")
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
