package web

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/accounts"
	"siaga112/tracking/memstore"
)

// FuzzPatchUser: whatever an admin's client sends to PATCH /api/users/{name},
// the decoder and the accounts service answer with a coded sentence (never
// an internal error, never a panic), and a refused change leaves the user
// as it was.
func FuzzPatchUser(f *testing.F) {
	for _, s := range []string{
		`{"role":"planner"}`, `{"password":"a-new-password"}`, `{"disabled":true}`, `{"role":"device"}`,
		`{"role":"admin","password":"short"}`, `{"password":"` + string(bytes.Repeat([]byte("p"), 73)) + `"}`,
		`{"role":null}`, `{"disabled":"yes"}`, `{"by":"mallory"}`, `{}`, `[]`, `{"role":"<img src=x>"}`,
	} {
		f.Add([]byte(s))
	}
	acc := newAccounts(f, memstore.NewAccounts())
	ctx := context.Background()
	if _, err := acc.AddUser(ctx, "sari", tracking.RoleDispatcher, "dispatch-pass-1", "admin"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var b userPatchBody
		r := httptest.NewRequest("PATCH", "/api/users/sari", bytes.NewReader(body))
		if err := decodeBody(httptest.NewRecorder(), r, &b); err != nil {
			if tracking.CodeOf(err) != tracking.CodeInvalid {
				t.Fatalf("body %q: %v is not an invalid-input error", body, err)
			}
			return
		}
		before, _ := acc.User("sari")
		p := accounts.UserPatch{Password: b.Password, Disabled: b.Disabled}
		if b.Role != nil {
			role := tracking.Role(*b.Role)
			p.Role = &role
		}
		_, err := acc.UpdateUser(ctx, "sari", p, "admin")
		if err == nil {
			return
		}
		if tracking.CodeOf(err) != tracking.CodeInvalid {
			t.Fatalf("body %q: %v is not an invalid-input error", body, err)
		}
		if after, _ := acc.User("sari"); after != before {
			t.Fatalf("body %q: a refused change altered the user: %+v → %+v", body, before, after)
		}
	})
}
