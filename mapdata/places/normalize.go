// Package places finds a place the way a caller names it: Kota Serang's
// kecamatan and kelurahan, the named streets, POIs and crossings of an
// OpenStreetMap extract, and the centre's own place book. It holds the one
// normaliser that query and names share, the index, search, intersections
// and reverse geocoding, all in memory: it does no I/O (osmload reads the
// extract).
package places

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hint is a kind named in a query ("Kel.", "Kec."): it ranks that kind
// first and is not a word of the name.
type Hint string

const (
	NoHint        Hint = ""
	HintKelurahan Hint = "kelurahan"
	HintKecamatan Hint = "kecamatan"
)

// Abbreviations is the one table of whole-word short forms (dot or not:
// dots are spaces) and what they stand for. "K.H." is "k h" after the dots
// and is read as "kh" (see Normalize).
var Abbreviations = map[string]string{
	"jl": "jalan", "jln": "jalan",
	"gg": "gang",
	"kp": "kampung", "kmp": "kampung",
	"ps": "pasar", "psr": "pasar",
	"pkm": "puskesmas",
	"sdn": "sd negeri", "smpn": "smp negeri", "sman": "sma negeri", "smkn": "smk negeri",
	"mesjid": "masjid",
	"rs":     "rumah sakit",
	"kh":     "kiai haji",
	"jend":   "jenderal",
}

// hints are the words that name a kind rather than a place.
var hints = map[string]Hint{
	"kel": HintKelurahan, "kelurahan": HintKelurahan, "desa": HintKelurahan,
	"kec": HintKecamatan, "kecamatan": HintKecamatan,
}

// sepWord marks a separator ("&", "/") in the tokens of a query.
const sepWord = "\x00"

// tokens splits s into lower-case words: letters and digits make words, a
// change between letters and digits too ("SDN01" is "sdn 01"); "&" and "/"
// are separators (sepWord); every other character is a space. Control and
// format characters are dropped. Invalid UTF-8 is a space.
func tokens(s string, dst []string) []string {
	var b strings.Builder
	class := 0 // of the word being built: 1 letter, 2 digit
	flush := func() {
		if b.Len() > 0 {
			dst = append(dst, b.String())
			b.Reset()
		}
		class = 0
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			flush()
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			if class == 2 {
				flush()
			}
			class = 1
			b.WriteRune(unicode.ToLower(r))
		case unicode.IsDigit(r):
			if class == 1 {
				flush()
			}
			class = 2
			b.WriteRune(r)
		case r == '&' || r == '/':
			flush()
			dst = append(dst, sepWord)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			// dropped: not even a space ("Ja\u200Blan" is "jalan")
		default:
			flush()
		}
	}
	flush()
	return dst
}

// expand applies the abbreviation table and the number rule to one word,
// appending the result.
func expand(dst []string, w string) []string {
	if long, ok := Abbreviations[w]; ok {
		return append(dst, strings.Fields(long)...)
	}
	if w[0] >= '0' && w[0] <= '9' {
		// Leading zeros say nothing: SDN 01 is SD Negeri 1.
		t := strings.TrimLeft(w, "0")
		if t == "" {
			t = "0"
		}
		return append(dst, t)
	}
	return append(dst, w)
}

// Normalize returns the words of a name as they are matched: lower case,
// punctuation as spaces, abbreviations written out, leading zeros gone.
// Separators are spaces and kind words stay words (a POI may be called
// "Kantor Kelurahan Cipare").
func Normalize(s string) []string {
	raw := tokens(s, nil)
	out := make([]string, 0, len(raw)+2)
	for i := 0; i < len(raw); i++ {
		w := raw[i]
		switch {
		case w == sepWord:
			continue
		case w == "k" && i+1 < len(raw) && raw[i+1] == "h":
			w = "kh" // K.H.
			i++
		}
		out = expand(out, w)
	}
	return out
}

// Query is a normalised search.
type Query struct {
	Words []string // every word must match a word of the name
	Hint  Hint
	// Left and Right are the two sides of a crossing ("A & B", "A / B",
	// "A x B"); nil unless the query has exactly one separator with words
	// on both sides.
	Left, Right []string
}

// ParseQuery normalises a query the way Normalize does a name, and also
// reads kind hints and a crossing's separator. Separators that do not make
// a crossing are spaces.
func ParseQuery(s string) Query {
	raw := tokens(s, nil)
	var q Query
	var words []string
	seps, at := 0, 0
	var kinds []string
	for i := 0; i < len(raw); i++ {
		w := raw[i]
		if w == sepWord || w == "x" {
			seps++
			at = len(words)
			continue
		}
		if h, ok := hints[w]; ok {
			if q.Hint == NoHint {
				q.Hint = h
			}
			kinds = append(kinds, w)
			continue
		}
		if w == "k" && i+1 < len(raw) && raw[i+1] == "h" {
			w = "kh"
			i++
		}
		words = expand(words, w)
	}
	if len(words) == 0 && len(kinds) > 0 {
		// "kelurahan" alone is a name word, not a hint.
		q.Hint = NoHint
		for _, w := range kinds {
			words = expand(words, w)
		}
	}
	q.Words = words
	if seps == 1 && at > 0 && at < len(words) {
		q.Left, q.Right = words[:at:at], words[at:]
	}
	return q
}
