package mailguntest

import (
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// tally holds counters named like the Metrics API's counts
// ("delivered_count"). Stats, Metrics and Logs (metric_events) all read
// them from countEvent, so the numbers of the four APIs agree.
type tally map[string]int64

func (t tally) add(o tally) {
	for k, v := range o {
		t[k] += v
	}
}

// uniques tells which opened and clicked events are the first of their
// recipient and message (by seq), for the unique counters.
type uniques map[int64]bool

// findUniques marks the first open and the first click of each recipient
// and message among events (sorted oldest first).
func findUniques(events []*storedEvent) uniques {
	u := uniques{}
	seen := map[[3]string]bool{}
	for _, e := range events {
		if e.ev.Event != mailgun.EventOpened && e.ev.Event != mailgun.EventClicked {
			continue
		}
		msgID := ""
		if e.ev.Message != nil {
			msgID = e.ev.Message.Headers.MessageID
		}
		k := [3]string{string(e.ev.Event), strings.ToLower(e.ev.Recipient), msgID}
		if !seen[k] {
			seen[k] = true
			u[e.seq] = true
		}
	}
	return u
}

func isTrue(b *bool) bool { return b != nil && *b }

// countEvent adds e's counters to t. The fake's classification:
//   - accepted: incoming when routed or explicitly not authenticated,
//     outgoing otherwise;
//   - delivered: http when the envelope transport is "http", smtp
//     otherwise; first attempt when attempt-no is at most 1;
//   - failed temporary: esp block when the reason is "espblock";
//   - failed permanent: suppress-* reasons, delayed bounces
//     (is-delayed-bounce), "old", "espblock", and bounces otherwise;
//   - opened and clicked, unique for the first per recipient and message.
func countEvent(t tally, e *storedEvent, u uniques) {
	ev := &e.ev
	switch ev.Event {
	case mailgun.EventAccepted:
		t["accepted_count"]++
		t["processed_count"]++
		if ev.Flags != nil && (isTrue(ev.Flags.IsRouted) || ev.Flags.IsAuthenticated != nil && !*ev.Flags.IsAuthenticated) {
			t["accepted_incoming_count"]++
		} else {
			t["accepted_outgoing_count"]++
		}
	case mailgun.EventDelivered:
		t["delivered_count"]++
		t["sent_count"]++
		if ev.Envelope != nil && strings.EqualFold(ev.Envelope.Transport, "http") {
			t["delivered_http_count"]++
		} else {
			t["delivered_smtp_count"]++
		}
		if ev.DeliveryStatus != nil && ev.DeliveryStatus.AttemptNo > 1 {
			t["delivered_subsequent_count"]++
			t["delivered_two_plus_attempts_count"]++
		} else {
			t["delivered_first_attempt_count"]++
		}
	case mailgun.EventFailed:
		t["failed_count"]++
		if ev.Severity == mailgun.SeverityTemporary {
			t["temporary_failed_count"]++
			t["soft_bounces_count"]++
			t["bounced_count"]++
			if ev.Reason == mailgun.ReasonESPBlock {
				t["temporary_failed_esp_block_count"]++
				t["esp_block_count"]++
			}
			if ev.DeliveryStatus == nil || ev.DeliveryStatus.AttemptNo <= 1 {
				t["delayed_first_attempt_count"]++
			}
			return
		}
		t["permanent_failed_count"]++
		switch {
		case ev.Reason == mailgun.ReasonSuppressBounce:
			t["suppressed_bounces_count"]++
		case ev.Reason == mailgun.ReasonSuppressUnsubscribe:
			t["suppressed_unsubscribed_count"]++
		case ev.Reason == mailgun.ReasonSuppressComplaint:
			t["suppressed_complaints_count"]++
		case ev.Flags != nil && isTrue(ev.Flags.IsDelayedBounce):
			t["delayed_bounce_count"]++
			t["sent_count"]++
		case ev.Reason == mailgun.ReasonESPBlock:
			t["permanent_failed_esp_block_count"]++
			t["esp_block_count"]++
			t["sent_count"]++
		case ev.Reason == mailgun.ReasonOld:
			t["permanent_failed_old_count"]++
			t["sent_count"]++
		default:
			t["hard_bounces_count"]++
			t["bounced_count"]++
			t["sent_count"]++
		}
	case mailgun.EventStored:
		t["stored_count"]++
	case mailgun.EventOpened:
		t["opened_count"]++
		if u[e.seq] {
			t["unique_opened_count"]++
		}
	case mailgun.EventClicked:
		t["clicked_count"]++
		if u[e.seq] {
			t["unique_clicked_count"]++
		}
	case mailgun.EventUnsubscribed:
		t["unsubscribed_count"]++
	case mailgun.EventComplained:
		t["complained_count"]++
	}
}

// alignTime returns the start of the bucket of the given resolution
// ("hour", "day" or "month") that holds t, in UTC.
func alignTime(t time.Time, resolution string) time.Time {
	t = t.UTC()
	switch resolution {
	case "hour":
		return t.Truncate(time.Hour)
	case "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// nextBucket returns the start of the bucket after the one starting at t.
func nextBucket(t time.Time, resolution string) time.Time {
	switch resolution {
	case "hour":
		return t.Add(time.Hour)
	case "month":
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 1)
}

// parsePeriod reads a duration such as "24h", "7d" or "2m" (months) and
// returns the time that long before end.
func parsePeriod(d string, end time.Time) (time.Time, bool) {
	if len(d) < 2 {
		return time.Time{}, false
	}
	n := 0
	for _, c := range d[:len(d)-1] {
		if c < '0' || c > '9' || n > 1e6 {
			return time.Time{}, false
		}
		n = n*10 + int(c-'0')
	}
	if n == 0 {
		return time.Time{}, false
	}
	switch d[len(d)-1] {
	case 'h':
		return end.Add(-time.Duration(n) * time.Hour), true
	case 'd':
		return end.AddDate(0, 0, -n), true
	case 'm':
		return end.AddDate(0, -n, 0), true
	}
	return time.Time{}, false
}

func validResolution(r string) bool { return r == "hour" || r == "day" || r == "month" }
