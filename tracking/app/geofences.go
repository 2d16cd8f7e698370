package app

import (
	"fmt"
	"log/slog"
	"os"

	"siaga112/tracking"
	"siaga112/tracking/geofence"
	"siaga112/tracking/memstore"
)

// history picks where tracks are read: the database with one, else a
// bounded ring of fixes per unit in memory (which then is also the
// position log).
func (a *App) history(positions tracking.PositionLog) tracking.TrackReader {
	if a.Postgres != nil {
		return a.Postgres
	}
	a.log.Info("track history in memory: the last fixes of each unit", "per_unit", memstore.DefaultPositionsPerUnit, "total", memstore.DefaultPositionsTotal)
	return memstore.NewPositions(0, 0)
}

// loadGeofences reads --geofences and --geofence-rules; a bad file stops
// the start with the reason (a fence silently missing would never fire).
func loadGeofences(cfg Config, log *slog.Logger) ([]geofence.Fence, geofence.Rules, error) {
	var fences []geofence.Fence
	if cfg.Geofences != "" {
		b, err := os.ReadFile(cfg.Geofences)
		if err != nil {
			return nil, nil, fmt.Errorf("--geofences: %w", err)
		}
		if fences, err = geofence.Parse(b); err != nil {
			return nil, nil, fmt.Errorf("--geofences %s: %w", cfg.Geofences, err)
		}
		log.Info("geofences loaded", "file", cfg.Geofences, "fences", len(fences))
	}
	rules := geofence.DefaultRules()
	if cfg.GeofenceRules != "" {
		b, err := os.ReadFile(cfg.GeofenceRules)
		if err != nil {
			return nil, nil, fmt.Errorf("--geofence-rules: %w", err)
		}
		if rules, err = geofence.ParseRules(b); err != nil {
			return nil, nil, fmt.Errorf("--geofence-rules %s: %w", cfg.GeofenceRules, err)
		}
		log.Info("geofence rules loaded", "file", cfg.GeofenceRules, "rules", len(rules))
	}
	return fences, rules, nil
}
