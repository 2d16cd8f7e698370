package owntracks

import (
	"math"
	"strconv"

	"github.com/valyala/fastjson"
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

// parseFloat reads a number's text as encoding/json did, with strconv: to
// the nearest float64, ±Inf with an error when out of range. (fastjson's
// own parser rounds some numbers with an exponent differently.) buf is
// scratch space for the text, which a number's MarshalTo gives as it came.
func parseFloat(v *fastjson.Value, buf *[]byte) (float64, error) {
	*buf = v.MarshalTo((*buf)[:0])
	return strconv.ParseFloat(string(*buf), 64)
}
