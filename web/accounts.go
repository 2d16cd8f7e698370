package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"siaga112/tracking"
)

// Role is what an account may do.
type Role string

const (
	RoleDispatcher Role = "dispatcher" // creates incidents and dispatches
	RolePlanner    Role = "planner"    // reads analytics, imports history
	RoleAdmin      Role = "admin"      // manages units and users; may do everything
	RoleDevice     Role = "device"     // trackers: MQTT only, nothing over HTTP
)

// Roles lists the roles.
var Roles = []Role{RoleDispatcher, RolePlanner, RoleAdmin, RoleDevice}

// Principal is who a request comes from.
type Principal struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// Login limits: this many failures for a name or an address in the window
// and further attempts are refused until it passes.
const (
	MaxLoginFailures = 5
	LoginWindow      = 5 * time.Minute
	SessionTTL       = 12 * time.Hour // a dispatcher's shift, with margin
)

type account struct {
	hash string
	role Role
}

type session struct {
	who     Principal
	csrf    string
	expires time.Time
}

// Accounts holds users (bcrypt-hashed passwords), bearer tokens and browser
// sessions, in memory; tokens and session ids are kept only as SHA-256
// hashes. Safe for concurrent use.
type Accounts struct {
	mu       sync.Mutex
	users    map[string]account
	tokens   map[string]Principal
	sessions map[string]session
	fails    map[string][]time.Time
	now      func() time.Time
}

// NewAccounts starts with one admin bearer token (may be empty).
func NewAccounts(adminToken string) *Accounts {
	a := &Accounts{users: map[string]account{}, tokens: map[string]Principal{}, sessions: map[string]session{},
		fails: map[string][]time.Time{}, now: time.Now}
	if adminToken != "" {
		a.tokens[digest(adminToken)] = Principal{Name: "admin", Role: RoleAdmin}
	}
	return a
}

// dummyHash is compared against for unknown names.
var dummyHash = sync.OnceValue(func() string { h, _ := tracking.HashPassword(randomToken()); return h })

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	if r := Role(s); slices.Contains(Roles, r) {
		return r, nil
	}
	return "", tracking.Errorf(tracking.CodeInvalid, "unknown role %q: use dispatcher, planner, admin or device", s)
}

// AddUser creates or replaces a user with a password.
func (a *Accounts) AddUser(name string, role Role, password string) error {
	if err := tracking.ValidateID("user name", name); err != nil {
		return err
	}
	if _, err := ParseRole(string(role)); err != nil || role == RoleDevice {
		return tracking.Errorf(tracking.CodeInvalid, "a user's role is dispatcher, planner or admin, not %q", role)
	}
	if len(password) < 10 {
		return tracking.Errorf(tracking.CodeInvalid, "the password must have at least 10 characters")
	}
	hash, err := tracking.HashPassword(password)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users[name] = account{hash: hash, role: role}
	return nil
}

// Users lists the users by name.
func (a *Accounts) Users() []Principal {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Principal, 0, len(a.users))
	for n, u := range a.users {
		out = append(out, Principal{Name: n, Role: u.role})
	}
	slices.SortFunc(out, func(x, y Principal) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// IssueToken returns a new bearer token for p (shown once).
func (a *Accounts) IssueToken(p Principal) string {
	tok := randomToken()
	a.mu.Lock()
	a.tokens[digest(tok)] = p
	a.mu.Unlock()
	return tok
}

// Token finds a bearer token's principal.
func (a *Accounts) Token(tok string) (Principal, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.tokens[digest(tok)]
	return p, ok
}

// Login checks a name and password, refusing (too_many) while the name or
// the address has failed too often lately.
func (a *Accounts) Login(name, password, addr string) (Principal, error) {
	a.mu.Lock()
	now := a.now()
	for _, k := range []string{"name:" + name, "addr:" + addr} {
		recent := a.fails[k][:0]
		for _, t := range a.fails[k] {
			if now.Sub(t) < LoginWindow {
				recent = append(recent, t)
			}
		}
		a.fails[k] = recent
		if len(recent) >= MaxLoginFailures {
			a.mu.Unlock()
			return Principal{}, tracking.Errorf(tracking.CodeTooMany, "too many failed sign-ins; try again in a few minutes")
		}
	}
	u, ok := a.users[name]
	a.mu.Unlock()
	// Compare even for unknown names, so timing does not tell names apart.
	hash := u.hash
	if !ok {
		hash = dummyHash()
	}
	if !tracking.PasswordMatches(hash, password) || !ok {
		a.mu.Lock()
		a.fails["name:"+name] = append(a.fails["name:"+name], now)
		a.fails["addr:"+addr] = append(a.fails["addr:"+addr], now)
		a.mu.Unlock()
		return Principal{}, tracking.Errorf(tracking.CodeUnauthenticated, "wrong name or password")
	}
	return Principal{Name: name, Role: u.role}, nil
}

// NewSession starts a browser session; it returns the session id (for an
// HttpOnly cookie) and its CSRF token (for a readable cookie the page echoes
// in a header).
func (a *Accounts) NewSession(p Principal) (id, csrf string) {
	id, csrf = randomToken(), randomToken()
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	for k, s := range a.sessions {
		if now.After(s.expires) {
			delete(a.sessions, k)
		}
	}
	a.sessions[digest(id)] = session{who: p, csrf: csrf, expires: now.Add(SessionTTL)}
	return id, csrf
}

// Session finds a live session.
func (a *Accounts) Session(id string) (Principal, string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[digest(id)]
	if !ok || a.now().After(s.expires) {
		return Principal{}, "", false
	}
	return s.who, s.csrf, true
}

// EndSession signs a browser out.
func (a *Accounts) EndSession(id string) {
	a.mu.Lock()
	delete(a.sessions, digest(id))
	a.mu.Unlock()
}
