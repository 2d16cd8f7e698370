package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// DeletedUnits lists the ids of the units deleted (migration 017), for an
// instance reading everything back to drop them from its fleet.
func (s *Store) DeletedUnits(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM units WHERE deleted_at IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("load deleted units: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("load deleted units: %w", err)
	}
	return ids, nil
}
