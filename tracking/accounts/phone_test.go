package accounts

import (
	"testing"

	"siaga112/tracking"
)

// The phone role is a token's: a user cannot have it, and its secret
// opens the API as phone, never the MQTT gateway.
func TestPhoneRoleIsATokenOnly(t *testing.T) {
	s, _, _ := setup(t)
	if _, err := s.AddUser(ctx, "pbx", tracking.RolePhone, "a-long-password-1", "admin"); tracking.CodeOf(err) != tracking.CodeInvalid {
		t.Fatalf("phone user: %v", err)
	}
	tok, secret, err := s.IssueToken(ctx, "kamailio", tracking.RolePhone, "admin")
	if err != nil || tok.Role != tracking.RolePhone {
		t.Fatalf("%+v %v", tok, err)
	}
	p, err := s.Token(ctx, secret, "127.0.0.1")
	if err != nil || p.Role != tracking.RolePhone {
		t.Fatalf("token: %+v %v", p, err)
	}
	if s.Gateway("127.0.0.1:5000", secret) {
		t.Fatal("a phone token opened the MQTT gateway")
	}
}
