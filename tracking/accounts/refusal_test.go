package accounts

import (
	"errors"
	"maps"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/memstore"
)

// refusing refuses every change of records while armed, as a database
// refuses a write (the change would go to its dead letters).
type refusing struct {
	*memstore.Store
	armed atomic.Bool
}

var errRefused = errors.New("refused by the test's store")

func (r *refusing) Submit(c tracking.Change, done func(error)) {
	if r.armed.Load() && len(c.Records) > 0 {
		done(errRefused)
		return
	}
	r.Store.Submit(c, done)
}

// memory is a copy of what the service holds.
type memory struct {
	users    map[string]tracking.User
	tokens   map[string]tracking.Token
	tokenIDs map[string]string
	sessions map[string]tracking.Session
}

func (s *Service) memory() memory {
	s.mu.Lock()
	defer s.mu.Unlock()
	return memory{maps.Clone(s.users), maps.Clone(s.tokens), maps.Clone(s.tokenIDs), maps.Clone(s.sessions)}
}

// Issue 23: a change the store refuses leaves memory as it was, for every
// kind of change of accounts.
func TestRefusedChangeLeavesMemory(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *Service, f fixture) error
	}{
		{"user created", func(s *Service, _ fixture) error {
			_, err := s.AddUser(ctx, "baru", tracking.RoleDispatcher, "a-new-password", "admin")
			return err
		}},
		{"user replaced", func(s *Service, _ fixture) error {
			_, err := s.AddUser(ctx, "sari", tracking.RolePlanner, "another-password", "admin")
			return err
		}},
		{"user's role changed", func(s *Service, _ fixture) error {
			role := tracking.RolePlanner
			_, err := s.UpdateUser(ctx, "sari", UserPatch{Role: &role}, "admin")
			return err
		}},
		{"user's password changed", func(s *Service, _ fixture) error {
			pw := "another-password"
			_, err := s.UpdateUser(ctx, "sari", UserPatch{Password: &pw}, "admin")
			return err
		}},
		{"user disabled", func(s *Service, _ fixture) error {
			off := true
			_, err := s.UpdateUser(ctx, "sari", UserPatch{Disabled: &off}, "admin")
			return err
		}},
		{"user deleted", func(s *Service, _ fixture) error { return s.DeleteUser(ctx, "sari", "admin") }},
		{"token issued", func(s *Service, _ fixture) error {
			_, _, err := s.IssueToken(ctx, "another", tracking.RoleDispatcher, "admin")
			return err
		}},
		{"token revoked", func(s *Service, f fixture) error { return s.DeleteToken(ctx, f.token.ID, "admin") }},
		{"session opened", func(s *Service, _ fixture) error {
			_, _, err := s.NewSession(ctx, tracking.Principal{Name: "disp2", Role: tracking.RoleDispatcher})
			return err
		}},
		{"session ended", func(s *Service, f fixture) error { return s.EndSession(ctx, f.session) }},
		{"token used", func(s *Service, f fixture) error {
			// A use is recorded in the background: the request is served,
			// and memory keeps the last use the store has.
			_, err := s.Token(ctx, f.secret, "10.0.0.9")
			if err != nil {
				return err
			}
			return errRefused
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, f, store := refusingSetup(t)
			before := s.memory()
			store.armed.Store(true)
			if err := tt.change(s, f); !errors.Is(err, errRefused) {
				t.Fatalf("the change answered %v, want the store's refusal", err)
			}
			if after := s.memory(); !reflect.DeepEqual(before, after) {
				t.Fatalf("memory changed although the store refused:\nbefore %+v\nafter  %+v", before, after)
			}
			// And it still works as before.
			store.armed.Store(false)
			if _, err := s.Login(ctx, "sari", "right-password-sari", "10.0.0.1"); err != nil {
				t.Fatalf("sari after the refusal: %v", err)
			}
			if _, _, ok := s.Session(f.session); !ok {
				t.Fatal("the session ended although the store refused")
			}
			if _, err := s.Token(ctx, f.secret, "10.0.0.1"); err != nil {
				t.Fatalf("the token after the refusal: %v", err)
			}
		})
	}
}

type fixture struct {
	token   tracking.Token
	secret  string
	session string
}

func refusingSetup(t *testing.T) (*Service, fixture, *refusing) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	store := &refusing{Store: memstore.NewAccounts()}
	s := newService(t, store, clk)
	for _, u := range []string{"sari", "disp2"} {
		if _, err := s.AddUser(ctx, u, tracking.RoleDispatcher, "right-password-"+u, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	var f fixture
	var err error
	if f.token, f.secret, err = s.IssueToken(ctx, "bridge", tracking.RoleDispatcher, "admin"); err != nil {
		t.Fatal(err)
	}
	p, err := s.Login(ctx, "sari", "right-password-sari", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if f.session, _, err = s.NewSession(ctx, p); err != nil {
		t.Fatal(err)
	}
	return s, f, store
}
