package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

var _ tracking.HistoryStore = (*Store)(nil)

// SaveHistory implements tracking.HistoryStore: COPY into a temporary table,
// then one INSERT … ON CONFLICT DO NOTHING, all in one transaction, so a file
// is imported whole or not at all and a re-import adds nothing.
func (s *Store) SaveHistory(ctx context.Context, rs []tracking.HistoryRecord) (int, error) {
	var inserted int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE history_in (LIKE incident_history INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
			return err
		}
		cols := []string{"id", "category", "lon", "lat", "kecamatan_code", "kelurahan_code", "received_at", "dispatched_at", "on_scene_at", "closed_at", "h3_r7", "h3_r8", "h3_r9"}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"history_in"}, cols, pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
			r := rs[i]
			c := cells(r.Lat, r.Lon)
			return []any{r.ID, string(r.Category), r.Lon, r.Lat, r.KecamatanCode, r.KelurahanCode, r.ReceivedAt, r.DispatchedAt, r.OnSceneAt, r.ClosedAt, c[0], c[1], c[2]}, nil
		})); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO incident_history (id, category, lon, lat, kecamatan_code, kelurahan_code, received_at,
				dispatched_at, on_scene_at, closed_at, h3_r7, h3_r8, h3_r9)
			SELECT id, category, lon, lat, kecamatan_code, kelurahan_code, received_at, dispatched_at, on_scene_at, closed_at, h3_r7, h3_r8, h3_r9
			FROM history_in ON CONFLICT (id) DO NOTHING`)
		inserted = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("import history: %w", err)
	}
	return int(inserted), nil
}

// History implements tracking.HistoryStore.
func (s *Store) History(ctx context.Context) ([]tracking.HistoryRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, category, lon, lat, kecamatan_code, kelurahan_code, received_at, dispatched_at,
		on_scene_at, closed_at FROM incident_history ORDER BY received_at`)
	if err != nil {
		return nil, fmt.Errorf("load history: %w", err)
	}
	var r tracking.HistoryRecord
	var out []tracking.HistoryRecord
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.Category, &r.Lon, &r.Lat, &r.KecamatanCode, &r.KelurahanCode, &r.ReceivedAt,
		&r.DispatchedAt, &r.OnSceneAt, &r.ClosedAt}, func() error {
		out = append(out, r)
		r = tracking.HistoryRecord{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load history: %w", err)
	}
	return out, nil
}
