package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

var _ tracking.ETATripReader = (*Store)(nil)

// ETATrips implements tracking.ETATripReader: for each assignment, the
// first fix in unit_positions from its dispatch to its clearing within the
// radius, found through the (unit_id, reported_at) index. The distance is
// geo.Distance's haversine on orb's sphere (6378137 m), written out term by
// term as orb computes it, so that the database and the in-memory store
// draw the same circle.
func (s *Store) ETATrips(ctx context.Context, q tracking.ETATripQuery) ([]tracking.ETATrip, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.incident_id, a.unit_id, a.unit_type, a.eta_model, a.eta_s, a.dispatched_at, f.reported_at
		FROM assignments a JOIN incidents i ON i.id = a.incident_id
		LEFT JOIN LATERAL (
			SELECT p.reported_at FROM unit_positions p
			CROSS JOIN LATERAL (SELECT sin((i.lat - p.lat) * pi() / 180 / 2) AS dlat, sin((i.lon - p.lon) * pi() / 180 / 2) AS dlon) d
			CROSS JOIN LATERAL (SELECT d.dlat * d.dlat + cos(p.lat * pi() / 180) * cos(i.lat * pi() / 180) * d.dlon * d.dlon AS h) hv
			WHERE p.unit_id = a.unit_id AND p.reported_at >= a.dispatched_at
				AND (a.cleared_at IS NULL OR p.reported_at <= a.cleared_at)
				AND 2 * 6378137.0::float8 * atan2(sqrt(hv.h), sqrt(1 - hv.h)) <= $4
			ORDER BY p.reported_at LIMIT 1) f ON true
		WHERE a.eta_model <> '' AND ($1::timestamptz IS NULL OR a.dispatched_at >= $1)
			AND ($2::timestamptz IS NULL OR a.dispatched_at < $2) AND ($3 = '' OR a.unit_type = $3)
		ORDER BY a.dispatched_at, a.incident_id, a.seq`,
		nullTime(q.From), nullTime(q.To), string(q.Type), q.RadiusM)
	if err != nil {
		return nil, fmt.Errorf("read ETA trips: %w", err)
	}
	trips, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.ETATrip, error) {
		var t tracking.ETATrip
		var arrived *time.Time
		err := r.Scan(&t.IncidentID, &t.UnitID, &t.UnitType, &t.EtaModel, &t.ETASeconds, &t.DispatchedAt, &arrived)
		t.ArrivedAt = arrived
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("read ETA trips: %w", err)
	}
	return trips, nil
}
