package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

var _ tracking.TrackReader = (*Store)(nil)

// Track implements tracking.TrackReader from unit_positions (the index on
// unit_id, reported_at; partitions outside the window are pruned). Fixes
// still waiting for the flusher are not in it yet (at most FlushEvery).
func (s *Store) Track(ctx context.Context, unitID string, from, to time.Time, limit int) ([]tracking.TrackPoint, error) {
	if limit <= 0 {
		limit = tracking.MaxTrackPoints
	}
	rows, err := s.pool.Query(ctx, `SELECT lon, lat, reported_at, speed_kmh, heading, accuracy_m FROM (
			SELECT lon, lat, reported_at, speed_kmh, heading, accuracy_m FROM unit_positions
			WHERE unit_id = $1 AND reported_at >= $2 AND reported_at < $3
			ORDER BY reported_at DESC LIMIT $4) newest ORDER BY reported_at`, unitID, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("read track: %w", err)
	}
	pts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.TrackPoint, error) {
		var tp tracking.TrackPoint
		var speed, heading, acc *float32
		err := r.Scan(&tp.Lon, &tp.Lat, &tp.At, &speed, &heading, &acc)
		tp.SpeedKmh, tp.Heading, tp.AccuracyM = optional(speed), optional(heading), optional(acc)
		return tp, err
	})
	if err != nil {
		return nil, fmt.Errorf("read track: %w", err)
	}
	return pts, nil
}

func optional(v *float32) tracking.Optional {
	if v == nil {
		return tracking.Optional{}
	}
	return tracking.Some(float64(*v))
}
