package storetest

import (
	"context"
	"testing"
	"time"

	"siaga112/tracking"
)

// RunAccounts is the contract every tracking.AccountStore passes. reopen
// (optional) returns a store on the same data, as after a restart.
func RunAccounts(t *testing.T, open func(t *testing.T) (s tracking.AccountStore, reopen func() tracking.AccountStore)) {
	ctx := context.Background()
	by := tracking.Audit{Action: "test", Actor: "admin", At: t0}
	user := tracking.User{Name: "sari", Role: tracking.RoleDispatcher, PasswordHash: "$2a$10$x", CreatedAt: t0, UpdatedAt: t0}
	used := t0.Add(time.Hour)
	token := tracking.Token{ID: "t1", Name: "cad-bridge", Role: tracking.RoleDispatcher, Hash: "ab12", CreatedAt: t0}
	userSession := tracking.Session{Hash: "s-user", User: "sari", Principal: tracking.Principal{Name: "sari", Role: tracking.RoleDispatcher},
		CSRF: "c1", CreatedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
	tokenSession := tracking.Session{Hash: "s-token", TokenID: "t1", Principal: tracking.Principal{Name: "cad-bridge", Role: tracking.RoleDispatcher, TokenID: "t1"},
		CSRF: "c2", CreatedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
	expired := tracking.Session{Hash: "s-old", User: "sari", Principal: user0(), CSRF: "c3", CreatedAt: t0.Add(-24 * time.Hour), ExpiresAt: t0.Add(-time.Hour)}

	seed := func(t *testing.T, s tracking.AccountStore) {
		t.Helper()
		for _, err := range []error{s.SaveUser(ctx, user, by), s.SaveToken(ctx, token, by), s.SaveSession(ctx, userSession),
			s.SaveSession(ctx, tokenSession), s.SaveSession(ctx, expired), s.TouchToken(ctx, "t1", used)} {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	check := func(t *testing.T, s tracking.AccountStore) {
		t.Helper()
		us, err := s.Users(ctx)
		if err != nil || len(us) != 1 || us[0] != user {
			t.Fatalf("users %+v %v, want %+v", us, err, user)
		}
		ts, err := s.Tokens(ctx)
		if err != nil || len(ts) != 1 || ts[0].Hash != "ab12" || ts[0].LastUsed == nil || !ts[0].LastUsed.Equal(used) {
			t.Fatalf("tokens %+v %v", ts, err)
		}
		ss, err := s.Sessions(ctx, t0)
		if err != nil || len(ss) != 2 || !ss[0].ExpiresAt.Equal(userSession.ExpiresAt) {
			t.Fatalf("sessions %+v %v: want the two live ones", ss, err)
		}
		for _, se := range ss {
			want := map[string]tracking.Session{"s-user": userSession, "s-token": tokenSession}[se.Hash]
			if se.User != want.User || se.TokenID != want.TokenID || se.Principal != want.Principal || se.CSRF != want.CSRF {
				t.Fatalf("session %+v, want %+v", se, want)
			}
		}
	}

	t.Run("round trip", func(t *testing.T) {
		s, reopen := open(t)
		seed(t, s)
		check(t, s)
		if reopen != nil {
			check(t, reopen())
		}
	})

	t.Run("a changed user is saved whole", func(t *testing.T) {
		s, _ := open(t)
		seed(t, s)
		u := user
		u.Role, u.Disabled, u.PasswordHash, u.UpdatedAt = tracking.RoleAdmin, true, "$2a$10$y", t0.Add(time.Minute)
		if err := s.SaveUser(ctx, u, by); err != nil {
			t.Fatal(err)
		}
		us, _ := s.Users(ctx)
		if len(us) != 1 || us[0] != u {
			t.Fatalf("users %+v, want %+v", us, u)
		}
	})

	t.Run("deleting ends what hangs on it", func(t *testing.T) {
		tests := []struct {
			name     string
			del      func(tracking.AccountStore) error
			sessions []string
			users    int
			tokens   int
		}{
			{"user", func(s tracking.AccountStore) error { return s.DeleteUser(ctx, "sari", by) }, []string{"s-token"}, 0, 1},
			{"user's sessions", func(s tracking.AccountStore) error { return s.DeleteUserSessions(ctx, "sari") }, []string{"s-token"}, 1, 1},
			{"token", func(s tracking.AccountStore) error { return s.DeleteToken(ctx, "t1", by) }, []string{"s-user"}, 1, 0},
			{"one session", func(s tracking.AccountStore) error { return s.DeleteSession(ctx, "s-user") }, []string{"s-token"}, 1, 1},
			{"what is not there", func(s tracking.AccountStore) error { return s.DeleteUser(ctx, "nobody", by) }, []string{"s-token", "s-user"}, 1, 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _ := open(t)
				seed(t, s)
				if err := tt.del(s); err != nil {
					t.Fatal(err)
				}
				ss, _ := s.Sessions(ctx, t0)
				var got []string
				for _, se := range ss {
					got = append(got, se.Hash)
				}
				us, _ := s.Users(ctx)
				ts, _ := s.Tokens(ctx)
				if len(got) != len(tt.sessions) || (len(got) > 0 && got[0] != tt.sessions[0]) || len(us) != tt.users || len(ts) != tt.tokens {
					t.Fatalf("sessions %v users %d tokens %d; want %v %d %d", got, len(us), len(ts), tt.sessions, tt.users, tt.tokens)
				}
			})
		}
	})
}

func user0() tracking.Principal {
	return tracking.Principal{Name: "sari", Role: tracking.RoleDispatcher}
}
