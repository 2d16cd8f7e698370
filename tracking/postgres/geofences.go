package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

var _ tracking.GeofenceStore = (*Store)(nil)

// Geofences implements tracking.GeofenceStore.
func (s *Store) Geofences(ctx context.Context) ([]tracking.StoredGeofence, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, kind, agency, coalesce(radius_m, 0), feature::text, created_by FROM geofences ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("load geofences: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.StoredGeofence, error) {
		var g tracking.StoredGeofence
		var feature string
		err := r.Scan(&g.ID, &g.Name, &g.Kind, &g.Agency, &g.RadiusM, &feature, &g.CreatedBy)
		g.Feature = []byte(feature)
		return g, err
	})
}

// SaveGeofences implements tracking.GeofenceStore. A circle's shape is
// stored as its polygon (PostGIS buffers it on the spheroid), so GIS
// clients draw what the server tests.
func (s *Store) SaveGeofences(ctx context.Context, gs []tracking.StoredGeofence) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, g := range gs {
			var radius *float64
			if g.RadiusM > 0 {
				radius = &g.RadiusM
			}
			b.Queue(`INSERT INTO geofences (id, name, kind, agency, radius_m, feature, geom, created_by)
				VALUES ($1, $2, $3, $4, $5, $6::jsonb,
					CASE WHEN $5::float8 IS NULL THEN ST_SetSRID(ST_GeomFromGeoJSON($7::text), 4326)
					ELSE ST_Buffer(ST_SetSRID(ST_GeomFromGeoJSON($7::text), 4326)::geography, $5::float8, 32)::geometry END, $8)
				ON CONFLICT (id) DO UPDATE SET name = $2, kind = $3, agency = $4, radius_m = $5, feature = $6::jsonb,
					geom = EXCLUDED.geom, created_by = $8, created_at = now()`,
				g.ID, g.Name, g.Kind, g.Agency, radius, string(g.Feature), string(g.Geometry), g.CreatedBy)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("save geofences: %w", err)
	}
	return nil
}

// DeleteGeofence implements tracking.GeofenceStore.
func (s *Store) DeleteGeofence(ctx context.Context, id string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM geofences WHERE id = $1`, id)
	if err != nil {
		return false, fmt.Errorf("delete geofence: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}
