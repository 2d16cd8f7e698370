package owntracks

import (
	"bytes"
	"math"
	"strconv"
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

func (n *number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	n.present = true
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		n.bad = true
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		n.bad = true
		return nil
	}
	n.v = v
	return nil
}

func (n number) ok() bool { return n.present && !n.bad }
