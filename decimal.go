package mailgun

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Decimal is a decimal number kept exactly as written ("0.25", "1000"),
// for values the API sends as decimal strings, such as threshold limits and
// rates. It never passes through float64 unless you ask for Float64.
type Decimal string

// ParseDecimal checks that s is a plain decimal number (an optional sign,
// digits, an optional fraction; no exponent) and returns it as a Decimal.
// Errors wrap ErrInvalidArgument.
func ParseDecimal(s string) (Decimal, error) {
	if !isDecimal(s) {
		return "", invalidArg("%q is not a decimal number", s)
	}
	return Decimal(s), nil
}

// DecimalFromInt returns n as a Decimal.
func DecimalFromInt(n int64) Decimal { return Decimal(strconv.FormatInt(n, 10)) }

// DecimalFromFloat returns the shortest decimal that reads back as f.
func DecimalFromFloat(f float64) Decimal { return Decimal(strconv.FormatFloat(f, 'f', -1, 64)) }

// String returns the number as written.
func (d Decimal) String() string { return string(d) }

// Float64 converts d, which may round it. The empty Decimal is an error.
func (d Decimal) Float64() (float64, error) {
	if !isDecimal(string(d)) {
		return 0, fmt.Errorf("%q is not a decimal number", string(d))
	}
	return strconv.ParseFloat(string(d), 64)
}

// MarshalJSON writes d as a JSON string. An invalid Decimal is an error,
// so it is caught before anything is sent.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if !isDecimal(string(d)) {
		return nil, fmt.Errorf("%q is not a decimal number", string(d))
	}
	return json.Marshal(string(d))
}

// UnmarshalJSON accepts a JSON string or number and keeps its exact text;
// null leaves d empty.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s, err := textOf(b)
	if err != nil {
		return fmt.Errorf("decimal %s: %w", b, err)
	}
	*d = Decimal(s)
	return nil
}

func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	return digits > 0 && i == len(s)
}
