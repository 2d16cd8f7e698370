package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"siaga112/tracking"
)

// wantsGeoJSON: ?format=geojson, or an Accept header naming
// application/geo+json (content negotiation for GIS clients).
func wantsGeoJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "geojson"
	}
	return acceptsGeoJSON(r)
}

func acceptsGeoJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/geo+json")
}

// checkFormat refuses a ?format= other than json or geojson.
func checkFormat(r *http.Request) error {
	switch f := r.URL.Query().Get("format"); f {
	case "", "json", "geojson":
		return nil
	default:
		return tracking.Errorf(tracking.CodeInvalid, "format must be \"json\" or \"geojson\", not %q", f)
	}
}

// incidentFeature is an incident as a GeoJSON Point feature; its
// properties are the incident's JSON members (lat and lon are in the
// geometry, so they leave the properties).
func incidentFeature(v incidentView) (*geojson.Feature, error) {
	f := geojson.NewFeature(orb.Point{v.Lon, v.Lat})
	f.ID = v.ID
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode incident %s: %w", v.ID, err)
	}
	if err := json.Unmarshal(b, &f.Properties); err != nil {
		return nil, fmt.Errorf("encode incident %s: %w", v.ID, err)
	}
	delete(f.Properties, "lat")
	delete(f.Properties, "lon")
	return f, nil
}

func incidentCollection(vs []incidentView) (*geojson.FeatureCollection, error) {
	fc := geojson.NewFeatureCollection()
	for _, v := range vs {
		f, err := incidentFeature(v)
		if err != nil {
			return nil, err
		}
		fc.Append(f)
	}
	return fc, nil
}
