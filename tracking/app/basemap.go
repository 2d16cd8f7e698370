package app

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"

	"siaga112/geo"
	"siaga112/mapdata/basemap"
)

// baseMapReach is how far beyond the city's districts the offline base
// map reaches (degrees, ~5.5 km): the approaches units come in on.
const baseMapReach = 0.05

// loadBaseMap draws the offline base map from --osm, cut to the city's
// box widened by baseMapReach.
func loadBaseMap(ctx context.Context, cfg Config, districts *geo.DistrictIndex, log *slog.Logger) (*basemap.Map, error) {
	box := districtsBound(districts)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := basemap.Load(ctx, cfg.OSM, basemap.Options{Keep: box.Pad(baseMapReach)})
	if err != nil {
		return nil, fmt.Errorf("--osm %s: %w", cfg.OSM, err)
	}
	// The decoder's block buffers (32 MiB a pass) are garbage now: give
	// them back, so the process's resident size is what the map holds.
	debug.FreeOSMemory()
	runtime.ReadMemStats(&after)
	st := m.Stats()
	args := []any{"file", cfg.OSM, "load_time", st.LoadTime.Round(1e6), "points", st.Points, "multipolygons", st.Relations,
		"heap_growth_mib", (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / (1 << 20), "tile_cache_mib", basemap.DefaultCacheBytes >> 20}
	for i, name := range basemap.LayerNames {
		args = append(args, name, st.Features[i])
	}
	if cfg.Tiles == "" {
		log.Info("offline base map: the page draws the map from the extract, asking no tile server", args...)
	} else {
		log.Info("offline base map ready: the page falls back to it when --tiles fail", args...)
	}
	return m, nil
}
