package geo

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Router estimates how far and how long a vehicle of a profile (a unit type
// such as "ambulance") travels between two points. DetourModel is the
// built-in one; a road-network router (OSRM, Valhalla) can stand in its place
// without dispatch noticing.
type Router interface {
	Route(from, to orb.Point, profile string) (Route, error)
}

// Route is a travel estimate.
type Route struct {
	DistanceM float64       // road metres (estimated)
	Duration  time.Duration // travel time
}

// DetourModel estimates road travel as the great-circle distance times a
// detour factor, driven at the profile's average speed.
type DetourModel struct {
	// Detour: road distance ÷ straight-line distance (≥ 1).
	Detour float64
	// SpeedKmh: average door-to-door speed per profile, km/h.
	SpeedKmh map[string]float64
}

var _ Router = DetourModel{}

// DefaultDetour is road distance ÷ straight-line distance by default:
// measured circuity of urban road networks runs 1.2–1.4 (denser grids
// lower); Serang's are sparse, cut by the Cibanten river, the railway and
// the Jakarta–Merak toll road with few crossings, so the top of that range.
// The speeds per unit type are the domain's (tracking.DefaultTravel).
const DefaultDetour = 1.4

// Route implements Router.
func (m DetourModel) Route(from, to orb.Point, profile string) (Route, error) {
	v, ok := m.SpeedKmh[profile]
	if !ok || !(v > 0) {
		return Route{}, fmt.Errorf("no travel speed configured for %q", profile)
	}
	d := Distance(from, to) * m.Detour
	secs := d / (v / 3.6)
	return Route{DistanceM: d, Duration: time.Duration(math.Round(secs)) * time.Second}, nil
}

// Validate checks the model's numbers.
func (m DetourModel) Validate() error {
	if !(m.Detour >= 1 && m.Detour <= 5) {
		return fmt.Errorf("detour factor %g must be between 1 and 5", m.Detour)
	}
	for k, v := range m.SpeedKmh {
		if !(v >= 1 && v <= 200) {
			return fmt.Errorf("speed for %q, %g km/h, must be between 1 and 200", k, v)
		}
	}
	return nil
}

// ParseSpeeds reads "ambulance=40,fire_truck=35" into a map.
func ParseSpeeds(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not profile=km/h", part)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, fmt.Errorf("%q: the speed is not a number", part)
		}
		out[strings.TrimSpace(k)] = f
	}
	return out, nil
}

// FormatSpeeds is the inverse of ParseSpeeds, in a stable order.
func FormatSpeeds(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatFloat(m[k], 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}
