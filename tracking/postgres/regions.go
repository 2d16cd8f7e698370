package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

// queueRegionEvent writes a unit's region event (its position, when known,
// becomes the row's point).
func queueRegionEvent(b *pgx.Batch, e tracking.RegionEvent) {
	var lon, lat *float64
	if e.HasPosition {
		lon, lat = &e.Lon, &e.Lat
	}
	var acc *float64
	if e.AccuracyM.Valid {
		acc = &e.AccuracyM.Value
	}
	source := "tracker"
	if e.Trigger == "geofence" {
		source = "geofence"
	}
	b.Queue(`INSERT INTO region_events (unit_id, kind, region, region_id, trigger, source, at, lon, lat, accuracy_m)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.UnitID, string(e.Kind), e.Region, e.RegionID, e.Trigger, source, e.At, lon, lat, acc)
}

// RecentRegionEvents returns the newest perUnit region events of each
// unit, oldest first per unit, for the units service to start with.
func (s *Store) RecentRegionEvents(ctx context.Context, perUnit int) ([]tracking.RegionEvent, error) {
	rows, err := s.pool.Query(ctx, `SELECT unit_id, kind, region, region_id, trigger, at, lon, lat, accuracy_m FROM (
			SELECT *, row_number() OVER (PARTITION BY unit_id ORDER BY at DESC, id DESC) AS n FROM region_events) r
		WHERE n <= $1 ORDER BY unit_id, at, id`, perUnit)
	if err != nil {
		return nil, fmt.Errorf("load region events: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.RegionEvent, error) {
		var e tracking.RegionEvent
		var lon, lat, acc *float64
		err := r.Scan(&e.UnitID, &e.Kind, &e.Region, &e.RegionID, &e.Trigger, &e.At, &lon, &lat, &acc)
		if lon != nil && lat != nil {
			e.Lon, e.Lat, e.HasPosition = *lon, *lat, true
		}
		if acc != nil {
			e.AccuracyM = tracking.Some(*acc)
		}
		return e, err
	})
}
