package memstore

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"siaga112/tracking"
)

// Accounts is an in-memory tracking.AccountStore: users, token hashes and
// sessions, lost when the process ends.
type Accounts struct {
	trail    *Store // where account changes are audited; nil: nowhere
	mu       sync.Mutex
	users    map[string]tracking.User
	tokens   map[string]tracking.Token
	sessions map[string]tracking.Session
}

var _ tracking.AccountStore = (*Accounts)(nil)

// NewAccounts returns an empty account store.
func NewAccounts() *Accounts {
	return &Accounts{users: map[string]tracking.User{}, tokens: map[string]tracking.Token{}, sessions: map[string]tracking.Session{}}
}

// Accounts returns an account store whose changes are audited in s's
// trail, beside every other change (the server's in-memory mode).
func (s *Store) Accounts() *Accounts {
	a := NewAccounts()
	a.trail = s
	return a
}

func (a *Accounts) audit(au tracking.Audit, subject string, data any) {
	if a.trail == nil {
		return
	}
	a.trail.mu.Lock()
	defer a.trail.mu.Unlock()
	a.trail.note(au, au.At, subject, data)
}

func (a *Accounts) SaveUser(_ context.Context, u tracking.User, au tracking.Audit) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users[u.Name] = u
	a.audit(au, tracking.UserSubject(u.Name), tracking.UserAuditData(u))
	return nil
}

func (a *Accounts) DeleteUser(_ context.Context, name string, au tracking.Audit) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.audit(au, tracking.UserSubject(name), nil)
	delete(a.users, name)
	a.deleteSessions(func(s tracking.Session) bool { return s.User == name })
	return nil
}

func (a *Accounts) Users(context.Context) ([]tracking.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.SortedFunc(maps.Values(a.users), func(x, y tracking.User) int { return strings.Compare(x.Name, y.Name) }), nil
}

func (a *Accounts) SaveToken(_ context.Context, t tracking.Token, au tracking.Audit) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tokens[t.ID] = t
	a.audit(au, tracking.TokenSubject(t.ID), tracking.TokenAuditData(t))
	return nil
}

func (a *Accounts) DeleteToken(_ context.Context, id string, au tracking.Audit) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.audit(au, tracking.TokenSubject(id), nil)
	delete(a.tokens, id)
	a.deleteSessions(func(s tracking.Session) bool { return s.TokenID == id })
	return nil
}

func (a *Accounts) TouchToken(_ context.Context, id string, at time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t, ok := a.tokens[id]; ok {
		t.LastUsed = &at
		a.tokens[id] = t
	}
	return nil
}

func (a *Accounts) Tokens(context.Context) ([]tracking.Token, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.SortedFunc(maps.Values(a.tokens), func(x, y tracking.Token) int { return strings.Compare(x.ID, y.ID) }), nil
}

func (a *Accounts) SaveSession(_ context.Context, s tracking.Session) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sessions[s.Hash] = s
	return nil
}

func (a *Accounts) DeleteSession(_ context.Context, hash string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.sessions, hash)
	return nil
}

func (a *Accounts) DeleteUserSessions(_ context.Context, user string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.deleteSessions(func(s tracking.Session) bool { return s.User == user })
	return nil
}

func (a *Accounts) Sessions(_ context.Context, now time.Time) ([]tracking.Session, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []tracking.Session
	for h, s := range a.sessions {
		if !now.Before(s.ExpiresAt) {
			delete(a.sessions, h)
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(x, y tracking.Session) int { return strings.Compare(x.Hash, y.Hash) })
	return out, nil
}

// deleteSessions drops the sessions match selects. Caller holds a.mu.
func (a *Accounts) deleteSessions(match func(tracking.Session) bool) {
	for h, s := range a.sessions {
		if match(s) {
			delete(a.sessions, h)
		}
	}
}
