package postgres

import (
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
