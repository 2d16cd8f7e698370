package mapdata

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"siaga112/geo"
	"siaga112/mapdata/mapdatatest"
)

func officialDistricts(t testing.TB) []geo.District {
	t.Helper()
	f, err := os.Open(mapdatatest.File(t, "kelurahan.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := LoadBoundaries(f, Serang(), BoundaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// truth is the brute-force answer: the polygon that contains p (or -1) and
// p's distance in metres to the nearest kelurahan border.
func truth(ds []geo.District, p orb.Point) (int, float64) {
	in, border := -1, math.Inf(1)
	for i, d := range ds {
		if planar.MultiPolygonContains(d.Shape, p) {
			in = i
		}
		if b := d.Shape.Bound().Pad(0.01); b.Contains(p) {
			border = math.Min(border, geo.DistanceToBoundary(p, d.Shape))
		}
	}
	return in, border
}

// samplePoints are uniform over a box 3 km wider than the city on each side.
func samplePoints(n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 1))
	box := orb.Bound{Min: orb.Point{106.05, -6.24}, Max: orb.Point{106.29, -5.98}}
	ps := make([]orb.Point, n)
	for i := range ps {
		ps[i] = orb.Point{box.Min[0] + rng.Float64()*(box.Max[0]-box.Min[0]), box.Min[1] + rng.Float64()*(box.Max[1]-box.Min[1])}
	}
	return ps
}

func TestLocateExact(t *testing.T) {
	ds := officialDistricts(t)
	ix := geo.NewExactIndex(ds)
	// Every kelurahan's inside point resolves to its own code.
	for _, k := range Serang().Kelurahan {
		loc, err := ix.Locate(k.Point)
		if err != nil || loc.Kelurahan.Code != k.Code || loc.Kecamatan.Code != k.KecamatanCode || loc.Approximate {
			t.Errorf("%s %s: got %+v, %v", k.Code, k.Name, loc, err)
		}
	}
	// Every point at least 40 m from a border: right kelurahan and
	// kecamatan inside, refused outside.
	checked := 0
	for _, p := range samplePoints(6000, 1) {
		want, border := truth(ds, p)
		if border < 40 {
			continue
		}
		checked++
		loc, err := ix.Locate(p)
		if want < 0 {
			if !errors.Is(err, geo.ErrOutside) {
				t.Fatalf("%v is outside the city but located in %+v", p, loc)
			}
			continue
		}
		if err != nil || loc.Kelurahan != ds[want].Kelurahan || loc.Kecamatan != ds[want].Kecamatan {
			t.Fatalf("%v: got %+v, %v; want %s", p, loc, err, ds[want].Kelurahan.Name)
		}
	}
	if checked < 5000 {
		t.Fatalf("only %d points checked", checked)
	}
}

func TestLocateOutsideAndBorders(t *testing.T) {
	ds := officialDistricts(t)
	ix := geo.NewExactIndex(ds)
	approx := geo.NewApproxIndex(Serang().Districts())
	for _, tt := range []struct {
		name string
		p    orb.Point
	}{
		{"Jakarta", orb.Point{106.8456, -6.2088}},
		{"Kabupaten Serang, Ciruas", orb.Point{106.2600, -6.1200}},
		{"Java Sea, north of Kasemen", orb.Point{106.20, -5.90}},
		{"Cilegon", orb.Point{106.0500, -6.0000}},
		{"null island", orb.Point{0, 0}},
		{"beyond the poles", orb.Point{106.1, -95}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for mode, ix := range map[string]*geo.DistrictIndex{"exact": ix, "approximate": approx} {
				if loc, err := ix.Locate(tt.p); !errors.Is(err, geo.ErrOutside) {
					t.Errorf("%s: %v located in %+v", mode, tt.p, loc)
				}
			}
		})
	}
	// Pairs of points 50 m either side of a border between two kecamatan:
	// each resolves to its own side.
	pairs := 0
	for _, p := range samplePoints(4000, 2) {
		a, border := truth(ds, p)
		if a < 0 || border > 400 {
			continue
		}
		// Walk away from p in 8 directions to find the other side.
		for k := range 8 {
			q := geo.Destination(p, float64(k)*45, 2*border+100)
			b, bq := truth(ds, q)
			if b < 0 || ds[b].Kecamatan == ds[a].Kecamatan || bq < 40 {
				continue
			}
			la, _ := ix.Locate(p)
			lb, _ := ix.Locate(q)
			if la.Kecamatan != ds[a].Kecamatan || lb.Kecamatan != ds[b].Kecamatan {
				t.Fatalf("across a border: %v → %+v (want %s), %v → %+v (want %s)", p, la, ds[a].Kecamatan.Name, q, lb, ds[b].Kecamatan.Name)
			}
			pairs++
			break
		}
	}
	if pairs < 20 {
		t.Fatalf("only %d border pairs found", pairs)
	}
}

// The approximate locator's accuracy against the official boundaries.
func TestLocateApproximate(t *testing.T) {
	ds := officialDistricts(t)
	approx := geo.NewApproxIndex(Serang().Districts())
	for _, k := range Serang().Kelurahan {
		loc, err := approx.Locate(k.Point)
		if err != nil || loc.Kelurahan.Code != k.Code || !loc.Approximate {
			t.Errorf("%s %s: got %+v, %v", k.Code, k.Name, loc, err)
		}
	}
	var inside, kecOK, kelOK, refused, outside, accepted int
	for _, p := range samplePoints(20000, 3) {
		want, _ := truth(ds, p)
		loc, err := approx.Locate(p)
		if want < 0 {
			outside++
			if err == nil {
				accepted++
			}
			continue
		}
		inside++
		switch {
		case err != nil:
			refused++
		default:
			if loc.Kecamatan == ds[want].Kecamatan {
				kecOK++
			}
			if loc.Kelurahan == ds[want].Kelurahan {
				kelOK++
			}
		}
	}
	pct := func(n, of int) float64 { return 100 * float64(n) / float64(of) }
	t.Logf("approximate mode over %d inside points: kecamatan right %.1f%%, kelurahan right %.1f%%, refused %.1f%%; "+
		"%d outside points within 3 km: %.1f%% wrongly accepted",
		inside, pct(kecOK, inside), pct(kelOK, inside), pct(refused, inside), outside, pct(accepted, outside))
	if pct(kecOK, inside) < 90 {
		t.Fatalf("kecamatan right for %.1f%% of inside points; want at least 90%%", pct(kecOK, inside))
	}
}

func BenchmarkLocate(b *testing.B) {
	ds := officialDistricts(b)
	ps := samplePoints(1024, 4)
	for _, bm := range []struct {
		name string
		ix   *geo.DistrictIndex
	}{
		{"exact", geo.NewExactIndex(ds)},
		{"approximate", geo.NewApproxIndex(Serang().Districts())},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := range b.N {
				bm.ix.Locate(ps[i%len(ps)])
			}
		})
	}
}

// gapPoint is inside the largest gap of BIG's layer as published (4,117 m²,
// 1.2 km long and at most ~5 m wide, between Warung Jaud and Kilasah in
// Kasemen): the point of it farthest from any kelurahan, 2.7 m from Warung
// Jaud, found by shapely on the source layer. The cleaning gave the gap to
// Kilasah, which shares the longer border with it.
var gapPoint = orb.Point{106.1829954, -6.0740193}

// A point in no polygon is answered approximate, with its distance to the
// polygon it was given; a point inside one is exact.
func TestLocateBetweenPolygons(t *testing.T) {
	f, err := os.Open("serang/source/kelurahan.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	source, err := LoadBoundaries(f, Serang(), BoundaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	served := geo.NewExactIndex(SerangDistricts())
	// 10 m west of the westernmost corner of the city: every polygon lies
	// east of that corner, so the nearest is exactly 10 m away.
	d, err := Dissolve(SerangDistricts())
	if err != nil {
		t.Fatal(err)
	}
	west := d.City[0][0][0]
	for _, poly := range d.City {
		for _, p := range poly[0] {
			if p[0] < west[0] {
				west = p
			}
		}
	}
	for _, tt := range []struct {
		name      string
		ix        *geo.DistrictIndex
		p         orb.Point
		kelurahan string
		distanceM float64 // -1: exact, no distance
		tolM      float64
	}{
		{"source layer, in its largest gap", geo.NewExactIndex(source), gapPoint, "36.73.02.1004", 2.7, 0.1},
		{"served layer, the same point (the gap went to Kilasah)", served, gapPoint, "36.73.02.1009", -1, 0},
		{"served layer, 10 m outside the city", served, geo.Destination(west, 270, 10), "", 10, 0.1},
		{"served layer, Kaligandu's inside point", served, orb.Point{106.175932, -6.101462}, "36.73.01.1010", -1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := tt.ix.Locate(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if tt.kelurahan != "" && loc.Kelurahan.Code != tt.kelurahan {
				t.Errorf("kelurahan %+v, want %s", loc.Kelurahan, tt.kelurahan)
			}
			if tt.distanceM < 0 {
				if loc.Approximate || loc.DistanceM != nil {
					t.Fatalf("a point inside a polygon: %+v", loc)
				}
				return
			}
			if !loc.Approximate || loc.DistanceM == nil || math.Abs(*loc.DistanceM-tt.distanceM) > tt.tolM {
				t.Fatalf("a point in no polygon: approximate %v, distance %v; want approximate, %.1f m", loc.Approximate, loc.DistanceM, tt.distanceM)
			}
		})
	}
	// Beyond the snap distance, it is outside.
	if loc, err := served.Locate(geo.Destination(west, 270, 2*geo.DefaultSnapM)); !errors.Is(err, geo.ErrOutside) {
		t.Fatalf("%d m outside the city: %+v, %v", 2*geo.DefaultSnapM, loc, err)
	}
}
