package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

var _ tracking.CallLog = (*Store)(nil)

// Calls implements tracking.CallLog (table calls, migration 013; rows are
// written with their Change).
func (s *Store) Calls(ctx context.Context, q tracking.CallQuery) ([]tracking.Call, error) {
	sql := `SELECT id, at, number, outcome, incident_id, note, by_actor, call_id FROM calls
		WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2) AND ($3 = '' OR number = $3)
		ORDER BY at, id`
	args := []any{nullTime(q.From), nullTime(q.To), q.Number}
	if q.Limit > 0 {
		sql += ` LIMIT $4`
		args = append(args, q.Limit)
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.Call, error) {
		var c tracking.Call
		err := r.Scan(&c.ID, &c.At, &c.Number, &c.Outcome, &c.IncidentID, &c.Note, &c.By, &c.CallID)
		c.At = c.At.UTC()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	return out, nil
}

// LastCallID is the greatest call id ever saved ("" for none).
func (s *Store) LastCallID(ctx context.Context) (string, error) {
	var id *string
	if err := s.pool.QueryRow(ctx, `SELECT max(id) FROM calls`).Scan(&id); err != nil || id == nil {
		return "", err
	}
	return *id, nil
}
