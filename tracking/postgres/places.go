package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

var _ tracking.PlaceStore = (*Store)(nil)

// queuePlace writes or deletes a book entry; it returns the audit subject
// and data (nil for a deletion).
func queuePlace(b *pgx.Batch, pc tracking.PlaceChange) (string, any) {
	e := pc.Entry
	if pc.Deleted {
		b.Queue(`DELETE FROM places WHERE id = $1`, e.ID)
		return tracking.PlaceSubject(e.ID), nil
	}
	b.Queue(`INSERT INTO places (id, name, aliases, kind, lon, lat, created_at, created_by, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET name = $2, aliases = $3, kind = $4, lon = $5, lat = $6, updated_at = $9, updated_by = $10`,
		e.ID, e.Name, nonNil(e.Aliases), e.Kind, e.Lon, e.Lat, e.CreatedAt, e.CreatedBy, e.UpdatedAt, e.UpdatedBy)
	return tracking.PlaceSubject(e.ID), e
}

// Places implements tracking.PlaceStore.
func (s *Store) Places(ctx context.Context) ([]tracking.PlaceEntry, error) {
	return s.places(ctx, "true")
}

// Place implements tracking.PlaceStore.
func (s *Store) Place(ctx context.Context, id string) (tracking.PlaceEntry, error) {
	es, err := s.places(ctx, "id = $1", id)
	if err != nil {
		return tracking.PlaceEntry{}, err
	}
	if len(es) == 0 {
		return tracking.PlaceEntry{}, tracking.Errorf(tracking.CodeNotFound, "place %q is not in the place book", id)
	}
	return es[0], nil
}

func (s *Store) places(ctx context.Context, cond string, args ...any) ([]tracking.PlaceEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, aliases, kind, lon, lat, created_at, created_by, updated_at, updated_by
		FROM places WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load places: %w", err)
	}
	es, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.PlaceEntry, error) {
		var e tracking.PlaceEntry
		err := r.Scan(&e.ID, &e.Name, &e.Aliases, &e.Kind, &e.Lon, &e.Lat, &e.CreatedAt, &e.CreatedBy, &e.UpdatedAt, &e.UpdatedBy)
		if e.Aliases == nil {
			e.Aliases = []string{}
		}
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("load places: %w", err)
	}
	return es, nil
}
