package dispatch

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"siaga112/geo"
	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

// Recommendations: the nearest available live units a plan asks for, by
// ETA (over the roads when there are roads).

// MaxRecommendations is how many units are recommended per unit type.
const MaxRecommendations = 5

// Recommendation is a unit worth sending, nearest (by ETA) first.
type Recommendation struct {
	UnitID     string            `json:"unit_id"`
	Callsign   string            `json:"callsign"`
	Type       tracking.UnitType `json:"type"`
	Agency     string            `json:"agency"`
	DistanceM  float64           `json:"distance_m"` // great-circle
	RouteM     float64           `json:"route_m"`    // estimated road distance
	ETASeconds float64           `json:"eta_s"`
	// EtaModel: "road" (driving time on the --osm network) or "detour"
	// (great-circle × detour ÷ speed: no --osm, or the pair fell back).
	EtaModel string `json:"eta_model"`
	// Route, when asked for, is a GeoJSON LineString from the unit to the
	// incident (a detour row's is the straight line).
	Route *geojson.Geometry `json:"route,omitempty"`
	// Position is where the unit was ([lon, lat]); the nearest query's
	// GeoJSON shows it.
	Position orb.Point `json:"-"`
	fallback string    // why a road search fell back to the detour model
}

// Recommend lists, for each unit type of the plan, up to
// MaxRecommendations available live units ordered by ETA. Stale and offline
// units are never recommended.
func (s *Service) Recommend(p orb.Point, plan Plan) []Recommendation {
	return s.recommend(p, plan, false)
}

func (s *Service) recommend(p orb.Point, plan Plan, routes bool) []Recommendation {
	start := time.Now()
	out := []Recommendation{}
	for _, need := range plan.Needs {
		out = s.recommendType(out, p, need.Type, MaxRecommendations, routes)
	}
	s.observeRecommend(time.Since(start))
	return out
}

// MaxNearest bounds the limit of a Nearest query.
const MaxNearest = 100

// Nearest answers "who is closest to here?": up to limit available live
// units of type t ordered by ETA, exactly as Recommend ranks them for an
// incident, without creating anything. dst is reused (its length reset),
// so a caller may pool it.
func (s *Service) Nearest(dst []Recommendation, p orb.Point, t tracking.UnitType, limit int) ([]Recommendation, error) {
	return s.NearestRouted(dst, p, t, limit, false)
}

// NearestRouted is Nearest, each row with its route when routes is set.
func (s *Service) NearestRouted(dst []Recommendation, p orb.Point, t tracking.UnitType, limit int, routes bool) ([]Recommendation, error) {
	if _, err := tracking.ParseUnitType(string(t)); err != nil {
		return nil, err
	}
	if err := tracking.CheckLatLon(p[1], p[0]); err != nil {
		return nil, err
	}
	if limit < 1 || limit > MaxNearest {
		return nil, tracking.Errorf(tracking.CodeInvalid, "limit must be a whole number from 1 to %d, not %d", MaxNearest, limit)
	}
	start := time.Now()
	out := s.recommendType(dst[:0], p, t, limit, routes)
	s.observeRecommend(time.Since(start))
	return out, nil
}

// recommendType appends to dst up to keep available live units of type t
// ordered by ETA to p: by road with --osm, else by the detour model.
func (s *Service) recommendType(dst []Recommendation, p orb.Point, t tracking.UnitType, keep int, routes bool) []Recommendation {
	if s.cfg.Roads != nil {
		return s.roadRank(dst, p, t, keep, routes)
	}
	base := len(dst)
	// Twice as many by distance as we keep by ETA: a road router may
	// reorder neighbours (the detour model never does).
	f := fleet.Filter{Types: []tracking.UnitType{t}, Statuses: availOnly, Liveness: liveOnly}
	want := 2 * keep
	if _, monotone := s.cfg.Router.(geo.DetourModel); monotone {
		want = keep // its ETA grows with the distance: the nearest are the answer
	}
	for u, d := range s.cfg.Fleet.Nearest(p, f) {
		dst = append(dst, Recommendation{UnitID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency, DistanceM: math.Round(d), Position: orb.Point{u.Position.Lon, u.Position.Lat}})
		if len(dst)-base == want {
			break
		}
	}
	recs := dst[base:]
	routed := recs[:0]
	for _, rec := range recs {
		r, err := s.cfg.Router.Route(rec.Position, p, string(rec.Type))
		if err != nil {
			s.log.Warn("no route for a candidate unit; left out", "unit", rec.UnitID, "err", err)
			continue
		}
		rec.RouteM, rec.ETASeconds, rec.EtaModel = math.Round(r.DistanceM), r.Duration.Seconds(), ModelDetour
		if routes {
			rec.Route = straightRoute(rec.Position, p)
		}
		routed = append(routed, rec)
	}
	slices.SortStableFunc(routed, func(a, b Recommendation) int { return cmp.Compare(a.ETASeconds, b.ETASeconds) })
	return dst[:base+min(len(routed), keep)]
}

var (
	availOnly = []tracking.Status{tracking.Available}
	liveOnly  = []tracking.Liveness{tracking.Live}
)
