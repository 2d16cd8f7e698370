package owntracks

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// text is a JSON field that should be a string; like number, it records
// absent and mistyped instead of failing the whole payload.
type text struct {
	// s is the unescaped string. It may point into the parser's memory, so
	// it must be copied before it outlives decode.
	s       []byte
	present bool
	bad     bool
	// again: fastjson's unescaping of s may differ from encoding/json's;
	// see reread.
	again bool
}

// set reads one occurrence of the field, as number.set does: the last
// string wins, a null changes nothing, a non-string leaves the field bad.
// The string is fastjson's unescaping of it when that is plain, and is
// read again by encoding/json after the payload's other fields otherwise.
func (t *text) set(v *fastjson.Value) {
	switch v.Type() {
	case fastjson.TypeNull:
		return
	case fastjson.TypeString:
		t.present = true
		t.s, _ = v.StringBytes()
		t.again = !plain(t.s)
	default:
		t.present, t.bad = true, true
	}
}

// plain tells a string that fastjson and encoding/json unescape alike.
// They differ on invalid UTF-8 (encoding/json puts one U+FFFD for each bad
// byte, fastjson keeps the bytes) and on lone or mismatched \uD800-\uDFFF
// escapes (fastjson keeps the escape's text, or makes one U+FFFD of two
// escapes). Each of those leaves invalid UTF-8, a backslash or a U+FFFD in
// fastjson's result, so a result with none of them came out the same. (In
// the result, not the payload: an iOS "\/" is a plain "/" by then.)
func plain(s []byte) bool {
	return bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) &&
		// U+FFFD is EF BF BD; looking for the byte first is much quicker.
		(bytes.IndexByte(s, 0xEF) < 0 || !bytes.Contains(s, replacementChar))
}

var replacementChar = []byte(string(utf8.RuneError))

// keyedText is a text field and the key it is read from.
type keyedText struct {
	*text
	key string
}

// reread sets the s of each field marked again to the last string value of
// its top-level key, unescaped by encoding/json as before. It runs only
// for strings that are not plain (hostile or odd payloads), in one pass
// over a payload already validated.
func reread(payload []byte, fields []keyedText) {
	d := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return
	}
	var raw json.RawMessage // reused: RawMessage keeps its buffer
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return
		}
		if err := d.Decode(&raw); err != nil {
			return
		}
		for _, f := range fields {
			var s string
			if f.again && k == f.key && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
				f.s = []byte(s)
			}
		}
	}
}
