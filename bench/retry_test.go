package bench

import "testing"

// BenchmarkRetryOverhead compares a call that succeeds on its first attempt
// under the default retry policy (3 retries) with the same call on a client
// whose retries are disabled (WithMaxRetries(0)). The baseline is shown for
// the ratio. Compare the two SDK rows with
// benchstat -filter '.name:RetryOverhead /client:(sdk-noretry OR sdk-default)' -col /client.
func BenchmarkRetryOverhead(b *testing.B) {
	e := getEnv(b)
	b.Run("client=baseline", func(b *testing.B) {
		loop(b, func() error {
			_, err := e.baseline.GetBounce(bg, Domain, BounceAddress)
			return err
		})
	})
	b.Run("client=sdk-noretry", func(b *testing.B) {
		loop(b, func() error {
			_, err := e.sdkNoRetry.Bounces.Get(bg, Domain, BounceAddress)
			return err
		})
	})
	b.Run("client=sdk-default", func(b *testing.B) {
		loop(b, func() error {
			_, err := e.sdk.Bounces.Get(bg, Domain, BounceAddress)
			return err
		})
	})
}
