package mailgun_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// Verification reuses MAC states per signing key, for a bounded number of
// keys; past the bound, and for every key before it, results must be those
// of a fresh crypto/hmac computation.
func TestSignatureVerificationManyKeys(t *testing.T) {
	body := []byte(`{"event_data":{"id":"x"}}`)
	for round := 0; round < 3; round++ {
		for i := 0; i < 40; i++ {
			key := fmt.Sprintf("key-%02d", i)
			sig := mailguntest.SignAlert(key, body)
			require.NoError(t, mailgun.VerifyAlertSignature(key, body, sig), "key %d round %d", i, round)
			require.ErrorIs(t, mailgun.VerifyAlertSignature(key+"!", body, sig), mailgun.ErrSignatureMismatch)

			ws := mailgun.WebhookSignature{Timestamp: vectorTimestamp, Token: vectorToken}
			ws.Signature = mailgun.SignWebhook(key, ws.Timestamp, ws.Token)
			require.NoError(t, mailgun.VerifyWebhookSignature(key, ws, at(vectorTime)), "key %d round %d", i, round)
		}
	}
	assert.Equal(t, vectorSignature, mailgun.SignWebhook(vectorKey, vectorTimestamp, vectorToken), "the vector still holds after many keys")
}

// Goroutines sharing keys must never see each other's MAC state: each
// verifies its own body, half of them with a wrong signature.
func TestSignatureVerificationConcurrent(t *testing.T) {
	keys := []string{"shared-a", "shared-b", alertKey}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				key := keys[(g+i)%len(keys)]
				body := []byte(fmt.Sprintf(`{"g":%d,"i":%d}`, g, i))
				sig := mailguntest.SignAlert(key, body)
				wrong := i%2 == 0
				if wrong {
					sig = mailguntest.SignAlert(key, append(body, ' '))
				}
				err := mailgun.VerifyAlertSignature(key, body, sig)
				if (err != nil) != wrong {
					errs <- fmt.Errorf("goroutine %d call %d: wrong=%v err=%v", g, i, wrong, err)
					return
				}
				tok := fmt.Sprintf("token-%d-%d", g, i)
				ws := mailgun.WebhookSignature{Timestamp: vectorTimestamp, Token: tok, Signature: mailgun.SignWebhook(key, vectorTimestamp, tok)}
				if wrong {
					ws.Token += "x"
				}
				err = mailgun.VerifyWebhookSignature(key, ws, at(vectorTime))
				if (err != nil) != wrong {
					errs <- fmt.Errorf("goroutine %d webhook %d: wrong=%v err=%v", g, i, wrong, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A warm key verifies an alert without allocating, whatever the body size,
// and a send webhook with only its options allocated. The race
// detector makes sync.Pool drop items on purpose, so this is skipped there.
func TestSignatureVerificationAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	// Earlier tests may have left another key in alertKey's slot: enough
	// calls take it over. Then a key in use keeps its slot against a few
	// calls with other keys, whichever slots they hash to.
	for range 100 {
		_ = mailgun.VerifyAlertSignature(alertKey, nil, mailguntest.SignAlert(alertKey, nil))
	}
	for i := 0; i < 15; i++ {
		key := fmt.Sprint("passing-key-", i)
		require.NoError(t, mailgun.VerifyAlertSignature(key, nil, mailguntest.SignAlert(key, nil)))
	}
	for _, n := range []int{0, 1 << 10, 64 << 10} {
		body := make([]byte, n)
		sig := mailguntest.SignAlert(alertKey, body)
		allocs := testing.AllocsPerRun(100, func() {
			if err := mailgun.VerifyAlertSignature(alertKey, body, sig); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, "VerifyAlertSignature over %d bytes", n)
	}
	opt := at(vectorTime)
	for range 100 {
		_ = mailgun.VerifyWebhookSignature(vectorKey, vectorSig(), opt)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if err := mailgun.VerifyWebhookSignature(vectorKey, vectorSig(), opt); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 1.0, "VerifyWebhookSignature: at most the options it applies")
}
