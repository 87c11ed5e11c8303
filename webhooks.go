package mailgun

// AccountWebhooksService manages account-level webhooks, which receive events of every domain of the account (/v1/webhooks).
type AccountWebhooksService service
