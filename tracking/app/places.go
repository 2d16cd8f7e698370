package app

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/mapdata/places"
	"siaga112/mapdata/places/osmload"
	"siaga112/tracking"
	"siaga112/tracking/placebook"
)

// startPlaces builds place search (the gazetteer, the --osm extract's
// streets and POIs) and the place book, whose changes it feeds to search.
func (a *App) startPlaces(ctx context.Context, districts *geo.DistrictIndex) error {
	bound := places.Widen(districtsBound(districts), 5000)
	cfg := places.Config{Gazetteer: mapdata.Serang(), Bound: bound}
	if a.cfg.OSM != "" {
		start := time.Now()
		x, st, err := osmload.ReadFile(ctx, a.cfg.OSM, bound)
		if err != nil {
			return fmt.Errorf("--osm: %w", err)
		}
		cfg.Extract = x
		a.log.Info("OSM extract read for place search", "file", a.cfg.OSM, "nodes_in_city", st.Nodes, "named_nodes", st.NamedNodes,
			"named_ways", st.NamedWays, "took", time.Since(start).Round(time.Millisecond))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	a.Places = places.New(cfg)
	runtime.ReadMemStats(&after)
	st := a.Places.Stats()
	a.log.Info("place search ready", "features", st.Features, "names", st.Names, "words", st.Words, "streets", st.Streets,
		"took", time.Since(start).Round(time.Millisecond), "alloc_mb", (after.TotalAlloc-before.TotalAlloc)>>20)
	if a.cfg.OSM == "" {
		a.log.Warn("no OSM extract (--osm): place search knows the kecamatan, kelurahan and the place book only; reverse look-ups name no street")
	}
	store, ok := a.Store.(tracking.RecordStore)
	if !ok {
		return fmt.Errorf("the store %T keeps no place book", a.Store)
	}
	search := a.Places
	var err error
	a.PlaceBook, err = placebook.New(ctx, placebook.Config{Store: store, Locator: districts, Logger: a.log, Now: a.cfg.Now,
		OnChange: func(es []tracking.PlaceEntry) { search.SetBook(bookEntries(es)) }})
	return err
}

func bookEntries(es []tracking.PlaceEntry) []places.BookEntry {
	out := make([]places.BookEntry, len(es))
	for i, e := range es {
		out[i] = places.BookEntry{ID: e.ID, Name: e.Name, Kind: e.Kind, Aliases: e.Aliases, Point: orb.Point{e.Lon, e.Lat}}
	}
	return out
}
