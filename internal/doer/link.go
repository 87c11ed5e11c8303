package doer

import (
	"fmt"
	"net/url"
	"strings"
)

// LinkTarget decides where an absolute URL returned by the API (a stored
// message's storage URL, which may name a host such as
// storage-us-east4.api.mailgun.net or, for EU domains,
// storage-europe-west1.api.mailgun.net or storage.eu.mailgun.net) is sent,
// so that the API key never reaches a host that is not Mailgun's own. It
// returns the URL to request and its escaped path (for errors and logs).
//
// With Config.MailgunLinks (a region client), the link is used as it is
// when it is https on the default port and its host is a Mailgun API host
// (see mailgunHost): api.mailgun.net, api.eu.mailgun.net or a subdomain of
// either, or a storage host directly under mailgun.net or eu.mailgun.net
// (storage.eu.mailgun.net, storage-<name>.mailgun.net). This holds for
// both regions: an API key is valid in each, and EU events name storage
// hosts under api.mailgun.net. Any other host, scheme or port is an error.
// Without it (a custom base URL: a proxy or a fake), the link's path and
// query, from its API version segment on, are sent to the base URL
// whatever host it names. A link without an API version in its path, with
// credentials, or with "." or ".." segments is an error either way.
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
	if !d.mailgunLinks {
		return d.base + cursor, path, nil
	}
	if !strings.EqualFold(u.Scheme, "https") || u.Port() != "" || !mailgunHost(u.Hostname()) {
		return "", "", fmt.Errorf("link %q is not https to a Mailgun API or storage host on the default port: the API key is sent only there",
			truncate(u.Scheme+"://"+u.Host, 90))
	}
	return "https://" + strings.ToLower(u.Host) + cursor, path, nil
}

// mailgunAPIHosts are the regions' API hosts; they and their subdomains
// (storage-us-east4.api.mailgun.net, storage-europe-west1.api.mailgun.net)
// are Mailgun's.
var mailgunAPIHosts = []string{"api.mailgun.net", "api.eu.mailgun.net"}

// mailgunStorageZones hold Mailgun's storage hosts whose first label is
// "storage" or starts with "storage-" (storage.eu.mailgun.net).
var mailgunStorageZones = []string{"mailgun.net", "eu.mailgun.net"}

// mailgunHost reports whether host is one of Mailgun's API or storage
// hosts: an API host or a subdomain of one, or a storage host directly
// under a storage zone. Other names under mailgun.net are not trusted: a
// subdomain may be served by a third party (a status or help page).
func mailgunHost(host string) bool {
	host = strings.ToLower(host)
	for _, api := range mailgunAPIHosts {
		if underHost(host, api) {
			return true
		}
	}
	for _, zone := range mailgunStorageZones {
		label, ok := strings.CutSuffix(host, "."+zone)
		if ok && (label == "storage" || strings.HasPrefix(label, "storage-") && validLabel(label)) {
			return true
		}
	}
	return false
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
		if !validLabel(label) {
			return false
		}
	}
	return true
}

// validLabel reports whether label is a non-empty run of lower-case
// letters, digits and hyphens.
func validLabel(label string) bool {
	if label == "" {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
