package tracking

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string // want "" : refused
	}{
		{"national", "081355556666", "081355556666"},
		{"bare 62", "6281355556666", "081355556666"},
		{"plus 62 with dashes", "+62 813-5555-6666", "081355556666"},
		{"0062", "006281355556666", "081355556666"},
		{"parentheses", "(0813) 5555 6666", "081355556666"},
		{"trunk 0 after +62", "+62 (0)813 5555 6666", "081355556666"},
		{"landline Serang", "+62 254 200112", "0254200112"},
		{"short service number", "112", "112"},
		{"short number starting 62", "6211", "6211"},
		{"foreign", "+1 (555) 010-9999", "+15550109999"},
		{"foreign with 00", "0015550109999", "+15550109999"},
		// Issue 22: zeros after "+" or "00" are the trunk, not a new caller.
		{"plus trunk", "+081355556666", "081355556666"},
		{"00 then trunk", "00 0813 5555 6666", "081355556666"},
		{"many zeros", "000081355556666", "081355556666"},
		{"000 62", "000 62 813 5555 6666", "081355556666"},
		{"plus zeros 62", "+00 62 0813 5555 6666", "081355556666"},
		{"62 then two zeros", "+62 00 813 5555 6666", "081355556666"},
		{"foreign with 00, spaced", "0065 9123 4567", "+6591234567"},
		{"only zeros after +", "+000", ""},
		{"only zeros after 00", "0000", ""},
		{"letters", "0813abc", ""},
		{"too short", "12", ""},
		{"too long", "0812345678901234567", ""},
		{"empty", "", ""},
		{"only a plus", "+", ""},
		{"62 alone after +", "+62", ""},
		{"62 and zeros after +", "+62000", ""},
		{"NUL", "0813\x005555", ""},
		{"markup", "<b>0813</b>", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizePhone(tc.in)
			if tc.want == "" {
				if err == nil || CodeOf(err) != CodeInvalid {
					t.Fatalf("%q accepted as %q (%v)", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("%q → %q (%v), want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// Every spelling of one number is the same contact too.
func TestPhoneOneRuleForContacts(t *testing.T) {
	for _, v := range []string{"081355556666", "6281355556666", "+62 813-5555-6666", "006281355556666"} {
		c, err := ValidateContact(Contact{Kind: ContactPhone, Value: v})
		if err != nil || c.Value != "+6281355556666" {
			t.Fatalf("%q → %q (%v)", v, c.Value, err)
		}
	}
	if _, err := ValidateContact(Contact{Kind: ContactPhone, Value: "112"}); err == nil {
		t.Fatal("a short number has no E.164 form; accepted as a contact")
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"081355556666", "+62 813-5555-6666", "006281355556666", "6281355556666", "112", "+1 555", "(0)", "+62(0)",
		"+0812", "00 0812", "0000081", "000 62 812", "0065 9123 4567", "+00", "620"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizePhone(s)
		if err != nil {
			return
		}
		// Canonical is a fixed point: normalizing it again changes nothing.
		again, err := NormalizePhone(n)
		if err != nil || again != n {
			t.Fatalf("%q → %q → %q (%v)", s, n, again, err)
		}
	})
}

// Property: normalising is idempotent. Random spellings built from what
// people type (digits, +, 00, spaces, dashes, parentheses) either fail or
// reach a fixed point at once; every spelling of one number reaches the
// same one.
func TestNormalizePhoneIsIdempotent(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 3))
	parts := []string{"0", "00", "000", "+", "62", "65", "1", "8", "812", "3555", "6666", " ", "-", "(0)", "(", ")", "."}
	checked := 0
	for range 200_000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		in := b.String()
		n, err := NormalizePhone(in)
		if err != nil {
			continue
		}
		checked++
		again, err := NormalizePhone(n)
		if err != nil || again != n {
			t.Fatalf("%q → %q → %q (%v)", in, n, again, err)
		}
	}
	if checked < 10_000 {
		t.Fatalf("only %d random spellings were numbers: the generator is off", checked)
	}
	// Every spelling of one Indonesian number is one caller.
	for _, sp := range []string{"081355556666", "+081355556666", "00 0813 5555 6666", "000081355556666", "000 62 813 5555 6666",
		"+62 813-5555-6666", "006281355556666", "6281355556666", "+62 (0)813 5555 6666", "+0062 0813 5555 6666"} {
		if n, err := NormalizePhone(sp); err != nil || n != "081355556666" {
			t.Errorf("%q → %q (%v), want 081355556666", sp, n, err)
		}
	}
}
