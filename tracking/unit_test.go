package tracking

import (
	"regexp"
	"strings"
	"testing"
)

// A unit named like the server could pose as it on the broker (issue 11 #4).
func TestRegistrationReservedIDs(t *testing.T) {
	for _, tt := range []struct {
		name, id string
		ok       bool
	}{
		{"ordinary unit", "AMB-01", true},
		{"admin", "admin", false},
		{"Admin in capitals", "ADMIN", false},
		{"the server's client id", "siaga112-host", false},
		{"server prefix in capitals", "Siaga112x", false},
		{"mochi's inline client", "inline", false},
		{"admin as a prefix is fine", "administrasi-1", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Registration{ID: tt.id, Type: Ambulance, Agency: "dinkes"}.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate(%q) = %v, want ok=%v", tt.id, err, tt.ok)
			}
			if err != nil && CodeOf(err) != CodeInvalid {
				t.Fatalf("code %q, want invalid", CodeOf(err))
			}
		})
	}
}

// idRule is the id rule as its regular expression: validID must agree.
var idRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func TestValidateID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		ok   bool
	}{
		{"unit id", "AMB-01", true},
		{"dots and underscores", "a.b_c-d", true},
		{"one digit", "7", true},
		{"empty", "", false},
		{"starts with a dash", "-AMB", false},
		{"starts with a dot", ".x", false},
		{"space", "AMB 01", false},
		{"slash", "AMB/01", false},
		{"MQTT wildcard", "AMB+", false},
		{"non-ASCII letter", "AMBé", false},
		{"NUL", "A\x00", false},
		{"longest", strings.Repeat("a", MaxIDLen), true},
		{"too long", strings.Repeat("a", MaxIDLen+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidateID("unit id", tt.id); (err == nil) != tt.ok {
				t.Fatalf("ValidateID(%q) = %v, want ok=%v", tt.id, err, tt.ok)
			}
		})
	}
}

func FuzzValidID(f *testing.F) {
	for _, s := range []string{"", "A", "AMB-01", "-a", "a-", "a..b", "é", "\x00", "_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validID(s), idRule.MatchString(s); got != want {
			t.Fatalf("validID(%q) = %v, the rule says %v", s, got, want)
		}
	})
}
