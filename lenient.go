package mailgun

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// lenient decodes a JSON object into T field by field (see decodeObject),
// so that one field of an unexpected type is dropped instead of failing
// the item, or the page that holds it.
type lenient[T any] struct{ v T }

func (l *lenient[T]) UnmarshalJSON(b []byte) error { return decodeObject(b, &l.v) }

// decodeObject decodes the JSON object data into dst. A field whose value
// does not decode into its Go field (a string where a number belongs, a
// malformed date) is left zero and the other fields are kept; unknown keys
// are ignored. null leaves dst zero. Anything but an object or null is an
// error: that is the structure, not a field, being wrong.
func decodeObject[T any](data []byte, dst *T) error {
	var zero T
	*dst = zero
	if json.Unmarshal(data, dst) == nil {
		return nil // the common case: one pass
	}
	*dst = zero
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("want a JSON object, got %s", jsonKind(tok))
	}
	var one []byte
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		key, _ := json.Marshal(kt)
		one = append(append(append(append(one[:0], '{'), key...), ':'), raw...)
		one = append(one, '}')
		// Decode the field alone first, so that a failure leaves dst as it was.
		var probe T
		if json.Unmarshal(one, &probe) == nil {
			_ = json.Unmarshal(one, dst)
		}
	}
	_, err = dec.Token()
	return err
}

// jsonKind names the kind of value whose first token is tok.
func jsonKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// errInvalidResponse returns an error wrapping ErrInvalidResponse.
func errInvalidResponse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidResponse, fmt.Sprintf(format, args...))
}
