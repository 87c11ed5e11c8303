// Package jsonread is a strict pull reader over a byte slice holding one
// JSON value. It accepts exactly the documents encoding/json accepts
// (json.Valid), decodes strings exactly as encoding/json does, and never
// panics on any input.
//
// A Reader is driven by its caller: Peek tells what the next value is, and
// one Read method, SkipValue, BeginObject or BeginArray consumes it. The
// first malformed byte stops the Reader: every later call returns a zero
// value, and Err and Finish report the error.
package jsonread

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays accepted, the
// limit of encoding/json.
const MaxDepth = 10000

// Kind is the type of the next JSON value, as Peek sees its first byte.
type Kind uint8

// Kinds of values. Invalid is the end of the input, a byte that cannot
// start a value, or a Reader that has stopped on an error.
const (
	Invalid Kind = iota
	Null
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"invalid", "null", "bool", "number", "string", "array", "object"}

// String returns the JSON name of k: "null", "object" and so on.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

var kindOf = func() (t [256]Kind) {
	t['n'] = Null
	t['t'], t['f'] = Bool, Bool
	t['-'] = Number
	for c := '0'; c <= '9'; c++ {
		t[c] = Number
	}
	t['"'] = String
	t['['] = Array
	t['{'] = Object
	return t
}()

// SyntaxError is malformed JSON, found at byte Offset of the input.
type SyntaxError struct {
	Msg    string
	Offset int
}

// Error returns "json: " followed by the message and the offset.
func (e *SyntaxError) Error() string {
	return "json: " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

// Reader reads one JSON value from a byte slice. The zero Reader reads an
// empty input, which is an error; Reset or New give it data.
type Reader struct {
	data  []byte
	pos   int
	depth int
	// first is set just after '{' or '[' and cleared by the first key or
	// element, or by the closing bracket.
	first bool
	err   error
	buf   []byte // decoded strings that needed unescaping
}

// New returns a Reader over data. The Reader does not copy data; slices it
// returns may alias it.
func New(data []byte) *Reader {
	r := &Reader{}
	r.Reset(data)
	return r
}

// maxKeptBuf bounds the scratch buffer Reset keeps.
const maxKeptBuf = 64 << 10

// Reset makes r read data from the start, forgetting any error; Reset(nil)
// drops r's reference to its input. It keeps its scratch buffer for reuse
// unless that grew beyond 64 KiB.
func (r *Reader) Reset(data []byte) {
	buf := r.buf[:0]
	if cap(buf) > maxKeptBuf {
		buf = nil
	}
	*r = Reader{data: data, buf: buf}
}

// Err returns the first syntax error met, or nil.
func (r *Reader) Err() error { return r.err }

// Offset returns the position in the input of the next unread byte: right
// after Peek, the first byte of the next value; after an error, the end of
// the input.
func (r *Reader) Offset() int { return r.pos }

func (r *Reader) fail(msg string, at int) {
	if r.err == nil {
		r.err = &SyntaxError{Msg: msg, Offset: at}
	}
	r.pos = len(r.data)
}

func (r *Reader) failAt(at int) {
	if at >= len(r.data) {
		r.fail("unexpected end of JSON input", at)
		return
	}
	r.fail("invalid character "+strconv.QuoteRune(rune(r.data[at])), at)
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// skipSpace moves past whitespace and returns the next byte, 0 at the end.
func (r *Reader) skipSpace() byte {
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		if c > ' ' || !isSpace(c) {
			return c
		}
		r.pos++
	}
	return 0
}

// Peek skips whitespace and returns the kind of the next value without
// consuming it. It returns Invalid at the end of the input, before a byte
// that starts no value (such as ',' or '}'), and after an error.
func (r *Reader) Peek() Kind {
	if r.pos < len(r.data) {
		if c := r.data[r.pos]; c > ' ' {
			return kindOf[c]
		}
	}
	return kindOf[r.skipSpace()]
}

// BeginObject consumes the '{' of an object and reports whether there was
// one; if not, r stops with an error. Iterate the members with NextKey.
func (r *Reader) BeginObject() bool {
	if r.skipSpace() != '{' || r.err != nil {
		r.failAt(r.pos)
		return false
	}
	return r.open()
}

// BeginArray consumes the '[' of an array and reports whether there was
// one; if not, r stops with an error. Iterate the elements with
// NextElement.
func (r *Reader) BeginArray() bool {
	if r.skipSpace() != '[' || r.err != nil {
		r.failAt(r.pos)
		return false
	}
	return r.open()
}

func (r *Reader) open() bool {
	r.pos++
	r.depth++
	if r.depth > MaxDepth {
		r.fail("exceeded max depth", r.pos-1)
		return false
	}
	r.first = true
	return true
}

// NextKey reads the next member's key and the colon after it, and returns
// the key decoded as a JSON string: a slice of the input when the key has
// no escapes and is valid UTF-8, else a scratch slice valid until the next
// call on r. It returns false at the closing '}' (consumed) and on error.
// After a key the caller must consume exactly one value.
func (r *Reader) NextKey() ([]byte, bool) {
	if !r.nextMember('}') {
		return nil, false
	}
	if r.pos >= len(r.data) || r.data[r.pos] != '"' {
		r.failAt(r.pos)
		return nil, false
	}
	key, ok := r.readString()
	if !ok || !r.colon() {
		return nil, false
	}
	return key, true
}

// skipKey is NextKey without decoding the key.
func (r *Reader) skipKey() bool {
	if !r.nextMember('}') {
		return false
	}
	if r.pos >= len(r.data) || r.data[r.pos] != '"' {
		r.failAt(r.pos)
		return false
	}
	return r.skipString() && r.colon()
}

func (r *Reader) colon() bool {
	if r.pos < len(r.data) && r.data[r.pos] == ':' {
		r.pos++
		return true
	}
	if r.skipSpace() != ':' {
		r.failAt(r.pos)
		return false
	}
	r.pos++
	return true
}

// NextElement reports whether the current array has another element, and
// consumes the comma before it; the caller must then consume exactly one
// value. It returns false at the closing ']' (consumed) and on error.
func (r *Reader) NextElement() bool {
	return r.nextMember(']')
}

// nextMember moves to the next member of the container closed by end, and
// reports whether there is one; it consumes end otherwise.
func (r *Reader) nextMember(end byte) bool {
	c := r.skipSpace()
	if r.err != nil {
		return false
	}
	if c == end {
		r.pos++
		r.depth--
		r.first = false
		return false
	}
	if r.first {
		r.first = false
		if r.pos >= len(r.data) {
			r.failAt(r.pos)
			return false
		}
		return true
	}
	if c != ',' {
		r.failAt(r.pos)
		return false
	}
	r.pos++
	r.skipSpace()
	return true
}

// ReadString consumes a string and returns its value as encoding/json
// decodes it: escapes resolved, invalid UTF-8 and unpaired surrogate
// escapes replaced by U+FFFD. If the next value is not a string, r stops
// with an error and "" is returned.
func (r *Reader) ReadString() string {
	b, ok := r.ReadStringBytes()
	if !ok {
		return ""
	}
	return string(b)
}

// ReadStringBytes is ReadString returning bytes: a slice of the input when
// the string has no escapes and is valid UTF-8, else a scratch slice valid
// until the next call on r. ok is false, with r stopped, if the next value
// is not a valid string.
func (r *Reader) ReadStringBytes() (b []byte, ok bool) {
	if r.Peek() != String {
		r.failAt(r.pos)
		return nil, false
	}
	return r.readString()
}

// swar constants: lo has 0x01 in every byte, hi 0x80.
const (
	lo = 0x0101010101010101
	hi = 0x8080808080808080
)

// stopMask has the high bit of a byte of w set if that byte is a quote, a
// backslash or below 0x20; bytes above the lowest such byte may be marked
// wrongly (borrows), so only the lowest mark is exact.
func stopMask(w uint64) uint64 {
	q := w ^ (lo * '"')
	s := w ^ (lo * '\\')
	return ((q - lo) &^ q) | ((s - lo) &^ s) | ((w - lo*0x20) &^ w)
}

// readString reads the string starting at r.pos, which holds '"'.
func (r *Reader) readString() ([]byte, bool) {
	data := r.data
	start := r.pos + 1
	i := start
	for {
		for i+8 <= len(data) {
			w := binary.LittleEndian.Uint64(data[i:])
			if m := (stopMask(w) | w) & hi; m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(data) {
			r.fail("unexpected end of JSON input", i)
			return nil, false
		}
		c := data[i]
		switch {
		case c == '"':
			r.pos = i + 1
			return data[start:i], true
		case c == '\\':
			return r.readStringSlow(start, i)
		case c < 0x20:
			r.fail("invalid character in string literal", i)
			return nil, false
		case c < utf8.RuneSelf:
			i++
		default:
			rr, size := utf8.DecodeRune(data[i:])
			if rr == utf8.RuneError && size == 1 {
				return r.readStringSlow(start, i)
			}
			i += size
		}
	}
}

// readStringSlow decodes the string data[start:...] into r.buf, from i, the
// first byte that needs decoding.
func (r *Reader) readStringSlow(start, i int) ([]byte, bool) {
	data := r.data
	b := append(r.buf[:0], data[start:i]...)
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			r.buf = b
			r.pos = i + 1
			return b, true
		case c == '\\':
			if i+1 >= len(data) {
				r.fail("unexpected end of JSON input", i+1)
				return nil, false
			}
			switch e := data[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr, ok := r.hex4(i + 2)
				if !ok {
					return nil, false
				}
				i += 6
				if utf16.IsSurrogate(rr) {
					if rr2, ok := hex4At(data, i); ok {
						if dec := utf16.DecodeRune(rr, rr2); dec != utf8.RuneError {
							b = utf8.AppendRune(b, dec)
							i += 6
							continue
						}
					}
					rr = utf8.RuneError
				}
				b = utf8.AppendRune(b, rr)
				continue
			default:
				r.fail("invalid character "+strconv.QuoteRune(rune(e))+" in string escape code", i+1)
				return nil, false
			}
			i += 2
		case c < 0x20:
			r.fail("invalid character in string literal", i)
			return nil, false
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			rr, size := utf8.DecodeRune(data[i:])
			if rr == utf8.RuneError && size == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, data[i:i+size]...)
			}
			i += size
		}
	}
	r.fail("unexpected end of JSON input", i)
	return nil, false
}

// hex4 reads the four hex digits of a \u escape at data[i:], stopping r
// if they are not there.
func (r *Reader) hex4(i int) (rune, bool) {
	for j := i; j < i+4; j++ {
		if j >= len(r.data) {
			r.fail("unexpected end of JSON input", j)
			return 0, false
		}
		if unhex(r.data[j]) < 0 {
			r.fail("invalid character "+strconv.QuoteRune(rune(r.data[j]))+" in \\u hexadecimal character escape", j)
			return 0, false
		}
	}
	rr, _ := hex4At(r.data, i-2)
	return rr, true
}

// hex4At decodes a complete \uXXXX escape at data[i:].
func hex4At(data []byte, i int) (rune, bool) {
	if i < 0 || i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
		return 0, false
	}
	var rr rune
	for _, c := range data[i+2 : i+6] {
		d := unhex(c)
		if d < 0 {
			return 0, false
		}
		rr = rr<<4 | d
	}
	return rr, true
}

func unhex(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// skipString checks the string at r.pos, which holds '"', and moves past
// it without decoding it.
func (r *Reader) skipString() bool {
	data := r.data
	i := r.pos + 1
	for {
		for i+8 <= len(data) {
			if m := stopMask(binary.LittleEndian.Uint64(data[i:])) & hi; m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(data) {
			r.fail("unexpected end of JSON input", i)
			return false
		}
		switch c := data[i]; {
		case c == '"':
			r.pos = i + 1
			return true
		case c == '\\':
			if i+1 >= len(data) {
				r.fail("unexpected end of JSON input", i+1)
				return false
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, ok := r.hex4(i + 2); !ok {
					return false
				}
				i += 6
			default:
				r.fail("invalid character "+strconv.QuoteRune(rune(data[i+1]))+" in string escape code", i+1)
				return false
			}
		case c < 0x20:
			r.fail("invalid character in string literal", i)
			return false
		default:
			i++
		}
	}
}

// ReadNumber consumes a number and returns its literal bytes, a slice of
// the input. If the next value is not a number in JSON's grammar, r stops
// with an error and nil is returned.
func (r *Reader) ReadNumber() []byte {
	if r.Peek() != Number {
		r.failAt(r.pos)
		return nil
	}
	start := r.pos
	if !r.scanNumber() {
		return nil
	}
	return r.data[start:r.pos]
}

// scanNumber moves past the number at r.pos, which starts with '-' or a
// digit.
func (r *Reader) scanNumber() bool {
	data := r.data
	i := r.pos
	if data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		r.failAt(i)
		return false
	case data[i] == '0':
		i++
	case '1' <= data[i] && data[i] <= '9':
		i++
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
	default:
		r.fail("invalid character "+strconv.QuoteRune(rune(data[i]))+" in numeric literal", i)
		return false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			r.failAt(i)
			return false
		}
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			r.failAt(i)
			return false
		}
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
	}
	r.pos = i
	return true
}

// ReadBool consumes true or false and returns it. If the next value is not
// a boolean, r stops with an error and false is returned.
func (r *Reader) ReadBool() bool {
	switch r.Peek() {
	case Bool:
		if r.data[r.pos] == 't' {
			return r.literal("true")
		}
		r.literal("false")
		return false
	default:
		r.failAt(r.pos)
		return false
	}
}

// ReadNull consumes null and reports whether it was there; if not, r stops
// with an error.
func (r *Reader) ReadNull() bool {
	if r.Peek() != Null {
		r.failAt(r.pos)
		return false
	}
	return r.literal("null")
}

func (r *Reader) literal(lit string) bool {
	for j := range len(lit) {
		if r.pos+j >= len(r.data) || r.data[r.pos+j] != lit[j] {
			r.failAt(r.pos + j)
			return false
		}
	}
	r.pos += len(lit)
	return true
}

// SkipValue consumes the next value, checking it fully, and returns its
// bytes as written (a slice of the input, without surrounding
// whitespace). It returns nil, with r stopped, if the value is malformed.
func (r *Reader) SkipValue() []byte {
	kind := r.Peek()
	start := r.pos
	if !r.skip(kind) {
		return nil
	}
	return r.data[start:r.pos]
}

func (r *Reader) skip(kind Kind) bool {
	switch kind {
	case String:
		return r.skipString()
	case Number:
		return r.scanNumber()
	case Bool:
		if r.data[r.pos] == 't' {
			return r.literal("true")
		}
		return r.literal("false")
	case Null:
		return r.literal("null")
	case Object, Array:
		return r.skipContainer()
	}
	r.failAt(r.pos)
	return false
}

// skipContainer moves past the object or array at r.pos, keeping a stack
// of the open brackets instead of recursing.
func (r *Reader) skipContainer() bool {
	var stackBuf [32]byte
	stack := append(stackBuf[:0], r.data[r.pos])
	r.open()
	for len(stack) > 0 && r.err == nil {
		var more bool
		if stack[len(stack)-1] == '{' {
			more = r.skipKey()
		} else {
			more = r.NextElement()
		}
		if !more {
			stack = stack[:len(stack)-1]
			continue
		}
		switch kind := r.Peek(); kind {
		case Object, Array:
			stack = append(stack, r.data[r.pos])
			r.open()
		default:
			r.skip(kind)
		}
	}
	return r.err == nil
}

// Finish checks that only whitespace follows the value just read and
// returns the first error met, or nil. It is an error to call it before
// the top-level value is read completely.
func (r *Reader) Finish() error {
	if r.err == nil {
		if r.depth != 0 {
			r.fail("unexpected end of JSON input", len(r.data))
		} else if r.skipSpace(); r.pos < len(r.data) {
			r.fail("invalid character "+strconv.QuoteRune(rune(r.data[r.pos]))+" after top-level value", r.pos)
		}
	}
	return r.err
}
