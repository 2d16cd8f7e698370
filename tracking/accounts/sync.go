package accounts

import (
	"context"
	"fmt"
)

// Reload reads users, tokens and sessions again from the store: another
// instance on the same database changed them (its notice says so). The
// tables are small; a whole read keeps this simple and exact. Holders of a
// live connection recheck their credentials (a token deleted elsewhere
// ends them here too).
func (s *Service) Reload(ctx context.Context) error {
	users, err := s.store.Users(ctx)
	if err != nil {
		return fmt.Errorf("reload users: %w", err)
	}
	tokens, err := s.store.Tokens(ctx)
	if err != nil {
		return fmt.Errorf("reload tokens: %w", err)
	}
	sessions, err := s.store.Sessions(ctx, s.now())
	if err != nil {
		return fmt.Errorf("reload sessions: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.users)
	clear(s.tokens)
	clear(s.sessions)
	for _, u := range users {
		s.users[u.Name] = u
	}
	for _, t := range tokens {
		s.tokens[t.Hash] = t
	}
	for _, se := range sessions {
		s.sessions[se.Hash] = se
	}
	s.signalEnded() // something may have ended
	return nil
}
