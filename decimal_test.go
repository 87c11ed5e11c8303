package mailgun_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

func TestDecimalKeepsExactText(t *testing.T) {
	var v struct {
		A mailgun.Decimal `json:"a"`
		B mailgun.Decimal `json:"b"`
		C mailgun.Decimal `json:"c"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"a":"0.1000000000000000055511151231257827","b":12.50,"c":null}`), &v))
	assert.Equal(t, mailgun.Decimal("0.1000000000000000055511151231257827"), v.A)
	assert.Equal(t, mailgun.Decimal("12.50"), v.B)
	assert.Equal(t, mailgun.Decimal(""), v.C)

	out, err := json.Marshal(v.B)
	require.NoError(t, err)
	assert.Equal(t, `"12.50"`, string(out))

	f, err := v.B.Float64()
	require.NoError(t, err)
	assert.Equal(t, 12.5, f)
}

func TestDecimalRejectsNonNumbers(t *testing.T) {
	for _, s := range []string{"", "1e5", "abc", "1.2.3", ".", "-", "0x10", " 1"} {
		_, err := mailgun.ParseDecimal(s)
		assert.True(t, errors.Is(err, mailgun.ErrInvalidArgument), "%q", s)
		_, err = json.Marshal(mailgun.Decimal(s))
		assert.Error(t, err, "%q", s)
	}
	for _, s := range []string{"0", "-1", "+2.5", "1000", ".5", "5."} {
		d, err := mailgun.ParseDecimal(s)
		assert.NoError(t, err, "%q", s)
		assert.Equal(t, s, d.String())
	}
	var d mailgun.Decimal
	assert.Error(t, json.Unmarshal([]byte(`true`), &d))
	assert.Equal(t, mailgun.Decimal("3"), mailgun.DecimalFromInt(3))
	assert.Equal(t, mailgun.Decimal("0.25"), mailgun.DecimalFromFloat(0.25))
}
