package bench

import (
	"fmt"
	"testing"
	"time"
)

var wantCreated = time.Date(2025, 1, 26, 7, 29, 4, 0, time.UTC)

func checkBounce(address, code string, created time.Time) error {
	if address != BounceAddress || code != "550" || !created.Equal(wantCreated) {
		return fmt.Errorf("decoded %q %q %v", address, code, created)
	}
	return nil
}

// BenchmarkGetBounce fetches one bounce: request, auth, decode.
func BenchmarkGetBounce(b *testing.B) {
	e := getEnv(b)
	b.Run("client=baseline", func(b *testing.B) {
		loop(b, func() error {
			r, err := e.baseline.GetBounce(bg, Domain, BounceAddress)
			if err != nil {
				return err
			}
			return checkBounce(r.Address, r.Code, r.CreatedAt)
		})
	})
	b.Run("client=sdk", func(b *testing.B) {
		loop(b, func() error {
			r, err := e.sdk.Bounces.Get(bg, Domain, BounceAddress)
			if err != nil {
				return err
			}
			return checkBounce(r.Address, r.Code, r.CreatedAt)
		})
	})
	b.Run("client=official", func(b *testing.B) {
		loop(b, func() error {
			r, err := e.official.GetBounce(bg, BounceAddress)
			if err != nil {
				return err
			}
			return checkBounce(r.Address, r.Code, time.Time(r.CreatedAt))
		})
	})
}
