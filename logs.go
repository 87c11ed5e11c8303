package mailgun

// LogsService queries the event log of the account (/v1/analytics/logs), the replacement of the Events API.
type LogsService service
