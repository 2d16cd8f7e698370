package owntracks

import (
	"encoding/json"

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
}

// set reads one occurrence of the field, as number.set does: the last
// string wins, a null changes nothing, a non-string leaves the field bad.
// fastjson and encoding/json unescape alike but for invalid UTF-8 (one
// U+FFFD per bad byte to encoding/json; fastjson keeps the bytes) and lone
// or mismatched \uD800-\uDFFF escapes (fastjson keeps their text). So a
// string with an escape or a byte above 0x7F is unescaped by encoding/json,
// as before; raw is scratch space for its text.
func (t *text) set(v *fastjson.Value, raw *[]byte) {
	// Before Type, which unescapes it, a string's MarshalTo is its text as
	// it came, quotes and escapes included.
	*raw = v.MarshalTo((*raw)[:0])
	switch v.Type() {
	case fastjson.TypeNull:
		return
	case fastjson.TypeString:
		t.present = true
		if plain(*raw) {
			t.s, _ = v.StringBytes()
			return
		}
		var u string
		if json.Unmarshal(*raw, &u) != nil {
			t.bad = true // not reached: the payload is valid JSON
			return
		}
		t.s = []byte(u)
	default:
		t.present, t.bad = true, true
	}
}

// plain tells a quoted JSON string with no escape and only ASCII in it.
func plain(quoted []byte) bool {
	for _, c := range quoted {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}
