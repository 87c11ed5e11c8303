package mailgun_test

//lint:file-ignore SA1019 the deprecated Stats types still decode server input and are fuzzed too.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/mgkit/mailgun"
)

// responseTypes makes a fresh value of every type the SDK decodes from a
// server response or a webhook body.
var responseTypes = []func() any{
	func() any { return new(mailgun.Bounce) },
	func() any { return new(mailgun.AllowlistEntry) },
	func() any { return new(mailgun.Unsubscribe) },
	func() any { return new(mailgun.Complaint) },
	func() any { return new(mailgun.Event) },
	func() any { return new(mailgun.LogItem) },
	func() any { return new(mailgun.StatsResponse) },
	func() any { return new(mailgun.MetricsResponse) },
	func() any { return new(mailgun.UsageResponse) },
	func() any { return new(mailgun.AlertSettings) },
	func() any { return new(mailgun.AlertSetting) },
	func() any { return new(mailgun.SendAlert) },
	func() any { return new(mailgun.SendAlertList) },
	func() any { return new(mailgun.ThresholdHitList) },
	func() any { return new(mailgun.SlackChannelInfo) },
	func() any { return new(mailgun.AlertWebhook) },
	func() any { return new(mailgun.AccountWebhook) },
	func() any { return new(mailgun.TrackingSettings) },
	func() any { return new(mailgun.TrackingCertificate) },
	func() any { return new(mailgun.CertificateJob) },
	func() any { return new(mailgun.WebhookEvent) },
	func() any { return new(mailgun.Decimal) },
}

// FuzzResponseDecoders feeds arbitrary bytes, seeded with every documented
// example body, to every response type: decoding may fail, never panic.
func FuzzResponseDecoders(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "examples", "*", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"items":null,"paging":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, mk := range responseTypes {
			_ = json.Unmarshal(data, mk())
		}
	})
}
