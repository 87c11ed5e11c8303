package mailgun

// AlertsService manages send alerts: the alert settings of the account (event types, channels, Slack, the webhook signing key) and threshold alerts on sending metrics (/v1/alerts, /v1/thresholds).
type AlertsService service
