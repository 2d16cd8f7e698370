package app

import (
	"fmt"
	"log/slog"
	"os"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking/dispatch"
)

// The files a start reads besides the OSM extract: response plans and
// boundaries.

func loadPlans(path string) (*dispatch.Plans, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--plans: %w", err)
	}
	defer f.Close()
	p, err := dispatch.ParsePlans(f)
	if err != nil {
		return nil, fmt.Errorf("--plans %s: %w", path, err)
	}
	return p, nil
}

// loadDistricts loads the boundaries of --boundaries, or the embedded
// official ones of Kota Serang.
func loadDistricts(cfg Config, log *slog.Logger) (*geo.DistrictIndex, error) {
	g := mapdata.Serang()
	if cfg.Boundaries == "" {
		log.Info("official boundaries: Kota Serang's embedded kelurahan layer (BIG via cahyadsn/wilayah_boundaries, MIT)", "kelurahan", len(mapdata.SerangDistricts()))
		return geo.NewExactIndex(mapdata.SerangDistricts()), nil
	}
	f, err := os.Open(cfg.Boundaries)
	if err != nil {
		return nil, fmt.Errorf("--boundaries: %w", err)
	}
	defer f.Close()
	ds, err := mapdata.LoadBoundaries(f, g, mapdata.BoundaryOptions{CodeProperty: cfg.BoundaryCode, NameProperty: cfg.BoundaryName})
	if err != nil {
		return nil, fmt.Errorf("--boundaries %s: %w", cfg.Boundaries, err)
	}
	log.Info("official boundaries loaded", "file", cfg.Boundaries, "kelurahan", len(ds))
	return geo.NewExactIndex(ds), nil
}
