package tracking

import "strings"

// Phone numbers have one rule, here: a caller's number (blocks, prank
// counts, lookups, an incident's caller) and an agency's contact are the
// same number however it was written. Indonesia's country code may be
// written +62, 0062 or a bare 62, or replaced by the trunk 0:
//
//	081355556666, 6281355556666, +62 813-5555-6666, 006281355556666,
//	+62 (0)813 5555 6666  →  081355556666
//
// The canonical form is the national one (what a call-taker in Serang
// writes and reads): digits only, Indonesian numbers with the trunk 0.
// Short service numbers (112, 110) stay as they are; a foreign number
// keeps its "+" and country code.

// MinPhoneDigits and MaxPhoneDigits bound a number's digits.
const (
	MinPhoneDigits = 3
	MaxPhoneDigits = 16
)

// indonesia is the country calling code.
const indonesia = "62"

// minBare62 is the shortest "62…" taken as the country code without a
// "+" or "00": 62 and a national number of at least 7 digits. A shorter
// one is a short number that happens to start with 62.
const minBare62 = 9

// NormalizePhone writes a phone number in its canonical form (see above),
// or says why it is not one (CodeInvalid). Spaces, dashes, dots and
// parentheses are dropped.
//
// Zeros right after "+" or "00" (and after the country code 62) are the
// national trunk, however many: +0812…, 00 0812…, 0000081… and
// 000 62 812… are all 0812…, so no spelling of a blocked number is a new
// caller. What follows "+" or "00" without them is a country code: a
// foreign number keeps it (0065 9123 4567 is +6591234567).
func NormalizePhone(s string) (string, error) {
	raw := s
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '.', '\u00a0':
			return -1
		}
		return r
	}, s)
	international := false
	switch {
	case strings.HasPrefix(s, "+"):
		s, international = s[1:], true
	case strings.HasPrefix(s, "00"):
		s, international = s[2:], true
	case strings.HasPrefix(s, indonesia) && len(s) >= minBare62:
		international = true
	}
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return "", badPhone(raw)
	}
	out := s
	if international {
		rest := strings.TrimLeft(s, "0")
		switch national, ok := strings.CutPrefix(rest, indonesia); {
		case ok:
			// "+62 (0)813…": the trunk 0 written after the country code.
			national = strings.TrimLeft(national, "0")
			if national == "" {
				return "", badPhone(raw)
			}
			out = "0" + national
		case rest == "":
			return "", badPhone(raw)
		case len(rest) < len(s):
			out = "0" + rest // "+0812…": a trunk where a country code belongs
		default:
			out = "+" + s // foreign: kept with its country code
		}
	}
	if n := len(strings.TrimPrefix(out, "+")); n < MinPhoneDigits || n > MaxPhoneDigits || out == "0" {
		return "", badPhone(raw)
	}
	return out, nil
}

func badPhone(raw string) error {
	return Errorf(CodeInvalid, "phone number %q must be %d to %d digits (spaces, dashes, parentheses and a leading +62, 62, 0062 or 0 allowed)",
		truncate(raw, 40), MinPhoneDigits, MaxPhoneDigits)
}

// PhoneE164 writes a canonical number (NormalizePhone's) in E.164 for SMS
// and WhatsApp gateways: 0812… becomes +62812…; false for a short number
// that has no E.164 form.
func PhoneE164(canonical string) (string, bool) {
	var e string
	switch {
	case strings.HasPrefix(canonical, "+"):
		e = canonical
	case strings.HasPrefix(canonical, "0"):
		e = "+" + indonesia + canonical[1:]
	default:
		return "", false
	}
	return e, e164.MatchString(e)
}
