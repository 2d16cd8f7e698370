package coverage

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	sf "github.com/peterstace/simplefeatures/geom"

	"siaga112/geo/sfgeom"
)

const km = 0.009 // degrees, ~1 km near the equator

func box(x0, y0, x1, y1 float64) orb.MultiPolygon {
	x, y := 106.1, -6.1
	return orb.MultiPolygon{{{{x + x0*km, y + y0*km}, {x + x1*km, y + y0*km}, {x + x1*km, y + y1*km}, {x + x0*km, y + y1*km}, {x + x0*km, y + y0*km}}}}
}

func byCode(as []Area) map[string]orb.MultiPolygon {
	m := map[string]orb.MultiPolygon{}
	for _, a := range as {
		m[a.Code] = a.Shape
	}
	return m
}

var opts = Options{HoleM2: 10_000, FragmentM2: 10_000}

func TestClean(t *testing.T) {
	tests := []struct {
		name string
		in   []Area
		// want: the area of each code after cleaning (km²), to 0.1%.
		want    map[string]float64
		wantErr bool
	}{
		{
			// B reaches 10 m into A: the larger A keeps the strip.
			name: "an overlap goes to the larger side",
			in:   []Area{{"A", box(0, 0, 1, 1)}, {"B", box(0.99, 0, 1.5, 1)}},
			want: map[string]float64{"A": 1, "B": 0.5},
		},
		{
			// A 5 m gap between A (1 km of border) and B and E (0.5 km
			// each), closed by C above and D below: A takes it.
			name: "a gap goes to the longest border",
			in: []Area{
				{"A", box(0, 0, 1, 1)}, {"B", box(1.005, 0, 2, 0.5)}, {"E", box(1.005, 0.5, 2, 1)},
				{"C", box(0, 1, 2, 1.5)}, {"D", box(0, -0.5, 2, 0)},
			},
			want: map[string]float64{"A": 1.005, "B": 0.4975, "E": 0.4975, "C": 1, "D": 1},
		},
		{
			// B reaches 1 m into A, and C over both there: three layers.
			name: "a three-way overlap",
			in:   []Area{{"A", box(0, 0, 2, 2)}, {"B", box(1.999, 0, 3, 2)}, {"C", box(1.998, 1, 2.5, 2.5)}},
			want: map[string]float64{"A": 4, "B": 2, "C": 0.251},
		},
		{
			name:    "an area wholly under larger ones is refused",
			in:      []Area{{"A", box(0, 0, 2, 2)}, {"B", box(2, 0, 3, 2)}, {"C", box(1.5, 1, 2.5, 1.5)}},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Clean(tt.in, opts)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("cleaned: %v", byCode(out))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pl := PlaneFor(tt.in)
			outline, err := Outline(sfs(tt.in), pl, opts.HoleM2)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(out, outline, pl); err != nil {
				t.Fatal(err)
			}
			for code, mp := range byCode(out) {
				got := planar.Area(mp) * pl.kx * pl.ky / 1e6
				if want := tt.want[code] * areaKm2(pl); math.Abs(got-want) > 0.001*want {
					t.Errorf("%s: %.5f km², want %.5f", code, got, want)
				}
			}
		})
	}
}

func sfOf(mp orb.MultiPolygon) sf.Geometry { return sfgeom.MultiPolygon(mp) }

func sfs(as []Area) []sf.Geometry {
	gs := make([]sf.Geometry, len(as))
	for i, a := range as {
		gs[i] = sfOf(a.Shape)
	}
	return gs
}

// areaKm2 is the area in km² of one box(0, 0, 1, 1) on the plane.
func areaKm2(pl Plane) float64 { return km * km * pl.kx * pl.ky / 1e6 }

func TestDespike(t *testing.T) {
	pl := PlaneFor([]Area{{Shape: box(0, 0, 1, 1)}})
	sq := box(0, 0, 1, 1)[0][0]
	// A 300 m spike out of the top edge, its base 5 mm wide.
	mid := orb.Point{(sq[2][0] + sq[3][0]) / 2, sq[2][1]}
	spiked := orb.Ring{sq[0], sq[1], sq[2], mid, {mid[0], mid[1] + 0.3*km}, {mid[0] + 0.0000000449, mid[1]}, sq[3], sq[0]}
	for _, tt := range []struct {
		name   string
		ring   orb.Ring
		spikes int
		want   int // positions left
	}{
		{"a square stays", sq, 0, 5},
		{"a spike goes", spiked, 1, 6},
		{"a repeated position goes", orb.Ring{sq[0], sq[1], sq[1], sq[2], sq[3], sq[0]}, 0, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, n := Despike(orb.MultiPolygon{{tt.ring}}, 0.01, pl)
			if n != tt.spikes || len(got) != 1 || len(got[0][0]) != tt.want {
				t.Fatalf("%d spikes, %v; want %d spikes and %d positions", n, got, tt.spikes, tt.want)
			}
			if got[0][0][0] != got[0][0][len(got[0][0])-1] {
				t.Fatal("the ring is no longer closed")
			}
		})
	}
}

func TestCheckRefuses(t *testing.T) {
	pl := PlaneFor([]Area{{Shape: box(0, 0, 2, 1)}})
	outline := sfOf(box(0, 0, 2, 1))
	for _, tt := range []struct {
		name  string
		areas []Area
		ok    bool
	}{
		{"a tiling", []Area{{"A", box(0, 0, 1, 1)}, {"B", box(1, 0, 2, 1)}}, true},
		{"an overlap", []Area{{"A", box(0, 0, 1.01, 1)}, {"B", box(1, 0, 2, 1)}}, false},
		{"a gap", []Area{{"A", box(0, 0, 0.99, 1)}, {"B", box(1, 0, 2, 1)}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := Check(tt.areas, outline, pl); (err == nil) != tt.ok {
				t.Fatalf("Check: %v", err)
			}
		})
	}
}

func TestHausdorff(t *testing.T) {
	pl := PlaneFor([]Area{{Shape: box(0, 0, 1, 1)}})
	// Moving one side out by 20 m moves the boundary by 20 m at most.
	got := Hausdorff(box(0, 0, 1, 1), box(0, 0, 1.02, 1), pl)
	if want := 0.02 * km * pl.kx; math.Abs(got-want) > 0.01 {
		t.Fatalf("%.3f m, want %.3f", got, want)
	}
}
