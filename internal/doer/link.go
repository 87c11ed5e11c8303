package doer

import (
	"fmt"
	"net/url"
	"strings"
)

// LinkTarget decides where an absolute URL returned by the API (a stored
// message's storage URL, which may name a host such as
// storage-us-east4.api.mailgun.net) is sent, so that the API key never
// leaves the client's hosts. It returns the URL to request and its escaped
// path (for errors and logs).
//
// With Config.TrustSubdomains (a region client), the link is used as it
// is when its scheme is the base URL's and its host is the base host or a
// subdomain of it, on the base's port; any other host is an error. Without
// it (a custom base URL: a proxy or a fake), the link's path and query,
// from its API version segment on, are sent to the base URL whatever host
// it names. A link without an API version in its path, with credentials,
// or with "." or ".." segments is an error either way.
func (d *Doer) LinkTarget(link string) (target, path string, err error) {
	u, err := url.Parse(link)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", "", fmt.Errorf("link is not an absolute URL")
	}
	if u.User != nil {
		return "", "", fmt.Errorf("link must not carry credentials")
	}
	cursor, err := CursorFromLink(link)
	if err != nil {
		return "", "", err
	}
	path, _, _ = strings.Cut(cursor, "?")
	if !d.trustSubdomains {
		return d.base + cursor, path, nil
	}
	base, err := url.Parse(d.base)
	if err != nil {
		return "", "", fmt.Errorf("base URL does not parse")
	}
	if !strings.EqualFold(u.Scheme, base.Scheme) || u.Port() != base.Port() || !underHost(u.Hostname(), base.Hostname()) {
		return "", "", fmt.Errorf("link host %q is not %s or one of its subdomains: the API key is sent only there", truncate(u.Host, 80), base.Hostname())
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + cursor, path, nil
}

// underHost reports whether host is base or a subdomain of it (ASCII case
// ignored; a trailing dot or an empty label never matches).
func underHost(host, base string) bool {
	host, base = strings.ToLower(host), strings.ToLower(base)
	if host == base {
		return true
	}
	sub, ok := strings.CutSuffix(host, "."+base)
	if !ok || sub == "" {
		return false
	}
	for _, label := range strings.Split(sub, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
