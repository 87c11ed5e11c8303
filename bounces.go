package mailgun

// BouncesService manages a domain's bounce list: addresses whose delivery failed permanently, which Mailgun no longer sends to (/v3/{domain}/bounces).
type BouncesService service
