package tracking

import (
	"unicode"
	"unicode/utf8"
)

// MaxText is the default bound, in bytes, of a short text (a callsign, an
// agency, a reason); longer ones name their own.
const MaxText = 200

// CheckText is the one rule for text from outside: valid UTF-8, no NUL or
// other control characters (tab and newline only where multiline), at most
// max bytes, and no bidirectional controls (IsBidiControl). Nothing it
// accepts can later be refused by PostgreSQL, garble a screen or read
// backwards there. The error names the field.
func CheckText(field, s string, max int, multiline bool) error {
	if len(s) > max {
		return Errorf(CodeInvalid, "field %q is %d bytes long; at most %d are accepted", field, len(s), max)
	}
	if !utf8.ValidString(s) {
		return Errorf(CodeInvalid, "field %q is not valid UTF-8", field)
	}
	for i, r := range s {
		if r == '\t' || (multiline && (r == '\n' || r == '\r')) {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return Errorf(CodeInvalid, "field %q holds a control character (U+%04X at byte %d)", field, r, i)
		}
		if IsBidiControl(r) {
			return Errorf(CodeInvalid, "field %q holds a bidirectional control character (U+%04X at byte %d), which makes text read differently from how it is stored", field, r, i)
		}
	}
	return nil
}

// IsBidiControl reports whether r is one of Unicode's explicit bidi
// formatting characters: embeddings and overrides U+202A–U+202E, isolates
// U+2066–U+2069, the marks U+200E, U+200F and the Arabic letter mark
// U+061C. In a callsign or a description they reorder what a dispatcher
// reads ("…‮gnp.exe") without changing what is stored.
func IsBidiControl(r rune) bool {
	switch {
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return r == '\u200E' || r == '\u200F' || r == '\u061C'
}
