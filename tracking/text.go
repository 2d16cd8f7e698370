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
// max bytes. Nothing it accepts can later be refused by PostgreSQL or
// garble a screen. The error names the field.
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
	}
	return nil
}
