package geofence

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"siaga112/geo"
	"siaga112/geo/sfgeom"
	"siaga112/tracking"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Limits on a fence file: a city's hospitals, stations and depots are a few
// hundred fences of a few hundred vertices, so these are generous for real
// files and keep a hostile one from costing memory or time.
const (
	MaxFileBytes     = 4 << 20
	MaxFences        = 5000
	MaxFenceVertices = 10_000
	MaxTotalVertices = 200_000
	MaxNameLen       = 100 // characters
	MinRadiusM       = 5
	MaxRadiusM       = 50_000
	maxErrors        = 20
)

// Parse reads a GeoJSON FeatureCollection of fences: Polygon or MultiPolygon
// features, or Point features with a "radius_m" property (a circle).
// Properties: "name" (required), "kind" (hospital, station, depot, other;
// required), "agency" (optional); the id is the feature's "id" or an "id"
// property. The file is taken whole or refused whole: the error, coded
// invalid, names each bad feature and why (the first 20).
func Parse(b []byte) ([]Fence, error) {
	if len(b) > MaxFileBytes {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the geofence file is %d bytes, larger than the %d MiB allowed", len(b), MaxFileBytes>>20)
	}
	var head struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the geofence file is not JSON: %v", err)
	}
	if head.Type != "FeatureCollection" {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the geofence file must be a GeoJSON FeatureCollection, not of type %q", clip(head.Type))
	}
	if len(head.Features) > MaxFences {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the geofence file holds %d features, more than the %d allowed", len(head.Features), MaxFences)
	}
	var errs []string
	fences := make([]Fence, 0, len(head.Features))
	seen := map[string]int{}
	total := 0
	for i, raw := range head.Features {
		f, n, err := parseFeature(raw)
		if err == nil {
			if prev, dup := seen[f.ID]; dup {
				err = fmt.Errorf("id %q already given to feature %d", f.ID, prev)
			} else if total += n; total > MaxTotalVertices {
				errs = append(errs, fmt.Sprintf("the file holds more than %d vertices in all", MaxTotalVertices))
				break
			}
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("feature %d: %v", i+1, err))
			if len(errs) == maxErrors {
				errs = append(errs, "… more errors not shown")
				break
			}
			continue
		}
		seen[f.ID] = i + 1
		fences = append(fences, f)
	}
	if len(errs) > 0 {
		return nil, tracking.Errorf(tracking.CodeInvalid, "geofences refused, nothing loaded: %s", strings.Join(errs, "; "))
	}
	return fences, nil
}

// parseFeature checks one feature and returns it with its vertex count.
func parseFeature(raw json.RawMessage) (Fence, int, error) {
	gf, err := geojson.UnmarshalFeature(raw)
	if err != nil {
		return Fence{}, 0, fmt.Errorf("not a GeoJSON Feature: %v", err)
	}
	var f Fence
	if f.ID, err = featureID(gf); err != nil {
		return Fence{}, 0, err
	}
	if f.Name, err = cleanText("name", gf.Properties["name"], true); err != nil {
		return Fence{}, 0, fmt.Errorf("fence %q: %v", f.ID, err)
	}
	kind, _ := gf.Properties["kind"].(string)
	if f.Kind = parseKind(kind); f.Kind == "" {
		return Fence{}, 0, fmt.Errorf("fence %q: kind %q is not one of hospital, station, depot, other", f.ID, clip(kind))
	}
	if f.Agency, err = cleanText("agency", gf.Properties["agency"], false); err != nil {
		return Fence{}, 0, fmt.Errorf("fence %q: %v", f.ID, err)
	}
	if f.Agency != "" {
		if err := tracking.ValidateID("agency", f.Agency); err != nil {
			return Fence{}, 0, fmt.Errorf("fence %q: %v", f.ID, err)
		}
	}
	n, err := f.setGeometry(gf)
	if err != nil {
		return Fence{}, 0, fmt.Errorf("fence %q: %v", f.ID, err)
	}
	return f, n, nil
}

func (f *Fence) setGeometry(gf *geojson.Feature) (int, error) {
	switch g := gf.Geometry.(type) {
	case orb.Point:
		if err := checkPoint(g); err != nil {
			return 0, err
		}
		r, ok := gf.Properties["radius_m"].(float64)
		if !ok {
			return 0, errors.New(`a Point fence needs a "radius_m" property (metres, a number)`)
		}
		if !(r >= MinRadiusM && r <= MaxRadiusM) {
			return 0, fmt.Errorf("radius_m %g is outside %d..%d metres", r, MinRadiusM, MaxRadiusM)
		}
		f.Center, f.RadiusM, f.bound = g, r, circleBound(g, r)
		return 1, nil
	case orb.Polygon:
		f.Shape = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		f.Shape = g
	case nil:
		return 0, errors.New("no geometry")
	default:
		return 0, fmt.Errorf("geometry is a %s; a Polygon, MultiPolygon, or Point with radius_m is expected", g.GeoJSONType())
	}
	if len(f.Shape) == 0 {
		return 0, errors.New("the MultiPolygon is empty")
	}
	n := 0
	for _, poly := range f.Shape {
		if len(poly) == 0 {
			return 0, errors.New("a polygon has no rings")
		}
		for _, ring := range poly {
			if n += len(ring); n > MaxFenceVertices {
				return 0, fmt.Errorf("more than %d vertices", MaxFenceVertices)
			}
			if len(ring) < 4 {
				return 0, fmt.Errorf("a ring needs at least 4 positions, it has %d", len(ring))
			}
			if ring[0] != ring[len(ring)-1] {
				return 0, errors.New("a ring is not closed (its first and last positions differ)")
			}
			for _, p := range ring {
				if err := checkPoint(p); err != nil {
					return 0, err
				}
			}
		}
	}
	// OGC validity (rings simple, holes inside shells, polygons not
	// overlapping) from a library, not hand-written geometry.
	if err := sfgeom.MultiPolygon(f.Shape).Validate(); err != nil {
		return 0, fmt.Errorf("the polygon is not valid: %v", err)
	}
	f.bound = f.Shape.Bound()
	return n, nil
}

func checkPoint(p orb.Point) error {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
		return errors.New("a coordinate is not a finite number")
	}
	if !geo.ValidLatLon(p[1], p[0]) {
		return fmt.Errorf("position [%g, %g] is not [lon, lat] (latitude beyond ±90 or longitude beyond ±180): coordinates in [lat, lon] order?", p[0], p[1])
	}
	return nil
}

func featureID(gf *geojson.Feature) (string, error) {
	id := gf.ID
	if id == nil {
		id = gf.Properties["id"]
	}
	var s string
	switch v := id.(type) {
	case string:
		s = v
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1e15 {
			return "", fmt.Errorf("id %g is not a whole number", v)
		}
		s = fmt.Sprintf("%.0f", v)
	case nil:
		return "", errors.New(`no id (the feature's "id" or an "id" property)`)
	default:
		return "", fmt.Errorf("id is a %T, not a string or a number", v)
	}
	if err := tracking.ValidateID("fence id", s); err != nil {
		return "", errors.New(clip(err.Error()))
	}
	return s, nil
}

func parseKind(s string) Kind {
	for _, k := range Kinds {
		if string(k) == s {
			return k
		}
	}
	return ""
}

// cleanText accepts printable text without markup: a fence name ends up on
// the dispatcher's map, so '<', '>' and control characters are refused, not
// escaped somewhere later and forgotten elsewhere.
func cleanText(what string, v any, required bool) (string, error) {
	if v == nil && !required {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s is missing or not a string", what)
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		return "", fmt.Errorf("%s is empty", what)
	case !utf8.ValidString(s):
		return "", fmt.Errorf("%s is not valid UTF-8", what)
	case utf8.RuneCountInString(s) > MaxNameLen:
		return "", fmt.Errorf("%s is longer than %d characters", what, MaxNameLen)
	case strings.ContainsAny(s, "<>"):
		return "", fmt.Errorf("%s %q holds markup ('<' or '>')", what, clip(s))
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return "", fmt.Errorf("%s holds a control character", what)
		}
		if tracking.IsBidiControl(r) {
			return "", fmt.Errorf("%s holds a bidirectional control character (U+%04X)", what, r)
		}
	}
	return s, nil
}

// clip shortens hostile strings before they are echoed in an error.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}
