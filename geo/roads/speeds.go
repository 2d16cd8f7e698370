package roads

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// DefaultSpeedsKmh are the speeds, in km/h, of an ambulance under lights
// and siren on each highway class: what a free road allows, not a trip's
// average (junctions and pulling out are in the edges' shape). Motorway
// and trunk stay at least 1.5× residential, so the toll road wins where it
// should; --road-speeds changes any of them.
var DefaultSpeedsKmh = map[string]float64{
	"motorway": 80, "motorway_link": 50,
	"trunk": 70, "trunk_link": 45,
	"primary": 50, "primary_link": 40,
	"secondary": 45, "secondary_link": 35,
	"tertiary": 40, "tertiary_link": 30,
	"unclassified": 30, "residential": 30,
	"living_street": 10, "service": 15,
}

// LegSpeedKmh is the speed on the straight legs between a point and its
// road point (a yard, an unmapped lane): slow on purpose, so a point far
// from the road pays for it.
const LegSpeedKmh = 10

// ParseSpeeds reads --road-speeds ("motorway=80,primary=50") over the
// defaults: classes not named keep their default. Unknown classes and
// speeds outside 5–150 km/h are refused.
func ParseSpeeds(s string) (map[string]float64, error) {
	out := make(map[string]float64, len(DefaultSpeedsKmh))
	for k, v := range DefaultSpeedsKmh {
		out[k] = v
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok {
			return nil, fmt.Errorf("%q is not highway=km/h", part)
		}
		if _, known := DefaultSpeedsKmh[k]; !known {
			return nil, fmt.Errorf("%q is not a drivable highway class (one of %s)", k, classList())
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(f >= 5 && f <= 150) {
			return nil, fmt.Errorf("%q: the speed must be a number of km/h from 5 to 150", part)
		}
		out[k] = f
	}
	return out, nil
}

// FormatSpeeds writes speeds as --road-speeds reads them, in a stable order.
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

func classList() string {
	keys := make([]string, 0, len(DefaultSpeedsKmh))
	for k := range DefaultSpeedsKmh {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// maxspeedKmh reads a maxspeed tag: "50", "50 km/h", "30 mph"; 0 when it
// is absent or not a number ("ID:urban", "signals", "none").
func maxspeedKmh(v string) float64 {
	v = strings.TrimSpace(v)
	mph := false
	if rest, ok := strings.CutSuffix(v, "mph"); ok {
		v, mph = strings.TrimSpace(rest), true
	} else if rest, ok := strings.CutSuffix(v, "km/h"); ok {
		v = strings.TrimSpace(rest)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0 && f < 300) {
		return 0
	}
	if mph {
		f *= 1.609344
	}
	return f
}
