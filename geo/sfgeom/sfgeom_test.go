package sfgeom

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestMultiPolygon(t *testing.T) {
	square := orb.Ring{{106.1, -6.1}, {106.2, -6.1}, {106.2, -6.2}, {106.1, -6.2}, {106.1, -6.1}}
	bowtie := orb.Ring{{106.1, -6.1}, {106.2, -6.2}, {106.2, -6.1}, {106.1, -6.2}, {106.1, -6.1}}
	tests := []struct {
		name  string
		mp    orb.MultiPolygon
		valid bool
	}{
		{"a square", orb.MultiPolygon{{square}}, true},
		{"a self-crossing ring", orb.MultiPolygon{{bowtie}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := MultiPolygon(tt.mp)
			if err := g.Validate(); (err == nil) != tt.valid {
				t.Fatalf("Validate() = %v, want valid %v", err, tt.valid)
			}
			if n := g.MustAsMultiPolygon().NumPolygons(); n != len(tt.mp) {
				t.Fatalf("%d polygons, want %d", n, len(tt.mp))
			}
		})
	}
}
