package mailgun

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// errNotText is returned for a JSON value that is neither a string nor a number.
var errNotText = errors.New("neither a string nor a number")

// textOf returns a JSON string's value or a JSON number's exact text, for
// fields Mailgun sends either way; null or nothing gives "".
func textOf(raw []byte) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		return jsonString(raw)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", errNotText
	}
	return n.String(), nil
}

// jsonString returns the string a JSON string literal holds. A literal
// without escapes and in valid UTF-8 is copied as it is; anything else goes
// through encoding/json (which also replaces invalid UTF-8).
func jsonString(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}
