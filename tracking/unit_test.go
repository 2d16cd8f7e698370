package tracking

import "testing"

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
