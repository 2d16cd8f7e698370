package accounts

import (
	"strings"

	"siaga112/tracking"
)

// The audit trail names who did what by a user's or a token's name, so
// each name must point at one principal.

// reservedNames are actors the server writes itself: the bootstrap admin
// token, the server's own acts (arrival detected, deadlines), an open
// API. No user or token may take one, in any case.
var reservedNames = []string{GatewayUser, "system", "anonymous"}

// checkName refuses a reserved name (CodeInvalid); what is "user name" or
// "token name".
func checkName(what, name string) error {
	for _, r := range reservedNames {
		if strings.EqualFold(name, r) {
			return tracking.Errorf(tracking.CodeInvalid, "%s %q is reserved (the audit trail uses %s for the server itself); choose another",
				what, name, strings.Join(reservedNames, ", "))
		}
	}
	return nil
}

// userNameClash is the conflict of a new user's name with a token's, or
// with another user's that differs only in case; nil when free. Caller
// holds s.mu.
func (s *Service) userNameClash(name string) error {
	for _, t := range s.tokens {
		if strings.EqualFold(t.Name, name) {
			return tracking.Errorf(tracking.CodeConflict, "token %s is named %q: a user %q could not be told from it in the audit trail; choose another name", t.ID, t.Name, name)
		}
	}
	for other := range s.users {
		if other != name && strings.EqualFold(other, name) {
			return tracking.Errorf(tracking.CodeConflict, "user %q exists: a user %q could not be told from it in the audit trail; choose another name", other, name)
		}
	}
	return nil
}

// tokenNameClash is the conflict of a new token's name with a user's; nil
// when free. Caller holds s.mu.
func (s *Service) tokenNameClash(name string) error {
	for other := range s.users {
		if strings.EqualFold(other, name) {
			return tracking.Errorf(tracking.CodeConflict, "user %q exists: a token named %q could not be told from it in the audit trail; choose another name", other, name)
		}
	}
	return nil
}
