package web

import (
	"strings"
	"testing"
)

// Issue 22 (4): the audit trail names actors by user or token name, so a
// name must point at one principal. Users and tokens named admin, system,
// anonymous (any case), or like each other, were created (201).
func TestAccountNamesAreUnambiguous(t *testing.T) {
	base, _ := authServer(t) // users sari (dispatcher) and budi (planner)
	user := func(name string) string {
		return `{"name":"` + name + `","role":"dispatcher","password":"long-enough-pass"}`
	}
	token := func(name string) string { return `{"name":"` + name + `","role":"dispatcher"}` }
	if resp, body := send(t, "POST", base+"/api/tokens", token("wallboard"), adminToken, nil, nil); resp.StatusCode != 201 {
		t.Fatalf("token wallboard: %d %s", resp.StatusCode, body)
	}
	tests := []struct {
		name, path, body string
		status           int
		has              string
	}{
		{"user admin", "/api/users", user("admin"), 400, `user name \"admin\" is reserved`},
		{"user Admin", "/api/users", user("Admin"), 400, `is reserved`},
		{"user SYSTEM", "/api/users", user("SYSTEM"), 400, `is reserved`},
		{"user anonymous", "/api/users", user("anonymous"), 400, `is reserved`},
		{"user AnOnYmOuS", "/api/users", user("AnOnYmOuS"), 400, `is reserved`},
		{"token admin", "/api/tokens", token("admin"), 400, `token name \"admin\" is reserved`},
		{"token System", "/api/tokens", token("System"), 400, `is reserved`},
		{"token anonymous", "/api/tokens", token("anonymous"), 400, `is reserved`},
		{"token named like a user", "/api/tokens", token("sari"), 409, `user \"sari\" exists`},
		{"token named like a user, other case", "/api/tokens", token("SARI"), 409, `user \"sari\" exists`},
		{"user named like a token", "/api/users", user("wallboard"), 409, `is named \"wallboard\"`},
		{"user named like a token, other case", "/api/users", user("WallBoard"), 409, `is named \"wallboard\"`},
		{"user named like a user, other case", "/api/users", user("Sari"), 409, `user \"sari\" exists`},
		{"a user replaced under its own name", "/api/users", user("sari"), 201, `"name":"sari"`},
		{"another token of the same name", "/api/tokens", token("wallboard"), 201, `"name":"wallboard"`},
		{"names that only contain a reserved one", "/api/users", user("admin2"), 201, `"name":"admin2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, "POST", base+tt.path, tt.body, adminToken, nil, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.has) {
				t.Fatalf("%d %s; want %d with %s", resp.StatusCode, body, tt.status, tt.has)
			}
		})
	}
	resp, body := send(t, "GET", base+"/api/users", "", adminToken, nil, nil)
	for _, n := range []string{`"admin"`, `"Admin"`, `"SYSTEM"`, `"Sari"`, `"WallBoard"`} {
		if resp.StatusCode != 200 || strings.Contains(body, `"name":`+n) {
			t.Fatalf("a refused user was kept: %s", body)
		}
	}
}
