package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/mgkit/mailgun"
)

const alertSigningKey = "alert-signing-key-0123456789abcdef"

// alertBody returns an n-byte alert webhook body: a JSON object padded
// with a long string field.
func alertBody(n int) []byte {
	head := `{"event":"send_alert","data":{"name":"bench","pad":"`
	tail := `"}}`
	b := make([]byte, 0, n)
	b = append(b, head...)
	for len(b) < n-len(tail) {
		b = append(b, byte('a'+len(b)%26))
	}
	return append(b, tail...)
}

var errMismatch = errors.New("signature mismatch")

// BenchmarkVerifyAlertSignature verifies the X-Sign of an alert webhook
// (hex HMAC-SHA256 of the body). The floor ("hmac") is the bare crypto/hmac
// work a stateless verifier must do per request: hmac.New with the key, Write,
// Sum, hmac.Equal against the decoded header. "hmac-reuse" resets one MAC
// owned by the loop instead of making one: the lower bound for reuse. The
// SDK reuses MAC states per key through sync.Pool, so concurrent callers
// share no lock. The official SDK has no alert webhooks.
func BenchmarkVerifyAlertSignature(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}} {
		body := alertBody(size.n)
		mac := hmac.New(sha256.New, []byte(alertSigningKey))
		mac.Write(body)
		want := mac.Sum(nil)
		xSign := hex.EncodeToString(want)
		key := []byte(alertSigningKey)
		b.Run("body="+size.name, func(b *testing.B) {
			b.Run("client=hmac", func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				loop(b, func() error {
					m := hmac.New(sha256.New, key)
					m.Write(body)
					if !hmac.Equal(m.Sum(nil), want) {
						return errMismatch
					}
					return nil
				})
			})
			b.Run("client=hmac-reuse", func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				m := hmac.New(sha256.New, key)
				sum := make([]byte, 0, sha256.Size)
				loop(b, func() error {
					m.Reset()
					m.Write(body)
					if !hmac.Equal(m.Sum(sum[:0]), want) {
						return errMismatch
					}
					return nil
				})
			})
			b.Run("client=sdk", func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				loop(b, func() error {
					return mailgun.VerifyAlertSignature(alertSigningKey, body, xSign)
				})
			})
		})
	}
}

// BenchmarkVerifyAlertSignatureManyKeys verifies 1 KiB alerts under 1,000
// signing keys in turn (a platform with a key per customer): more keys than
// the SDK caches MAC states for, so most calls take a fresh MAC. The SDK
// must then cost about what the bare loop does, not more.
func BenchmarkVerifyAlertSignatureManyKeys(b *testing.B) {
	body := alertBody(1 << 10)
	const n = 1000
	keys := make([]string, n)
	keyBytes := make([][]byte, n)
	sums := make([][]byte, n)
	signs := make([]string, n)
	for i := range keys {
		keys[i] = alertSigningKey + "-" + string(rune('a'+i%26)) + hex.EncodeToString([]byte{byte(i), byte(i >> 8)})
		keyBytes[i] = []byte(keys[i])
		m := hmac.New(sha256.New, keyBytes[i])
		m.Write(body)
		sums[i] = m.Sum(nil)
		signs[i] = hex.EncodeToString(sums[i])
	}
	b.Run("keys=1000", func(b *testing.B) {
		b.Run("client=hmac", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			i := 0
			loop(b, func() error {
				i = (i + 1) % n
				m := hmac.New(sha256.New, keyBytes[i])
				m.Write(body)
				if !hmac.Equal(m.Sum(nil), sums[i]) {
					return errMismatch
				}
				return nil
			})
		})
		b.Run("client=sdk", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			i := 0
			loop(b, func() error {
				i = (i + 1) % n
				return mailgun.VerifyAlertSignature(keys[i], body, signs[i])
			})
		})
	})
}
