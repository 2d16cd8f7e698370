package owntracks

import (
	"math"
	"strconv"

	"github.com/valyala/fastjson"
	"github.com/valyala/fastjson/fastfloat"
)

// number is a JSON field that should be a number. It records whether it was
// present and whether it was one, so a required field can be told missing
// from mistyped, and an odd optional field can be dropped without losing
// the fix.
type number struct {
	v       float64
	present bool // the key was there with a non-null value
	bad     bool // present but not a finite number
}

// set reads one occurrence of the field. A repeated key is read into the
// same number, as encoding/json did through UnmarshalJSON before: a later
// number replaces the reading, a null changes nothing, and a mistyped or
// overflowing occurrence leaves the field bad for good. buf is scratch
// space for the number's text, kept from call to call.
func (n *number) set(v *fastjson.Value, buf *[]byte) {
	switch v.Type() {
	case fastjson.TypeNull:
		return
	case fastjson.TypeNumber:
		n.present = true
		f, err := parseFloat(v, buf)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			n.bad = true
			return
		}
		n.v = f
	default:
		n.present, n.bad = true, true
	}
}

func (n number) ok() bool { return n.present && !n.bad }

// parseFloat reads a number as strconv.ParseFloat, which encoding/json
// used, reads it: to the nearest float64, and ±Inf with an error when out
// of range. The payload has been validated, so v's text (MarshalTo gives
// a number's text as it came) is a JSON number. fastjson's own parser is about three times as fast but rounds
// some numbers with an exponent differently (466.936693774911e-2 is not
// 4.66936693774911 to it) and takes 1e400 for +Inf without an error; it
// is used only where it cannot differ: at most 15 characters and no
// exponent, so the digits are an integer below 2^53 over an exact power
// of ten, and one IEEE division rounds their quotient correctly, as
// strconv does (Clinger's fast path). The apps' numbers are all of that
// kind.
func parseFloat(v *fastjson.Value, buf *[]byte) (float64, error) {
	*buf = v.MarshalTo((*buf)[:0])
	if len(*buf) <= 15 && !exponent(*buf) {
		return fastfloat.ParseBestEffort(string(*buf)), nil // valid, so no error to miss
	}
	return strconv.ParseFloat(string(*buf), 64)
}

// exponent tells a number written with one. A loop, as the text is short:
// bytes.IndexByte's call costs more here than its search saves.
func exponent(num []byte) bool {
	for _, c := range num {
		if c == 'e' || c == 'E' {
			return true
		}
	}
	return false
}
