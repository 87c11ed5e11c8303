package mailgun

// AllowlistService manages a domain's allowlist: addresses and domains that are never added to the bounce list (/v3/{domain}/whitelists).
type AllowlistService service
