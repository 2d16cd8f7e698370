package owntracks

import (
	"bytes"
	"encoding/json"
)

// text is a JSON field that should be a string; like number, it records
// absent and mistyped instead of failing the whole payload.
type text struct {
	s       string
	present bool
	bad     bool
}

func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	t.present = true
	if len(b) == 0 || b[0] != '"' || json.Unmarshal(b, &t.s) != nil {
		t.bad = true
	}
	return nil
}
