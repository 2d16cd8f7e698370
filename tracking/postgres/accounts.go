package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

var _ tracking.AccountStore = (*Store)(nil)

// SaveUser implements tracking.AccountStore.
func (s *Store) SaveUser(ctx context.Context, u tracking.User, a tracking.Audit) error {
	return s.write(ctx, "save user "+u.Name, func(b *pgx.Batch) {
		queueAudit(b, a, tracking.UserSubject(u.Name), tracking.UserAuditData(u))
		b.Queue(`INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at, agency)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (name) DO UPDATE SET role = $2, password_hash = $3, disabled = $4, updated_at = $6, agency = $7`,
			u.Name, string(u.Role), u.PasswordHash, u.Disabled, u.CreatedAt, u.UpdatedAt, u.Agency)
	})
}

// DeleteUser implements tracking.AccountStore.
func (s *Store) DeleteUser(ctx context.Context, name string, a tracking.Audit) error {
	return s.write(ctx, "delete user "+name, func(b *pgx.Batch) {
		queueAudit(b, a, tracking.UserSubject(name), nil)
		b.Queue(`DELETE FROM sessions WHERE user_name = $1`, name)
		b.Queue(`DELETE FROM users WHERE name = $1`, name)
	})
}

// Users implements tracking.AccountStore.
func (s *Store) Users(ctx context.Context) ([]tracking.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, role, password_hash, disabled, created_at, updated_at, agency FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.User, error) {
		var u tracking.User
		var role string
		err := r.Scan(&u.Name, &role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &u.Agency)
		u.Role = tracking.Role(role)
		u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// SaveToken implements tracking.AccountStore.
func (s *Store) SaveToken(ctx context.Context, t tracking.Token, a tracking.Audit) error {
	return s.write(ctx, "save token "+t.ID, func(b *pgx.Batch) {
		queueAudit(b, a, tracking.TokenSubject(t.ID), tracking.TokenAuditData(t))
		b.Queue(`INSERT INTO api_tokens (id, name, role, hash, created_at, last_used) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO UPDATE SET name = $2, role = $3, hash = $4, last_used = $6`,
			t.ID, t.Name, string(t.Role), t.Hash, t.CreatedAt, t.LastUsed)
	})
}

// DeleteToken implements tracking.AccountStore.
func (s *Store) DeleteToken(ctx context.Context, id string, a tracking.Audit) error {
	return s.write(ctx, "delete token "+id, func(b *pgx.Batch) {
		queueAudit(b, a, tracking.TokenSubject(id), nil)
		b.Queue(`DELETE FROM sessions WHERE token_id = $1`, id)
		b.Queue(`DELETE FROM api_tokens WHERE id = $1`, id)
	})
}

// TouchToken implements tracking.AccountStore.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, "touch token "+id, func(b *pgx.Batch) {
		b.Queue(`UPDATE api_tokens SET last_used = $2 WHERE id = $1 AND (last_used IS NULL OR last_used < $2)`, id, at)
	})
}

// Tokens implements tracking.AccountStore.
func (s *Store) Tokens(ctx context.Context) ([]tracking.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, role, hash, created_at, last_used FROM api_tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.Token, error) {
		var t tracking.Token
		var role string
		err := r.Scan(&t.ID, &t.Name, &role, &t.Hash, &t.CreatedAt, &t.LastUsed)
		t.Role = tracking.Role(role)
		t.CreatedAt = t.CreatedAt.UTC()
		if t.LastUsed != nil {
			*t.LastUsed = t.LastUsed.UTC()
		}
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// SaveSession implements tracking.AccountStore.
func (s *Store) SaveSession(ctx context.Context, se tracking.Session) error {
	return s.write(ctx, "save session", func(b *pgx.Batch) {
		b.Queue(`INSERT INTO sessions (hash, user_name, token_id, principal, role, csrf, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (hash) DO UPDATE SET expires_at = $8`,
			se.Hash, se.User, se.TokenID, se.Principal.Name, string(se.Principal.Role), se.CSRF, se.CreatedAt, se.ExpiresAt)
	})
}

// DeleteSession implements tracking.AccountStore.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.write(ctx, "delete session", func(b *pgx.Batch) {
		b.Queue(`DELETE FROM sessions WHERE hash = $1`, hash)
	})
}

// DeleteUserSessions implements tracking.AccountStore.
func (s *Store) DeleteUserSessions(ctx context.Context, user string) error {
	return s.write(ctx, "end sessions of "+user, func(b *pgx.Batch) {
		b.Queue(`DELETE FROM sessions WHERE user_name = $1`, user)
	})
}

// Sessions implements tracking.AccountStore; expired sessions are removed.
func (s *Store) Sessions(ctx context.Context, now time.Time) ([]tracking.Session, error) {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now); err != nil {
		return nil, fmt.Errorf("expire sessions: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT hash, user_name, token_id, principal, role, csrf, created_at, expires_at
		FROM sessions WHERE expires_at > $1 ORDER BY hash`, now)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.Session, error) {
		var se tracking.Session
		var role string
		err := r.Scan(&se.Hash, &se.User, &se.TokenID, &se.Principal.Name, &role, &se.CSRF, &se.CreatedAt, &se.ExpiresAt)
		se.Principal.Role = tracking.Role(role)
		se.Principal.TokenID = se.TokenID
		se.CreatedAt, se.ExpiresAt = se.CreatedAt.UTC(), se.ExpiresAt.UTC()
		return se, err
	})
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}
