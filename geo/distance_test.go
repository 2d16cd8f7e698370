package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		name string
		a, b orb.Point
		want float64 // metres
		tol  float64
	}{
		{"same point", orb.Point{106.15, -6.12}, orb.Point{106.15, -6.12}, 0, 1e-9},
		// One degree of latitude on a sphere of radius 6378137 m.
		{"one degree north", orb.Point{106.15, -6.5}, orb.Point{106.15, -5.5}, 6378137 * math.Pi / 180, 1e-6},
		// Alun-alun Serang to Serang railway station, about 1.5 km.
		{"across the city centre", orb.Point{106.1529, -6.1180}, orb.Point{106.1604, -6.1065}, 1521, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Distance(tt.a, tt.b); math.Abs(got-tt.want) > tt.tol {
				t.Fatalf("Distance = %.3f m, want %.3f ± %.3f", got, tt.want, tt.tol)
			}
		})
	}
}

func randomBound(rng *rand.Rand) orb.Bound {
	lon, lat := 100+rng.Float64()*20, -10+rng.Float64()*10
	w, h := rng.Float64()*0.3, rng.Float64()*0.3
	return orb.Bound{Min: orb.Point{lon, lat}, Max: orb.Point{lon + w, lat + h}}
}

// The bounds must never exceed the true distance to any point of the box, or
// a nearest search would skip the right answer.
func TestBoundsAreLowerBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200_000 {
		b := randomBound(rng)
		p := orb.Point{b.Min[0] - 1 + rng.Float64()*2.5, b.Min[1] - 1 + rng.Float64()*2.5}
		q := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		cosLat := math.Cos(p[1] * math.Pi / 180)
		if lb, c2 := BoundChordSq(p, cosLat, b), ChordSq(ToVector(p), ToVector(q)); lb > c2 {
			t.Fatalf("case %d: BoundChordSq %v > ChordSq %v (p %v, q %v, b %v)", i, lb, c2, p, q, b)
		}
	}
}

// The bound is useful, not just safe: close to the real distance for a box
// due east or due north.
func TestBoundsAreTight(t *testing.T) {
	b := orb.Bound{Min: orb.Point{106.2, -6.2}, Max: orb.Point{106.3, -6.1}}
	tests := []struct {
		name string
		p, q orb.Point // q: the box's nearest point to p
	}{
		{"west of the box", orb.Point{106.1, -6.15}, orb.Point{106.2, -6.15}},
		{"south of the box", orb.Point{106.25, -6.3}, orb.Point{106.25, -6.2}},
		{"inside", orb.Point{106.25, -6.15}, orb.Point{106.25, -6.15}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Distance(tt.p, tt.q)
			cosLat := math.Cos(tt.p[1] * math.Pi / 180)
			if lb := ChordSqMetres(BoundChordSq(tt.p, cosLat, b)); d-lb > 1 {
				t.Fatalf("BoundChordSq is %v m, real %v", lb, d)
			}
		})
	}
}

func TestChordAgreesWithDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10_000 {
		a := orb.Point{106 + rng.Float64()*0.3, -6.3 + rng.Float64()*0.3}
		b := orb.Point{106 + rng.Float64()*0.3, -6.3 + rng.Float64()*0.3}
		if d, c := Distance(a, b), ChordSqMetres(ChordSq(ToVector(a), ToVector(b))); math.Abs(d-c) > 1e-6 {
			t.Fatalf("Distance %v, chord %v for %v %v", d, c, a, b)
		}
	}
}

func BenchmarkDistance(b *testing.B) {
	p, q := orb.Point{106.1529, -6.1180}, orb.Point{106.1604, -6.1065}
	for range b.N {
		Distance(p, q)
	}
}
