package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

var _ tracking.AuditLog = (*Store)(nil)

// AuditTrail implements tracking.AuditLog on the events table, oldest
// first. A change still queued for an unreachable database is not in it
// yet.
func (s *Store) AuditTrail(ctx context.Context, q tracking.AuditQuery) ([]tracking.AuditEntry, error) {
	var from, to *time.Time
	if !q.From.IsZero() {
		from = &q.From
	}
	if !q.To.IsZero() {
		to = &q.To
	}
	var limit *int
	if q.Limit > 0 {
		limit = &q.Limit
	}
	rows, err := s.pool.Query(ctx, `SELECT id, at, action, actor, subject, data FROM events
		WHERE id > $1 AND ($2::text = '' OR subject = $2) AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
		ORDER BY id LIMIT $5`, q.After, q.Subject, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("read the audit trail: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.AuditEntry, error) {
		var e tracking.AuditEntry
		var data []byte
		err := r.Scan(&e.Seq, &e.At, &e.Action, &e.Actor, &e.Subject, &data)
		e.At = e.At.UTC()
		if string(data) != "null" {
			e.Data = json.RawMessage(data)
		}
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read the audit trail: %w", err)
	}
	return out, nil
}
