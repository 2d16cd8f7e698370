package geofence

import (
	"encoding/json"
	"testing"
)

// A fence rendered as a feature parses back to the same fence (the API
// answers and the database keep this form).
func TestFeatureRoundTrip(t *testing.T) {
	in := []byte(`{"type":"FeatureCollection","features":[
	 {"type":"Feature","id":"c","properties":{"name":"Circle","kind":"hospital","radius_m":75},"geometry":{"type":"Point","coordinates":[106.15,-6.12]}},
	 {"type":"Feature","id":"p","properties":{"name":"Poly","kind":"station","agency":"dinkes"},"geometry":{"type":"Polygon","coordinates":[[[106.1,-6.1],[106.2,-6.1],[106.2,-6.2],[106.1,-6.1]]]}},
	 {"type":"Feature","id":"m","properties":{"name":"Multi","kind":"depot"},"geometry":{"type":"MultiPolygon","coordinates":[[[[106.1,-6.1],[106.2,-6.1],[106.2,-6.2],[106.1,-6.1]]],[[[106.3,-6.1],[106.4,-6.1],[106.4,-6.2],[106.3,-6.1]]]]}}]}`)
	fs, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Run(f.ID, func(t *testing.T) {
			b, _ := json.Marshal(f.Feature())
			back, err := Parse([]byte(`{"type":"FeatureCollection","features":[` + string(b) + `]}`))
			if err != nil || len(back) != 1 {
				t.Fatalf("%s: %v", b, err)
			}
			g := back[0]
			if g.ID != f.ID || g.Name != f.Name || g.Kind != f.Kind || g.Agency != f.Agency || g.RadiusM != f.RadiusM || g.Center != f.Center || len(g.Shape) != len(f.Shape) {
				t.Fatalf("round trip %+v, want %+v", g, f)
			}
		})
	}
}
