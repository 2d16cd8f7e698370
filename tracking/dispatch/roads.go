package dispatch

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/prometheus/client_golang/prometheus"

	"siaga112/geo"
	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

// The ETA models a row can come from.
const (
	ModelRoad   = "road"
	ModelDetour = "detour"
)

// Why a pair fell back from the road network to the detour model
// (siaga112_route_fallbacks_total{reason}).
const (
	FallbackIncidentOffRoad = "incident_off_road" // the incident is beyond --osm-snap from every drivable way
	FallbackUnitOffRoad     = "unit_off_road"     // the unit is
	FallbackNoPath          = "no_path"           // no road leads from the unit to the incident
)

// RoadFactor is how fast a unit type drives relative to the network's
// speeds (an ambulance's): its --speeds value ÷ the default ambulance
// speed, 40 km/h. A hearse (30) drives at 0.75 of them, a police car
// (45) at 1.125.
func RoadFactor(speeds map[string]float64, t tracking.UnitType) float64 {
	if v, ok := speeds[string(t)]; ok && v > 0 {
		return v / tracking.DefaultSpeedsKmh[tracking.Ambulance]
	}
	return 1
}

func newFallbacks() *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "siaga112_route_fallbacks_total",
		Help: "Recommended, nearest or dispatched units whose ETA came from the detour model although --osm is loaded, by reason.",
	}, []string{"reason"})
	for _, r := range []string{FallbackIncidentOffRoad, FallbackUnitOffRoad, FallbackNoPath} {
		c.WithLabelValues(r)
	}
	return c
}

var candidateBufs = sync.Pool{New: func() any { s := make([]fleet.Candidate, 0, 256); return &s }}

// roadRank appends to dst the keep available live units of type t with the
// smallest ETA to p: a search outward from the incident over the reversed
// road graph, stopped once no unreached unit can beat the keep-th, merged
// with the pairs that fall back to the detour model. Caller holds no lock.
func (s *Service) roadRank(dst []Recommendation, p orb.Point, t tracking.UnitType, keep int, routes bool) []Recommendation {
	g := s.cfg.Roads
	buf := candidateBufs.Get().(*[]fleet.Candidate)
	defer func() { *buf = (*buf)[:0]; candidateBufs.Put(buf) }()
	cands := s.cfg.Fleet.Available((*buf)[:0], t)
	*buf = cands
	target := g.Snap(p, s.cfg.SnapM)
	search := g.ToTarget(target)
	defer search.Release()
	factor := RoadFactor(s.speeds, t)

	base := len(dst)
	// Detour pairs first (each with its reason), then the road units.
	var onRoad []geo.RoadPoint
	var roadIdx []int
	for i, c := range cands {
		reason := ""
		switch {
		case !target.OnRoad():
			reason = FallbackIncidentOffRoad
		case !c.Road.OnRoad():
			reason = FallbackUnitOffRoad
		case !search.Joins(c.Road):
			reason = FallbackNoPath
		}
		if reason == "" {
			onRoad, roadIdx = append(onRoad, c.Road), append(roadIdx, i)
			continue
		}
		rec, ok := s.detourRow(c, p, routes)
		if !ok {
			continue
		}
		rec.fallback = reason
		dst = insertRanked(dst, base, rec, keep)
	}
	for i, cost := range search.Closest(onRoad) {
		eta := math.Round(cost.Secs / factor)
		if n := len(dst) - base; n == keep && eta > dst[len(dst)-1].ETASeconds {
			break // nothing farther out can enter the list
		}
		c := cands[roadIdx[i]]
		rec := Recommendation{UnitID: c.ID, Callsign: c.Callsign, Type: c.Type, Agency: c.Agency,
			DistanceM: math.Round(geo.Distance(c.Position, p)), RouteM: math.Round(cost.Metres), ETASeconds: eta,
			EtaModel: ModelRoad, Position: c.Position}
		if routes {
			rec.Route = geojson.NewGeometry(search.Route(i, c.Position, p))
		}
		dst = insertRanked(dst, base, rec, keep)
	}
	for _, rec := range dst[base:] {
		if rec.fallback != "" {
			s.metrics.fallbacks.WithLabelValues(rec.fallback).Inc()
		}
	}
	return dst
}

// detourRow is a unit's row by the detour model.
func (s *Service) detourRow(c fleet.Candidate, p orb.Point, routes bool) (Recommendation, bool) {
	r, err := s.cfg.Router.Route(c.Position, p, string(c.Type))
	if err != nil {
		s.log.Warn("no route for a candidate unit; left out", "unit", c.ID, "err", err)
		return Recommendation{}, false
	}
	rec := Recommendation{UnitID: c.ID, Callsign: c.Callsign, Type: c.Type, Agency: c.Agency,
		DistanceM: math.Round(geo.Distance(c.Position, p)), RouteM: math.Round(r.DistanceM), ETASeconds: r.Duration.Seconds(),
		EtaModel: ModelDetour, Position: c.Position}
	if routes {
		rec.Route = straightRoute(c.Position, p)
	}
	return rec, true
}

// straightRoute is a detour row's route: the straight line.
func straightRoute(from, to orb.Point) *geojson.Geometry {
	return geojson.NewGeometry(orb.LineString{from, to})
}

// insertRanked puts rec into dst[base:], kept ordered by ETA (then unit
// id, so equal ETAs rank the same way every time) and at most keep long.
func insertRanked(dst []Recommendation, base int, rec Recommendation, keep int) []Recommendation {
	rows := dst[base:]
	i, _ := slices.BinarySearchFunc(rows, rec, func(a, b Recommendation) int {
		return cmp.Or(cmp.Compare(a.ETASeconds, b.ETASeconds), cmp.Compare(a.UnitID, b.UnitID))
	})
	if i >= keep {
		return dst
	}
	dst = slices.Insert(dst, base+i, rec)
	if len(dst)-base > keep {
		dst = dst[:base+keep]
	}
	return dst
}

// unitETA is one unit's road ETA to p (for an assignment), or the
// detour model's when the pair falls back.
func (s *Service) unitETA(u tracking.Unit, p orb.Point) (secs float64, model string) {
	from := orb.Point{u.Position.Lon, u.Position.Lat}
	if g := s.cfg.Roads; g != nil {
		search := g.ToTarget(g.Snap(p, s.cfg.SnapM))
		defer search.Release()
		rp := g.Snap(from, s.cfg.SnapM)
		if search.Joins(rp) {
			for _, c := range search.Closest([]geo.RoadPoint{rp}) {
				return math.Round(c.Secs / RoadFactor(s.speeds, u.Type)), ModelRoad
			}
		}
	}
	r, err := s.cfg.Router.Route(from, p, string(u.Type))
	if err != nil {
		return 0, ModelDetour
	}
	return r.Duration.Seconds(), ModelDetour
}
