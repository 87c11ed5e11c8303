package mailgun

// StatsService reads aggregated event counters (/v3/.../stats, /v3/{domain}/aggregates).
//
// Deprecated: Mailgun deprecated the Stats API; use MetricsService.
type StatsService service
