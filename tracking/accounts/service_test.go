package accounts

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/memstore"
)

const admin = "admin-token-for-tests-0123"

var ctx = context.Background()

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newService(t testing.TB, store tracking.AccountStore, clk *clock) *Service {
	t.Helper()
	s, err := New(ctx, Config{Store: store, AdminToken: admin, Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func setup(t testing.TB) (*Service, *clock, *memstore.Store) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	store := memstore.NewAccounts()
	s := newService(t, store, clk)
	for _, u := range []string{"sari", "disp2"} {
		if _, err := s.AddUser(ctx, u, tracking.RoleDispatcher, "right-password-"+u, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	return s, clk, store
}

func TestPolicyWait(t *testing.T) {
	p := Policy{Free: 3, Base: time.Second, Max: 10 * time.Second, Forget: time.Minute}
	tests := []struct {
		name string
		n    int
		want time.Duration
	}{
		{"free", 3, 0}, {"first paid", 4, time.Second}, {"doubles", 5, 2 * time.Second}, {"doubles again", 6, 4 * time.Second},
		{"capped", 9, 10 * time.Second}, {"capped far out", 1000, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.wait(tt.n); got != tt.want {
				t.Fatalf("wait(%d) = %v, want %v", tt.n, got, tt.want)
			}
		})
	}
}

func TestAdminTokenTooShort(t *testing.T) {
	_, err := New(ctx, Config{Store: memstore.NewAccounts(), AdminToken: "x"})
	if tracking.CodeOf(err) != tracking.CodeInvalid || !strings.Contains(err.Error(), "at least 20") {
		t.Fatalf("a one-character admin token: %v", err)
	}
}

func TestPasswordLength(t *testing.T) {
	s, _, _ := setup(t)
	long := strings.Repeat("p", MaxPassword+1)
	tests := []struct {
		name string
		err  error
	}{
		{"add", func() error { _, err := s.AddUser(ctx, "ani", tracking.RoleDispatcher, long, "admin"); return err }()},
		{"patch", func() error { _, err := s.UpdateUser(ctx, "sari", UserPatch{Password: &long}, "admin"); return err }()},
		{"login", func() error { _, err := s.Login(ctx, "sari", long, "10.0.0.1"); return err }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tracking.CodeOf(tt.err) != tracking.CodeInvalid {
				t.Fatalf("a %d-byte password: %v, want invalid", len(long), tt.err)
			}
		})
	}
}

// Issue 13 item 3: five wrong passwords for disp2 from one address lock
// out neither the real disp2 elsewhere nor the others behind that address.
func TestLoginThrottle(t *testing.T) {
	s, clk, _ := setup(t)
	attacker, office := "203.0.113.9", "198.51.100.7"
	for i := range LoginPolicy.Free + 1 {
		if _, err := s.Login(ctx, "disp2", "guess-guess", attacker); tracking.CodeOf(err) != tracking.CodeUnauthenticated {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if _, err := s.Login(ctx, "disp2", "right-password-disp2", attacker); tracking.CodeOf(err) != tracking.CodeTooMany {
		t.Fatalf("the guessing address with the right password: %v, want too_many", err)
	}
	if p, err := s.Login(ctx, "disp2", "right-password-disp2", office); err != nil || p.Name != "disp2" {
		t.Fatalf("the real disp2 from another address: %v", err)
	}
	if _, err := s.Login(ctx, "sari", "right-password-sari", attacker); err != nil {
		t.Fatalf("another name behind the guessing address: %v", err)
	}
	// Each further failure doubles the wait.
	for n := LoginPolicy.Free + 1; n < LoginPolicy.Free+4; n++ {
		wait := LoginPolicy.wait(n)
		clk.Add(wait - time.Millisecond)
		if _, err := s.Login(ctx, "disp2", "right-password-disp2", attacker); tracking.CodeOf(err) != tracking.CodeTooMany {
			t.Fatalf("%d failures, %v not yet passed: %v", n, wait, err)
		}
		clk.Add(time.Millisecond)
		if _, err := s.Login(ctx, "disp2", "guess-guess", attacker); tracking.CodeOf(err) != tracking.CodeUnauthenticated {
			t.Fatalf("%d failures, %v passed: %v", n, wait, err)
		}
		if next := LoginPolicy.wait(n + 1); next != 2*wait {
			t.Fatalf("wait after %d failures %v, after %d %v: not growing", n, wait, n+1, next)
		}
	}
	clk.Add(LoginPolicy.wait(LoginPolicy.Free + 4))
	if _, err := s.Login(ctx, "disp2", "right-password-disp2", attacker); err != nil {
		t.Fatalf("after the delay: %v", err)
	}
}

func TestLoginAddressCeiling(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	ceiling := Policy{Free: 12, Base: time.Minute, Max: time.Hour, Forget: time.Hour} // AddressCeiling, smaller: bcrypt is slow
	s, err := New(ctx, Config{Store: memstore.NewAccounts(), Now: clk.Now, Ceiling: ceiling, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(ctx, "sari", tracking.RoleDispatcher, "right-password-sari", "admin"); err != nil {
		t.Fatal(err)
	}
	spray := "203.0.113.10"
	for i := range ceiling.Free + 1 {
		s.Login(ctx, "guess"+strings.Repeat("x", i%7)+string(rune('a'+i%26)), "guess-guess", spray)
	}
	if _, err := s.Login(ctx, "sari", "right-password-sari", spray); tracking.CodeOf(err) != tracking.CodeTooMany {
		t.Fatalf("a spraying address past the ceiling: %v, want too_many", err)
	}
	if _, err := s.Login(ctx, "sari", "right-password-sari", "198.51.100.8"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

func TestBearerThrottle(t *testing.T) {
	s, _, _ := setup(t)
	_, secret, err := s.IssueToken(ctx, "cad", tracking.RoleDispatcher, "admin")
	if err != nil {
		t.Fatal(err)
	}
	for range SecretPolicy.Free + 1 {
		if _, err := s.Token(ctx, "made-up", "203.0.113.11:5555"); tracking.CodeOf(err) != tracking.CodeUnauthenticated {
			t.Fatalf("a wrong token: %v", err)
		}
	}
	if _, err := s.Token(ctx, secret, "203.0.113.11:6666"); tracking.CodeOf(err) != tracking.CodeTooMany {
		t.Fatalf("the guessing address: %v, want too_many", err)
	}
	if p, err := s.Token(ctx, secret, "198.51.100.9"); err != nil || p.Name != "cad" {
		t.Fatalf("another address: %v %v", p, err)
	}
	if s.counts.bearerFailed.Load() != uint64(SecretPolicy.Free+1) || s.counts.bearerThrottled.Load() != 1 {
		t.Fatalf("counted %d wrong, %d throttled", s.counts.bearerFailed.Load(), s.counts.bearerThrottled.Load())
	}
}

func TestGatewayThrottle(t *testing.T) {
	s, _, _ := setup(t)
	if !s.Gateway("192.0.2.1:1000", admin) {
		t.Fatal("the right gateway password was refused")
	}
	for range SecretPolicy.Free + 1 {
		if s.Gateway("192.0.2.2:1000", "guess") {
			t.Fatal("a wrong gateway password was accepted")
		}
	}
	if s.Gateway("192.0.2.2:1001", admin) {
		t.Fatal("the guessing address got in while throttled")
	}
	if !s.Gateway("192.0.2.1:1002", admin) {
		t.Fatal("another address was refused")
	}
}

func TestAddrKey(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"v4 with port", "192.0.2.1:80", "192.0.2.1"},
		{"v4 bare", "192.0.2.1", "192.0.2.1"},
		{"v4-mapped", "[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"v6 whole /64", "[2001:db8:1:2:3:4:5:6]:80", "2001:db8:1:2::/64"},
		{"v6 bare", "2001:db8:1:2::9", "2001:db8:1:2::/64"},
		{"junk", "not an address", "not an address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := addrKey(tt.in); got != tt.want {
				t.Fatalf("addrKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Every change to a user ends its sessions and wakes the live feeds.
func TestChangesEndSessions(t *testing.T) {
	dispatcher, disabled, pass := tracking.RolePlanner, true, "another-password"
	tests := []struct {
		name   string
		change func(s *Service) error
	}{
		{"role", func(s *Service) error {
			_, err := s.UpdateUser(ctx, "sari", UserPatch{Role: &dispatcher}, "admin")
			return err
		}},
		{"password", func(s *Service) error {
			_, err := s.UpdateUser(ctx, "sari", UserPatch{Password: &pass}, "admin")
			return err
		}},
		{"disable", func(s *Service) error {
			_, err := s.UpdateUser(ctx, "sari", UserPatch{Disabled: &disabled}, "admin")
			return err
		}},
		{"delete", func(s *Service) error { return s.DeleteUser(ctx, "sari", "admin") }},
		{"re-create", func(s *Service) error {
			_, err := s.AddUser(ctx, "sari", tracking.RolePlanner, "right-password-sari", "admin")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk, store := setup(t)
			p, err := s.Login(ctx, "sari", "right-password-sari", "10.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			id, _, err := s.NewSession(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			other, _, _ := s.NewSession(ctx, tracking.Principal{Name: "disp2", Role: tracking.RoleDispatcher})
			ended := s.Ended()
			if err := tt.change(s); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ended:
			default:
				t.Fatal("live feeds were not told")
			}
			if _, _, ok := s.Session(id); ok || s.Valid(p, id) {
				t.Fatal("the session outlived the change")
			}
			if _, _, ok := s.Session(other); !ok {
				t.Fatal("another user's session ended")
			}
			// And after a restart on the same store.
			if _, _, ok := newService(t, store, clk).Session(id); ok {
				t.Fatal("the session came back after a restart")
			}
		})
	}
}

func TestDeleteTokenEndsItsSessions(t *testing.T) {
	s, _, _ := setup(t)
	tok, secret, _ := s.IssueToken(ctx, "wall", tracking.RoleDispatcher, "admin")
	p, err := s.Token(ctx, secret, "10.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	id, _, _ := s.NewSession(ctx, p)
	if err := s.DeleteToken(ctx, tok.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(ctx, secret, "10.0.0.2"); tracking.CodeOf(err) != tracking.CodeUnauthenticated {
		t.Fatalf("a revoked token: %v", err)
	}
	if _, _, ok := s.Session(id); ok || s.Valid(p, "") {
		t.Fatal("a session opened with a revoked token lives on")
	}
	if err := s.DeleteToken(ctx, tok.ID, "admin"); tracking.CodeOf(err) != tracking.CodeNotFound {
		t.Fatalf("deleting twice: %v", err)
	}
}

// Issue 13 item 1, in memory: users, tokens and sessions come back when
// the service restarts on the same store (PostgreSQL: web and cmd tests).
func TestRestart(t *testing.T) {
	s, clk, store := setup(t)
	tok, secret, _ := s.IssueToken(ctx, "cad", tracking.RoleDispatcher, "admin")
	p, _ := s.Login(ctx, "sari", "right-password-sari", "10.0.0.1")
	id, csrf, _ := s.NewSession(ctx, p)
	s.Token(ctx, secret, "10.0.0.1")

	again := newService(t, store, clk)
	if _, err := again.Login(ctx, "sari", "right-password-sari", "10.0.0.1"); err != nil {
		t.Fatalf("password after restart: %v", err)
	}
	if got, err := again.Token(ctx, secret, "10.0.0.1"); err != nil || got.TokenID != tok.ID {
		t.Fatalf("token after restart: %v %v", got, err)
	}
	if got, c, ok := again.Session(id); !ok || got.Name != "sari" || c != csrf {
		t.Fatalf("session after restart: %v %v", got, ok)
	}
	if ts := again.Tokens(); len(ts) != 1 || ts[0].LastUsed == nil {
		t.Fatalf("tokens after restart: %+v", ts)
	}
	clk.Add(SessionTTL)
	if _, _, ok := newService(t, store, clk).Session(id); ok {
		t.Fatal("an expired session came back")
	}
}

// A new admin token ends the sessions opened with the old one, across a
// restart; other sessions stay.
func TestNewAdminTokenEndsOldSessions(t *testing.T) {
	s, clk, store := setup(t)
	p, err := s.Token(ctx, admin, "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	id, _, _ := s.NewSession(ctx, p)
	user, _, _ := s.NewSession(ctx, tracking.Principal{Name: "sari", Role: tracking.RoleDispatcher})
	if got, _, ok := newService(t, store, clk).Session(id); !ok || got.TokenID != BootstrapTokenID {
		t.Fatalf("same admin token after restart: %+v %v", got, ok)
	}
	rotated, err := New(ctx, Config{Store: store, AdminToken: admin + "-rotated", Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := rotated.Session(id); ok {
		t.Fatal("a session of the old admin token outlived its rotation")
	}
	if _, _, ok := rotated.Session(user); !ok {
		t.Fatal("a user's session ended with the admin token")
	}
}

func BenchmarkToken(b *testing.B) {
	s, _, _ := setup(b)
	_, secret, _ := s.IssueToken(ctx, "cad", tracking.RoleDispatcher, "admin")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Token(ctx, secret, "10.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSession(b *testing.B) {
	s, _, _ := setup(b)
	for i := range 1000 {
		s.NewSession(ctx, tracking.Principal{Name: "sari", Role: tracking.RoleDispatcher, TokenID: string(rune(i))})
	}
	id, _, _ := s.NewSession(ctx, tracking.Principal{Name: "sari", Role: tracking.RoleDispatcher})
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := s.Session(id); !ok {
			b.Fatal("no session")
		}
	}
}
