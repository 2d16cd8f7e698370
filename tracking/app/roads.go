package app

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/geo/roads"
)

// roadsReach is how far beyond the city's outermost district the extract's
// ways are kept (degrees, ~11 km): units come in from the approaches.
const roadsReach = 0.1

// loadRoads reads --osm: the drivable ways near the city, refused (with
// the file and the reason) when none lies inside it.
func loadRoads(ctx context.Context, cfg Config, districts *geo.DistrictIndex, log *slog.Logger) (*roads.Graph, error) {
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	keep := districtsBound(districts)
	opt := roads.Options{SpeedsKmh: cfg.RoadSpeeds, Keep: keep.Pad(roadsReach),
		Inside: func(p orb.Point) bool { _, err := districts.Locate(p); return err == nil }}
	g, err := roads.Load(ctx, cfg.OSM, opt)
	if err != nil {
		return nil, fmt.Errorf("--osm: %w", err)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	st := g.Stats()
	speeds := cfg.RoadSpeeds
	if speeds == nil {
		speeds = roads.DefaultSpeedsKmh
	}
	log.Info("road network loaded: ETAs, routes and isochrones follow the roads", "file", cfg.OSM,
		"nodes", st.Nodes, "edges", st.Edges, "ways", st.Ways, "ways_cut", st.WaysCut,
		"restrictions", st.Restrictions, "via_way_restrictions_ignored", st.ViaWayRestrictions, "restrictions_ignored", st.RestrictionsIgnored,
		"graph_mib", float64(g.Bytes())/(1<<20), "heap_growth_mib", (float64(after.HeapAlloc)-float64(before.HeapAlloc))/(1<<20),
		"load_time", st.LoadTime.Round(1e6), "snap_m", cfg.OSMSnapM, "road_speeds_kmh", roads.FormatSpeeds(speeds))
	return g, nil
}

// districtsBound is the box of the city's districts: their shapes, or a
// point's reach where a district has no shape (ReachM in metres at about
// 111 km a degree: at Serang's 6° S a degree of longitude is 0.5% shorter,
// well within the reach's margin).
func districtsBound(districts *geo.DistrictIndex) orb.Bound {
	var box orb.Bound
	for i, d := range districts.Districts() {
		b := d.Point.Bound()
		if d.Shape != nil {
			b = d.Shape.Bound()
		} else {
			b = b.Pad(d.ReachM / 111_000)
		}
		if i == 0 {
			box = b
		}
		box = box.Union(b)
	}
	return box
}
