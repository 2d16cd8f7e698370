package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"siaga112/tracking"
)

// DeadlineMarks is the durable tracking.DeadlineMarks (table deadline_marks,
// migration 009): the primary key makes "fires once" hold across restarts
// and instances.
type DeadlineMarks struct{ pool *pgxpool.Pool }

var _ tracking.DeadlineMarks = (*DeadlineMarks)(nil)

// DeadlineMarks returns the store's deadline marks.
func (s *Store) DeadlineMarks() *DeadlineMarks { return &DeadlineMarks{pool: s.pool} }

func (d *DeadlineMarks) MarkFired(ctx context.Context, m tracking.DeadlineMark) (bool, error) {
	tag, err := d.pool.Exec(ctx, `INSERT INTO deadline_marks (incident_id, kind, fired_at) VALUES ($1, $2, $3)
		ON CONFLICT (incident_id, kind) DO NOTHING`, m.IncidentID, string(m.Kind), m.FiredAt)
	if err != nil {
		return false, fmt.Errorf("insert deadline mark: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
