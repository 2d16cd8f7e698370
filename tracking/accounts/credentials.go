package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"maps"
	"slices"
	"strings"
	"time"

	"siaga112/tracking"
)

// Credentials: named bearer tokens for automation and the browser sessions
// of the page, and the checks of a request's token, password or session.

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
