package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mgkit/mailgun/mailguntest"
)

func TestMux(t *testing.T) {
	const key = "demo-key"
	mux := newMux(key, newDedup())
	body := []byte(`{"signature":{"timestamp":1,"token":"t"},"event_data":{"id":"1","event":"ip_listed","ip":"192.0.2.1"}}`)
	send := func(method string, sign string) int {
		r := httptest.NewRequest(method, "/mailgun/alerts", bytes.NewReader(body))
		r.Header.Set("X-Sign", sign)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code
	}
	good := mailguntest.SignAlert(key, body)
	for _, c := range []struct {
		method, sign string
		want         int
	}{
		{http.MethodGet, "", 200},
		{http.MethodPost, good, 200},
		{http.MethodPost, good, 200}, // a retry is acknowledged again
		{http.MethodPost, mailguntest.SignAlert("other", body), 401},
		{http.MethodDelete, "", 405},
	} {
		if got := send(c.method, c.sign); got != c.want {
			t.Errorf("%s with signature %q: status %d, want %d", c.method, c.sign, got, c.want)
		}
	}
}
