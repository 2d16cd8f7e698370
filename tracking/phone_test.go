package tracking

import "testing"

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
		{"letters", "0813abc", ""},
		{"too short", "12", ""},
		{"too long", "0812345678901234567", ""},
		{"empty", "", ""},
		{"only a plus", "+", ""},
		{"62 alone after +", "+62", ""},
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
	for _, s := range []string{"081355556666", "+62 813-5555-6666", "006281355556666", "6281355556666", "112", "+1 555", "(0)", "+62(0)"} {
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
