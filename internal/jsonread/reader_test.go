package jsonread

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// walk reads one value with the public API into the shape encoding/json
// gives it in an any with UseNumber: map[string]any, []any, string,
// json.Number, bool or nil.
func walk(r *Reader) any {
	switch r.Peek() {
	case Null:
		r.ReadNull()
		return nil
	case Bool:
		return r.ReadBool()
	case Number:
		return json.Number(r.ReadNumber())
	case String:
		return r.ReadString()
	case Array:
		out := []any{}
		if !r.BeginArray() {
			return nil
		}
		for r.NextElement() {
			out = append(out, walk(r))
		}
		return out
	case Object:
		out := map[string]any{}
		if !r.BeginObject() {
			return nil
		}
		for {
			k, ok := r.NextKey()
			if !ok {
				break
			}
			key := string(k)
			out[key] = walk(r)
		}
		return out
	}
	r.SkipValue() // fails: nothing valid starts here
	return nil
}

func stdDecode(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// check compares the Reader with encoding/json on data, three ways: the
// decoded value, SkipValue, and strings read directly.
func check(t *testing.T, data []byte) {
	t.Helper()
	valid := json.Valid(data)

	r := New(data)
	got := walk(r)
	err := r.Finish()
	if (err == nil) != valid {
		t.Fatalf("walk %q: error %v, json.Valid %v", data, err, valid)
	}
	if valid {
		want, werr := stdDecode(data)
		if werr != nil {
			t.Fatalf("std decode of valid %q: %v", data, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("walk %q:\n got %#v\nwant %#v", data, got, want)
		}
	}

	r.Reset(data)
	raw := r.SkipValue()
	err = r.Finish()
	if (err == nil) != valid {
		t.Fatalf("skip %q: error %v, json.Valid %v", data, err, valid)
	}
	if valid && !bytes.Equal(raw, bytes.TrimSpace(data)) {
		t.Fatalf("skip %q returned %q", data, raw)
	}

	if valid && len(bytes.TrimSpace(data)) > 0 && bytes.TrimSpace(data)[0] == '"' {
		var want string
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		r.Reset(data)
		if s := r.ReadString(); s != want || r.Finish() != nil {
			t.Fatalf("ReadString %q = %q (%v), want %q", data, s, r.Err(), want)
		}
	}
}

var cases = []string{
	``, ` `, `null`, `nul`, `nulll`, `true`, `false`, `tru`, `truex`, `t`, `f`, `n`,
	`0`, `-0`, `-`, `01`, `1.`, `.5`, `1.5`, `-1.5e10`, `1e`, `1e+`, `1E-2`, `1e+2`, `+1`, `0x10`, `1_000`,
	`12345678901234567890123456789`, `1.0e0000`, `-01`, `00`, `0.0`, `1ee2`, `Infinity`, `NaN`,
	`""`, `"a"`, `"\""`, `"\\"`, `"\/"`, `"\b\f\n\r\t"`, `"\u0041"`, `"\u00e9"`, `"\uD83D\uDE00"`,
	`"\uD83D"`, `"\uDE00"`, `"\uD83Dx"`, `"\uD83D\u0041"`, `"\uD83D\uD83D\uDE00"`, `"\uDE00\uD83D"`,
	`"\u12"`, `"\u12G4"`, `"\x"`, `"\'"`, `"abc`, `"\`, `"\u`, "\"a\tb\"", "\"a\nb\"", "\"\x00\"", "\"\x7f\"",
	"\"\xff\"", "\"a\xc3\"", "\"\xc3\xa9\"", "\"\xed\xa0\x80\"", "\"\xe2\x82\"", "\"\xf0\x9f\x98\x80\"", "\"\xc0\xaf\"",
	"\"\xef\xbf\xbd\"", `"\uFFFD"`, `"12345678abcdefgh\"ijklmnop"`, `"12345678\u0041bcdefgh"`, "\"1234567\xff\"",
	`[]`, `[ ]`, `[1]`, `[1,]`, `[,1]`, `[1 2]`, `[1,,2]`, `[`, `]`, `[[[]]]`, `[[]`, `[{}]`, `[1}`,
	`{}`, `{ }`, `{"a":1}`, `{"a":1,}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{a:1}`, `{"a":1 "b":2}`, `{"a":1]`,
	`{,"a":1}`, `{"a":1,"a":2}`, `{"\u0061":1}`, `{"a\\b":{"c":[1,{"d":null}]}}`, `{"a":1}}`, `{"a":[}`,
	` {"a" : [ 1 , "x" , true , null , { } ] } `, "{\"a\":\n\t\r1}", "\v1", "1\v", "\f1", "\u00a01",
	`1 2`, `{} {}`, `"a" x`, `nullx`, `[1]x`, "1\x00", "\x00",
	`{"k":"\uD800\uDC00\uDBFF\uDFFF"}`, `{"\uD800":1}`, "{\"\xff\":1}",
}

func TestReaderMatchesStd(t *testing.T) {
	for _, c := range cases {
		check(t, []byte(c))
	}
}

func TestDepthLimit(t *testing.T) {
	for _, n := range []int{MaxDepth - 1, MaxDepth, MaxDepth + 1} {
		arr := strings.Repeat("[", n) + strings.Repeat("]", n)
		obj := strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
		mixed := strings.Repeat(`[{"a":`, n/2) + "1" + strings.Repeat("}]", n/2)
		for _, s := range []string{arr, obj, mixed} {
			check(t, []byte(s))
		}
	}
}

func TestStringsAliasOnlyWhenPlain(t *testing.T) {
	data := []byte(`["plain","esc\n","bad` + "\xff" + `","ünï"]`)
	r := New(data)
	r.BeginArray()
	var got []bool
	for r.NextElement() {
		b, ok := r.ReadStringBytes()
		if !ok {
			t.Fatal(r.Err())
		}
		got = append(got, len(b) > 0 && &b[0] == &data[bytes.Index(data, b[:1])])
	}
	if err := r.Finish(); err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, false, true}; !reflect.DeepEqual(got, want) {
		t.Fatalf("aliasing %v, want %v", got, want)
	}
}

func TestErrorsAreSticky(t *testing.T) {
	r := New([]byte(`[1,x,"a"]`))
	r.BeginArray()
	for r.NextElement() {
		r.ReadNumber()
	}
	err := r.Err()
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 3 {
		t.Fatalf("error %v, want a SyntaxError at offset 3", err)
	}
	if r.Peek() != Invalid || r.ReadString() != "" || r.NextElement() || r.Finish() != err {
		t.Fatal("a stopped Reader must read nothing and keep its first error")
	}
}

func TestWrongKindStops(t *testing.T) {
	for _, read := range []func(r *Reader){
		func(r *Reader) { r.ReadString() },
		func(r *Reader) { r.ReadBool() },
		func(r *Reader) { r.ReadNull() },
		func(r *Reader) { r.BeginObject() },
		func(r *Reader) { r.BeginArray() },
	} {
		r := New([]byte(`12`))
		read(r)
		if r.Finish() == nil {
			t.Fatal("reading a number as another kind must fail")
		}
	}
	r := New([]byte(`"12"`))
	if r.ReadNumber() != nil || r.Finish() == nil {
		t.Fatal("reading a string as a number must fail")
	}
	r = New([]byte(`[1`))
	r.BeginArray()
	if r.Finish() == nil {
		t.Fatal("Finish inside an open array must fail")
	}
}

func TestKindString(t *testing.T) {
	if Object.String() != "object" || Invalid.String() != "invalid" || Kind(42).String() != "Kind(42)" {
		t.Fatal("Kind names")
	}
}

// FuzzReader compares the Reader with json.Valid, with encoding/json's
// decoding of every value, and with json.Unmarshal into a string.
func FuzzReader(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Add([]byte(`{"items":[{"id":"a","tags":["x","y"],"n":-1.5e-3,"ok":true,"u":"\u00e9\ud83d\ude00"}],"paging":{"next":null}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data)
		s, err := json.Marshal(string(data))
		if err != nil {
			t.Fatal(err)
		}
		check(t, s)
		check(t, append(append([]byte{'"'}, data...), '"'))
	})
}

// TestStringScanPositions puts each byte that ends or complicates a string
// at every position of the first words of a string, after fillers close to
// those bytes, to check the word-at-a-time scan against encoding/json.
func TestStringScanPositions(t *testing.T) {
	specials := []string{`"`, `\n`, `\"`, `\u0041`, `\uD83D\uDE00`, "\x1f", "\x00", "\x80", "\xff", "\xc3\xa9", "\xe2\x82", "\x7f"}
	fillers := []string{"a", "!", "#", "[", "]", " ", "\x7f", "\xc3\xa9", "\\\\"}
	for _, special := range specials {
		for _, filler := range fillers {
			for p := range 20 {
				body := strings.Repeat(filler, p) + special + strings.Repeat(filler, 9)
				check(t, []byte(`"`+body+`"`))
				check(t, []byte(`{"`+body+`":["`+body+`"]}`))
			}
		}
	}
}
