package mailgun

// TrackingService manages a domain's open, click and unsubscribe tracking, and the HTTPS certificate of its tracking host (/v3/domains/{domain}/tracking, /v2/x509).
type TrackingService service
