package mailgun

// MetricsService queries aggregated sending metrics and account usage (/v1/analytics/metrics), the replacement of the Stats API.
type MetricsService service
