package dispatch

import (
	"slices"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"

	"siaga112/geo"
	"siaga112/geo/roads"
	"siaga112/tracking"
)

// Isochrone is where the available live units of a type reach in a time.
type Isochrone struct {
	Minutes float64
	Type    tracking.UnitType
	Units   int     // how many units contributed
	AreaKm2 float64 // on the sphere
	// EtaModel: "road", "detour" (no --osm, or every unit beyond the snap
	// limit) or "road+detour" (some units by road, some by circles).
	EtaModel string
	Area     orb.Geometry // Polygon or MultiPolygon (empty: no unit)
}

// Limits of an isochrone query.
const (
	MaxIsochrones       = 6
	MaxIsochroneMinutes = 60
)

// Isochrones draws one area per value of minutes: where the available
// live units of type t reach by road in that time (one forward search from
// all of them), with a detour-model circle (minutes × speed ÷ detour) for
// each unit beyond the snap limit; without --osm, circles alone.
func (s *Service) Isochrones(t tracking.UnitType, minutes []float64) ([]Isochrone, error) {
	if _, err := tracking.ParseUnitType(string(t)); err != nil {
		return nil, err
	}
	if len(minutes) < 1 || len(minutes) > MaxIsochrones {
		return nil, tracking.Errorf(tracking.CodeInvalid, "minutes must list 1 to %d values, not %d", MaxIsochrones, len(minutes))
	}
	for _, m := range minutes {
		if !(m >= 1 && m <= MaxIsochroneMinutes) {
			return nil, tracking.Errorf(tracking.CodeInvalid, "minutes must each be from 1 to %d, not %g", MaxIsochroneMinutes, m)
		}
	}
	sorted := slices.Clone(minutes)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	cands := s.cfg.Fleet.Available(nil, t)
	factor := RoadFactor(s.speeds, t)
	detour := s.detourModel()
	speed := detour.SpeedKmh[string(t)]
	limits := make([]float64, len(sorted))
	for k, m := range sorted {
		limits[k] = m * 60 * factor
	}
	var origins []roads.Origin
	var discs []roads.Disc
	for _, c := range cands {
		if s.cfg.Roads != nil && c.Road.OnRoad() {
			origins = append(origins, roads.Origin{From: c.Position, Road: c.Road})
			continue
		}
		d := roads.Disc{Center: c.Position, RadiusM: make([]float64, len(sorted))}
		for k, m := range sorted {
			d.RadiusM[k] = m * 60 * speed / 3.6 / detour.Detour
		}
		discs = append(discs, d)
	}
	areas := roads.Isochrones(s.cfg.Roads, origins, discs, limits)
	model := ModelDetour
	switch {
	case len(origins) > 0 && len(discs) > 0:
		model = ModelRoad + "+" + ModelDetour
	case len(origins) > 0:
		model = ModelRoad
	}
	out := make([]Isochrone, len(minutes))
	for i, m := range minutes {
		mp := areas[slices.Index(sorted, m)]
		var g orb.Geometry = mp
		if len(mp) == 1 {
			g = mp[0]
		}
		out[i] = Isochrone{Minutes: m, Type: t, Units: len(cands), AreaKm2: orbgeo.Area(mp) / 1e6, EtaModel: model, Area: g}
	}
	return out, nil
}

// detourModel is the detour model behind Router (the default's numbers
// when Router is another kind).
func (s *Service) detourModel() geo.DetourModel {
	if m, ok := s.cfg.Router.(geo.DetourModel); ok {
		return m
	}
	return tracking.DefaultTravel()
}
