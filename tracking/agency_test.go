package tracking

import (
	"strings"
	"testing"
)

func TestValidateContact(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Contact
		want string // the normalized value, or an error fragment after "!"
	}{
		{"local mobile", Contact{Kind: ContactWhatsApp, Value: "0812 3456 7890"}, "+6281234567890"},
		{"e164", Contact{Kind: ContactPhone, Value: "+62254200112"}, "+62254200112"},
		{"00 prefix too short", Contact{Kind: ContactPhone, Value: "0062812"}, "!not a phone"},
		{"00 prefix", Contact{Kind: ContactPhone, Value: "0062 812 3456 7890"}, "+6281234567890"},
		{"letters", Contact{Kind: ContactPhone, Value: "+62abc"}, "!not a phone"},
		{"email", Contact{Kind: ContactEmail, Value: "piket@serangkota.example"}, "piket@serangkota.example"},
		{"email with name", Contact{Kind: ContactEmail, Value: "Piket <piket@x.example>"}, "!bare"},
		{"markup label", Contact{Kind: ContactEmail, Value: "a@b.example", Label: "<b>piket</b>"}, "a@b.example"},
		{"control label", Contact{Kind: ContactEmail, Value: "a@b.example", Label: "a\x00"}, "!control"},
		{"kind", Contact{Kind: "fax", Value: "1"}, "!phone, whatsapp or email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ValidateContact(tc.in)
			if frag, bad := strings.CutPrefix(tc.want, "!"); bad {
				if err == nil || !strings.Contains(err.Error(), frag) || CodeOf(err) != CodeInvalid {
					t.Fatalf("err %v, want %q", err, frag)
				}
				return
			}
			if err != nil || got.Value != tc.want {
				t.Fatalf("got %q (%v), want %q", got.Value, err, tc.want)
			}
		})
	}
	if _, err := ValidateContacts(make([]Contact, MaxContacts+1)); err == nil {
		t.Fatal("more than MaxContacts accepted")
	}
}
