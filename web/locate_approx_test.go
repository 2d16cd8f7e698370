package web

import (
	"encoding/json"
	"math"
	"net/http/httptest"
	"testing"

	"siaga112/geo"
)

// GET /api/locate says when a point lies in no polygon: approximate, with
// its distance to the polygon it chose. The point is inside the largest gap
// of BIG's layer as published (mapdata's gapPoint): 2.7 m from Warung Jaud
// there, inside Kilasah in the served layer.
func TestLocateBetweenPolygonsServer(t *testing.T) {
	const gap = "lat=-6.0740193&lon=106.1829954"
	for _, tt := range []struct {
		name      string
		ts        *httptest.Server
		query     string
		kelurahan string
		distanceM float64 // -1: exact
	}{
		{"the source layer, in its largest gap", exactServer(t), gap, "36.73.02.1004", 2.7},
		{"the served layer, the same point", defaultServer(t), gap, "36.73.02.1009", -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := do(t, "GET", tt.ts.URL+"/api/locate?"+tt.query, "")
			var loc struct {
				Kelurahan   geo.Place `json:"kelurahan"`
				Approximate bool      `json:"approximate"`
				DistanceM   *float64  `json:"distance_m"`
			}
			if status != 200 || json.Unmarshal(body, &loc) != nil || loc.Kelurahan.Code != tt.kelurahan {
				t.Fatalf("%d %s; want %s", status, body, tt.kelurahan)
			}
			if tt.distanceM < 0 {
				if loc.Approximate || loc.DistanceM != nil {
					t.Fatalf("inside a polygon: %s", body)
				}
				return
			}
			if !loc.Approximate || loc.DistanceM == nil || math.Abs(*loc.DistanceM-tt.distanceM) > 0.1 {
				t.Fatalf("in no polygon: %s; want approximate, distance_m %.1f", body, tt.distanceM)
			}
		})
	}
}
