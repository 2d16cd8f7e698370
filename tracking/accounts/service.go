// Package accounts is who may use siaga112: people's accounts (bcrypt
// passwords), named bearer tokens for automation, browser sessions, and the
// throttles in front of every secret. Every change is a tracking.Change
// of records (users, tokens, sessions) written by the store (PostgreSQL
// with --db, memory otherwise); memory follows what the store committed,
// record by record and by version (records.go), so checking a request
// never waits for the database.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"siaga112/tracking"
)

// Limits of accounts.
const (
	// MinAdminToken is the shortest admin token accepted: it is also the
	// MQTT gateway password, guessable when short.
	MinAdminToken = 20
	// MinPassword and MaxPassword bound people's passwords; bcrypt reads
	// only the first 72 bytes, so a longer one would be silently cut.
	MinPassword = 10
	MaxPassword = 72
	SessionTTL  = 12 * time.Hour // a dispatcher's shift, with margin
	// touchEvery bounds how often a token's last use is written.
	touchEvery = time.Minute
	// BootstrapTokenID names the admin token from the environment.
	BootstrapTokenID = "bootstrap"
	// GatewayUser is the MQTT user whose password is the admin token.
	GatewayUser = "admin"
)

// Config builds a Service.
type Config struct {
	// Store takes the changes and gives the records back at start.
	Store tracking.AccountStore
	// AdminToken seeds an admin bearer token (the bootstrap); empty: none.
	AdminToken string
	Logger     *slog.Logger
	Now        func() time.Time
	// Ceiling is the per-address limit across names (default
	// AddressCeiling).
	Ceiling Policy
}

// Service checks credentials and manages accounts. Safe for concurrent use.
type Service struct {
	store   tracking.AccountStore
	journal tracking.Journal
	log     *slog.Logger
	now     func() time.Time
	admin   string // SHA-256 of the bootstrap token, "" without one
	// bootSession marks sessions opened with this bootstrap token: a new
	// admin token (the old one leaked) ends the sessions of the old one.
	bootSession string

	mu       sync.Mutex
	users    map[string]tracking.User
	tokens   map[string]tracking.Token // by hash
	tokenIDs map[string]string         // token id → hash
	sessions map[string]tracking.Session
	versions tracking.Versions    // of every record above, tombstones included
	touched  map[string]time.Time // token id → last use written
	ended    chan struct{}        // closed (and replaced) when sessions end

	throttle *throttle
	ceiling  Policy
	counts   counters
}

type counters struct {
	loginFailed, loginThrottled, bearerFailed, bearerThrottled, gatewayFailed, gatewayThrottled atomic.Uint64
}

// New loads the accounts from the store (restart recovery: one read
// before anything is served) and has the expired sessions removed.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("accounts: no store")
	}
	if cfg.AdminToken != "" && len(cfg.AdminToken) < MinAdminToken {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the admin token has %d characters; it must have at least %d "+
			"(it is also the MQTT gateway password): use a long random one, e.g. `openssl rand -base64 24`", len(cfg.AdminToken), MinAdminToken)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{store: cfg.Store, journal: tracking.Journal{Store: cfg.Store}, log: cfg.Logger.With("component", "accounts"), now: cfg.Now,
		users: map[string]tracking.User{}, tokens: map[string]tracking.Token{}, tokenIDs: map[string]string{}, sessions: map[string]tracking.Session{},
		touched: map[string]time.Time{}, ended: make(chan struct{}), throttle: newThrottle(), ceiling: cfg.Ceiling}
	if s.ceiling == (Policy{}) {
		s.ceiling = AddressCeiling
	}
	if cfg.AdminToken != "" {
		s.admin = digest(cfg.AdminToken)
		s.bootSession = BootstrapTokenID + ":" + digest(s.admin)[:16]
	}
	recs, _, err := cfg.Store.Records(ctx, 0, tracking.AccountKinds...)
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	s.expect(recs)
	s.Absorb(recs, 0)
	s.expire()
	return s, nil
}

func digest(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// dummyHash is compared against for unknown names, so timing does not tell
// names apart.
var dummyHash = sync.OnceValue(func() string { h, _ := tracking.HashPassword(randomToken()); return h })

func checkPassword(p string) error {
	switch {
	case len(p) < MinPassword:
		return tracking.Errorf(tracking.CodeInvalid, "the password must have at least %d characters", MinPassword)
	case len(p) > MaxPassword:
		return tracking.Errorf(tracking.CodeInvalid, "the password must have at most %d bytes (bcrypt ignores the rest)", MaxPassword)
	}
	return nil
}

func userRole(r tracking.Role) error {
	if _, err := tracking.ParseRole(string(r)); err != nil || r == tracking.RoleDevice || r == tracking.RolePhone {
		return tracking.Errorf(tracking.CodeInvalid, "a user's role is dispatcher, planner, admin or agency, not %q (a phone system gets a token)", r)
	}
	return nil
}

// Ended is closed when any session or token ends (then replaced): holders
// of a live connection recheck their credentials.
func (s *Service) Ended() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// signalEnded wakes the holders of Ended. Caller holds s.mu.
func (s *Service) signalEnded() {
	close(s.ended)
	s.ended = make(chan struct{})
}

// AddUser creates a user, or replaces one (ending its sessions); actor is
// who does it, for the audit trail.
func (s *Service) AddUser(ctx context.Context, name string, role tracking.Role, password, actor string) (tracking.User, error) {
	return s.AddUserFor(ctx, name, role, "", password, actor)
}

// AddUserFor is AddUser with the agency of an agency user (required with
// RoleAgency, refused with any other role; the caller checks it exists).
func (s *Service) AddUserFor(ctx context.Context, name string, role tracking.Role, agency, password, actor string) (tracking.User, error) {
	if err := tracking.ValidateID("user name", name); err != nil {
		return tracking.User{}, err
	}
	if err := checkName("user name", name); err != nil {
		return tracking.User{}, err
	}
	if err := userRole(role); err != nil {
		return tracking.User{}, err
	}
	if (role == tracking.RoleAgency) != (agency != "") {
		return tracking.User{}, tracking.Errorf(tracking.CodeInvalid, "an agency user needs its agency's code, and only an agency user has one")
	}
	if err := checkPassword(password); err != nil {
		return tracking.User{}, err
	}
	hash, err := tracking.HashPassword(password)
	if err != nil {
		return tracking.User{}, err
	}
	now := s.now()
	s.mu.Lock()
	if err := s.userNameClash(name); err != nil {
		s.mu.Unlock()
		return tracking.User{}, err
	}
	u, existed := s.users[name]
	s.mu.Unlock()
	if !existed {
		u.CreatedAt = now
	}
	u.Name, u.Role, u.Agency, u.PasswordHash, u.Disabled, u.UpdatedAt = name, role, agency, hash, false, now
	action := "user.created"
	if existed {
		action = "user.replaced"
	}
	// A replaced user's sessions end with the change.
	err = s.commit(action, actor, now, tracking.Record{Kind: tracking.RecordUser, Key: name, User: &u, EndSessions: existed})
	if err != nil {
		return tracking.User{}, err
	}
	return u, nil
}

// UserPatch is a change to a user; nil fields stay.
type UserPatch struct {
	Role     *tracking.Role
	Password *string
	Disabled *bool
}

// UpdateUser changes a user's role, password or disabled flag, and ends
// its sessions when anything changed; actor is who does it.
func (s *Service) UpdateUser(ctx context.Context, name string, p UserPatch, actor string) (tracking.User, error) {
	if p.Role != nil {
		if err := userRole(*p.Role); err != nil {
			return tracking.User{}, err
		}
	}
	if p.Role != nil && *p.Role == tracking.RoleAgency {
		return tracking.User{}, tracking.Errorf(tracking.CodeInvalid, "to make an agency user, create it with POST /api/users and its agency")
	}
	var hash string
	if p.Password != nil {
		if err := checkPassword(*p.Password); err != nil {
			return tracking.User{}, err
		}
		var err error
		if hash, err = tracking.HashPassword(*p.Password); err != nil {
			return tracking.User{}, err
		}
	}
	s.mu.Lock()
	u, ok := s.users[name]
	s.mu.Unlock()
	if !ok {
		return tracking.User{}, tracking.Errorf(tracking.CodeNotFound, "no user %q", name)
	}
	if p.Role != nil {
		u.Role, u.Agency = *p.Role, ""
	}
	if hash != "" {
		u.PasswordHash = hash
	}
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	u.UpdatedAt = s.now()
	// The trail keeps no hash: a password change shows in the action.
	action := "user.changed"
	if p.Password != nil && p.Role == nil && p.Disabled == nil {
		action = "user.password_changed"
	}
	if err := s.commit(action, actor, u.UpdatedAt, tracking.Record{Kind: tracking.RecordUser, Key: name, User: &u, EndSessions: true}); err != nil {
		return tracking.User{}, err
	}
	return u, nil
}

// DeleteUser removes a user and ends its sessions; actor is who does it.
func (s *Service) DeleteUser(ctx context.Context, name, actor string) error {
	s.mu.Lock()
	_, ok := s.users[name]
	s.mu.Unlock()
	if !ok {
		return tracking.Errorf(tracking.CodeNotFound, "no user %q", name)
	}
	return s.commit("user.deleted", actor, s.now(), tracking.Record{Kind: tracking.RecordUser, Key: name, Deleted: true})
}

// User finds a user.
func (s *Service) User(name string) (tracking.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok {
		return tracking.User{}, tracking.Errorf(tracking.CodeNotFound, "no user %q", name)
	}
	return u, nil
}

// Users lists the users by name.
func (s *Service) Users() []tracking.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]tracking.User, 0, len(s.users))
	out = slices.AppendSeq(out, maps.Values(s.users))
	slices.SortFunc(out, func(x, y tracking.User) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// IssueToken makes a bearer token for automation; the secret is returned
// once and only its hash is kept; actor is who issues it.
func (s *Service) IssueToken(ctx context.Context, name string, role tracking.Role, actor string) (tracking.Token, string, error) {
	if err := tracking.ValidateID("token name", name); err != nil {
		return tracking.Token{}, "", err
	}
	if err := checkName("token name", name); err != nil {
		return tracking.Token{}, "", err
	}
	if _, err := tracking.ParseRole(string(role)); err != nil {
		return tracking.Token{}, "", err
	}
	if role == tracking.RoleAgency {
		return tracking.Token{}, "", tracking.Errorf(tracking.CodeInvalid, "agency staff sign in as agency users; a token cannot be an agency's")
	}
	secret := randomToken()
	t := tracking.Token{ID: "t" + strings.ToLower(rand.Text()[:12]), Name: name, Role: role, Hash: digest(secret), CreatedAt: s.now()}
	s.mu.Lock()
	err := s.tokenNameClash(name)
	s.mu.Unlock()
	if err != nil {
		return tracking.Token{}, "", err
	}
	if err := s.commit("token.issued", actor, t.CreatedAt, tracking.Record{Kind: tracking.RecordToken, Key: t.ID, Token: &t}); err != nil {
		return tracking.Token{}, "", err
	}
	return t, secret, nil
}

// Tokens lists the tokens by creation (never their secrets).
func (s *Service) Tokens() []tracking.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]tracking.Token, 0, len(s.tokens))
	out = slices.AppendSeq(out, maps.Values(s.tokens))
	slices.SortFunc(out, func(x, y tracking.Token) int { return cmpTime(x.CreatedAt, y.CreatedAt, x.ID, y.ID) })
	return out
}

func cmpTime(a, b time.Time, ida, idb string) int {
	if c := a.Compare(b); c != 0 {
		return c
	}
	return strings.Compare(ida, idb)
}

// DeleteToken revokes a token and ends the sessions opened with it; actor
// is who revokes it.
func (s *Service) DeleteToken(ctx context.Context, id, actor string) error {
	s.mu.Lock()
	_, found := s.tokenIDs[id]
	s.mu.Unlock()
	if !found {
		return tracking.Errorf(tracking.CodeNotFound, "no token %q", id)
	}
	// The sessions opened with it end with the change.
	return s.commit("token.revoked", actor, s.now(), tracking.Record{Kind: tracking.RecordToken, Key: id, Deleted: true})
}

// Token checks a bearer token from addr. Wrong tokens are throttled per
// address: while an address waits, even a right token is refused
// (CodeTooMany), so guessing cannot go faster than the policy.
func (s *Service) Token(ctx context.Context, secret, addr string) (tracking.Principal, error) {
	now := s.now()
	key := "bearer|" + addrKey(addr)
	if wait := s.throttle.retryAfter(key, SecretPolicy, now); wait > 0 {
		s.counts.bearerThrottled.Add(1)
		return tracking.Principal{}, tooMany(wait)
	}
	p, ok := s.lookupToken(ctx, secret, now)
	if !ok {
		s.counts.bearerFailed.Add(1)
		n := s.throttle.fail(key, SecretPolicy, now)
		s.logFailure(n, SecretPolicy, "wrong bearer token", "remote", addr, "failures", n)
		return tracking.Principal{}, tracking.Errorf(tracking.CodeUnauthenticated, "the bearer token is not valid")
	}
	return p, nil
}

// logFailure logs the first failures of a key and then every tenth, so a
// flood is visible without flooding the log.
func (s *Service) logFailure(n int, p Policy, msg string, args ...any) {
	if n <= p.Free+1 || n%10 == 0 {
		s.log.Warn(msg, args...)
	}
}

func tooMany(wait time.Duration) error {
	return tracking.TooMany(wait, "too many failed attempts from this address; try again in %s", wait.Round(time.Second)+time.Second)
}

// lookupToken finds a token's principal and notes its use.
func (s *Service) lookupToken(ctx context.Context, secret string, now time.Time) (tracking.Principal, bool) {
	if secret == "" {
		return tracking.Principal{}, false
	}
	h := digest(secret)
	if s.admin != "" && subtle.ConstantTimeCompare([]byte(h), []byte(s.admin)) == 1 {
		return tracking.Principal{Name: "admin", Role: tracking.RoleAdmin, TokenID: BootstrapTokenID}, true
	}
	s.mu.Lock()
	t, ok := s.tokens[h]
	touch := ok && now.Sub(s.touched[t.ID]) >= touchEvery
	if touch {
		s.touched[t.ID] = now
	}
	s.mu.Unlock()
	if !ok {
		return tracking.Principal{}, false
	}
	if touch {
		s.touch(t, now) // in the background: a request never waits for it
	}
	return tracking.Principal{Name: t.Name, Role: t.Role, TokenID: t.ID}, true
}

// Login checks a name and password from addr. Failures are throttled per
// (name, address) with growing delays, and per address across names above
// a ceiling; one address failing never refuses another.
func (s *Service) Login(ctx context.Context, name, password, addr string) (tracking.Principal, error) {
	if len(password) > MaxPassword {
		return tracking.Principal{}, tracking.Errorf(tracking.CodeInvalid, "the password must have at most %d bytes", MaxPassword)
	}
	now := s.now()
	ak := addrKey(addr)
	// The name is hashed into the key: a 64 KiB name costs 16 bytes.
	pairKey, ceilKey := "login|"+digest(name)[:16]+"|"+ak, "login-addr|"+ak
	wait := max(s.throttle.retryAfter(pairKey, LoginPolicy, now), s.throttle.retryAfter(ceilKey, s.ceiling, now))
	if wait > 0 {
		s.counts.loginThrottled.Add(1)
		return tracking.Principal{}, tooMany(wait)
	}
	s.mu.Lock()
	u, ok := s.users[name]
	s.mu.Unlock()
	hash := u.PasswordHash
	if !ok {
		hash = dummyHash()
	}
	if !tracking.PasswordMatches(hash, password) || !ok {
		s.counts.loginFailed.Add(1)
		n := s.throttle.fail(pairKey, LoginPolicy, now)
		s.throttle.fail(ceilKey, s.ceiling, now)
		s.log.Warn("sign-in refused: wrong name or password", "name", name, "remote", addr, "failures", n)
		return tracking.Principal{}, tracking.Errorf(tracking.CodeUnauthenticated, "wrong name or password")
	}
	s.throttle.reset(pairKey)
	if u.Disabled {
		return tracking.Principal{}, tracking.Errorf(tracking.CodeForbidden, "the account %q is disabled; ask an admin", name)
	}
	return tracking.Principal{Name: name, Role: u.Role, Agency: u.Agency}, nil
}

// Gateway checks the MQTT gateway user's password (the admin token) from
// addr, throttled per address like bearer tokens; false when wrong or
// while the address waits. The embedded broker's auth hook calls it for
// user GatewayUser.
func (s *Service) Gateway(addr, password string) bool {
	now := s.now()
	key := "mqtt|" + addrKey(addr)
	if wait := s.throttle.retryAfter(key, SecretPolicy, now); wait > 0 {
		s.counts.gatewayThrottled.Add(1)
		return false
	}
	if s.admin != "" && subtle.ConstantTimeCompare([]byte(digest(password)), []byte(s.admin)) == 1 {
		return true
	}
	s.counts.gatewayFailed.Add(1)
	n := s.throttle.fail(key, SecretPolicy, now)
	s.logFailure(n, SecretPolicy, "MQTT gateway sign-in refused: wrong password", "remote", addr, "failures", n)
	return false
}

// NewSession starts a browser session for p (a user, or a token when
// p.TokenID is set): the session id for an HttpOnly cookie and its CSRF
// token for a readable one.
func (s *Service) NewSession(ctx context.Context, p tracking.Principal) (id, csrf string, err error) {
	id, csrf = randomToken(), randomToken()
	now := s.now()
	se := tracking.Session{Hash: digest(id), TokenID: p.TokenID, Principal: p, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	switch p.TokenID {
	case "":
		se.User = p.Name
	case BootstrapTokenID:
		se.TokenID = s.bootSession
	}
	s.mu.Lock()
	expired := 0
	for h, old := range s.sessions {
		if !now.Before(old.ExpiresAt) {
			delete(s.sessions, h)
			expired++
		}
	}
	s.mu.Unlock()
	if expired > 0 {
		s.expire()
	}
	if err := s.commit("session.opened", p.Name, now, tracking.Record{Kind: tracking.RecordSession, Key: se.Hash, Session: &se}); err != nil {
		return "", "", err
	}
	return id, csrf, nil
}

// Session finds a live session: its principal (with the user's current
// role) and CSRF token.
func (s *Service) Session(id string) (tracking.Principal, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.sessions[digest(id)]
	if !ok || !s.now().Before(se.ExpiresAt) {
		return tracking.Principal{}, "", false
	}
	p := se.Principal
	if strings.HasPrefix(se.TokenID, BootstrapTokenID) {
		if se.TokenID != s.bootSession || s.admin == "" {
			return tracking.Principal{}, "", false // opened with an admin token no longer in force
		}
		p.TokenID = BootstrapTokenID
	}
	if se.User != "" {
		u, ok := s.users[se.User]
		if !ok || u.Disabled {
			return tracking.Principal{}, "", false
		}
		p.Role, p.Agency = u.Role, u.Agency
	}
	return p, se.CSRF, true
}

// EndSession signs a browser out. An id this instance does not know ends
// nothing and writes nothing (anyone may send a cookie; a session made on
// another instance is known here within moments of its notice).
func (s *Service) EndSession(ctx context.Context, id string) error {
	h := digest(id)
	s.mu.Lock()
	se, ok := s.sessions[h]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	return s.commit("session.ended", se.Principal.Name, s.now(), tracking.Record{Kind: tracking.RecordSession, Key: h, Deleted: true, Session: &se})
}

// Valid reports whether p may still act: with sessionID, that session
// lives; otherwise p's token, or p's user (enabled), still exists.
func (s *Service) Valid(p tracking.Principal, sessionID string) bool {
	if sessionID != "" {
		_, _, ok := s.Session(sessionID)
		return ok
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch p.TokenID {
	case "":
		u, ok := s.users[p.Name]
		return ok && !u.Disabled
	case BootstrapTokenID:
		return s.admin != ""
	}
	_, ok := s.tokenIDs[p.TokenID]
	return ok
}
