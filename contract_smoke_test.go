package mailgun_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestContractSmoke(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/bounces", 200, fixture(t, "examples/bounces/get-v3-domain-bounces.200.json"))
	var out map[string]any
	require.NoError(t, c.Do(context.Background(), "GET", "/v3/example.com/bounces?limit=10", nil, &out))
	req := m.only(t)
	require.Equal(t, "/v3/example.com/bounces?limit=10", req.RequestURI)
	require.Contains(t, out, "items")
}
