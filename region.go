package mailgun

import (
	"fmt"
	"strings"
)

// Region is the Mailgun region that hosts an account's domains. A domain
// lives in exactly one region; calling the other region's API answers 404
// for that domain.
type Region string

// The regions Mailgun serves.
const (
	RegionUS Region = "us" // https://api.mailgun.net, the default
	RegionEU Region = "eu" // https://api.eu.mailgun.net
)

// String returns the region's name ("us" or "eu").
func (r Region) String() string { return string(r) }

// BaseURL returns the API base URL of r, or "" for an unknown region.
func (r Region) BaseURL() string {
	switch r {
	case RegionUS:
		return "https://api.mailgun.net"
	case RegionEU:
		return "https://api.eu.mailgun.net"
	}
	return ""
}

// ParseRegion reads a region name such as "us" or "EU" (case-insensitive).
// An empty string is RegionUS; anything else is an error wrapping
// ErrInvalidArgument.
func ParseRegion(s string) (Region, error) {
	r := Region(strings.ToLower(strings.TrimSpace(s)))
	if r == "" {
		return RegionUS, nil
	}
	if r.BaseURL() == "" {
		return "", fmt.Errorf("%w: unknown region %q (want %q or %q)", ErrInvalidArgument, s, RegionUS, RegionEU)
	}
	return r, nil
}
