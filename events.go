package mailgun

// EventsService reads and polls a domain's event log (/v3/{domain}/events).
//
// Deprecated: Mailgun deprecated the Events API; use LogsService.
type EventsService service
