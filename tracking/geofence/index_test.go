package geofence

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"siaga112/geo"
)

// cityFences are n fences over Kota Serang: every third a circle of 50–300
// m, the others squares (some with a hole) of 100–600 m.
func cityFences(n int, seed uint64) []Fence {
	rng := rand.New(rand.NewPCG(seed, 2))
	fs := make([]Fence, 0, n)
	for i := range n {
		c := orb.Point{106.08 + rng.Float64()*0.18, -6.22 + rng.Float64()*0.2}
		f := Fence{ID: fmt.Sprintf("f%03d", i), Name: "F", Kind: Kinds[i%len(Kinds)]}
		if i%3 == 0 {
			f.Center, f.RadiusM = c, 50+rng.Float64()*250
			f.bound = circleBound(c, f.RadiusM)
		} else {
			h := (0.0009 + rng.Float64()*0.0045) / 2
			poly := orb.Polygon{{{c[0] - h, c[1] - h}, {c[0] + h, c[1] - h}, {c[0] + h, c[1] + h}, {c[0] - h, c[1] + h}, {c[0] - h, c[1] - h}}}
			if i%5 == 0 {
				q := h / 3
				poly = append(poly, orb.Ring{{c[0] - q, c[1] - q}, {c[0] - q, c[1] + q}, {c[0] + q, c[1] + q}, {c[0] + q, c[1] - q}, {c[0] - q, c[1] - q}})
			}
			f.Shape = orb.MultiPolygon{poly}
			f.bound = f.Shape.Bound()
		}
		fs = append(fs, f)
	}
	return fs
}

func ids(fs []*Fence) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	slices.Sort(out)
	return out
}

// The index answers what testing every fence answers.
func TestContainingMatchesBruteForce(t *testing.T) {
	fs := cityFences(200, 1)
	ix := NewIndex(fs)
	rng := rand.New(rand.NewPCG(3, 4))
	hits := 0
	for range 20000 {
		p := orb.Point{106.07 + rng.Float64()*0.2, -6.23 + rng.Float64()*0.22}
		var want []string
		for i := range fs {
			if fs[i].Contains(p) {
				want = append(want, fs[i].ID)
			}
		}
		slices.Sort(want)
		got := ids(ix.Containing(nil, p))
		if !slices.Equal(got, want) {
			t.Fatalf("%v: index says %v, brute force %v", p, got, want)
		}
		hits += len(got)
	}
	if hits == 0 {
		t.Fatal("no random point fell in any fence: the test proves nothing")
	}
}

// A circle's edge is great-circle metres, and its bounding box holds it.
func TestCircleEdge(t *testing.T) {
	c := orb.Point{106.15, -6.12}
	ix := NewIndex([]Fence{{ID: "c", Name: "C", Kind: Station, Center: c, RadiusM: 100, bound: circleBound(c, 100)}})
	tests := []struct {
		name    string
		bearing float64
		m       float64
		in      bool
	}{
		{"north inside", 0, 99.5, true},
		{"north outside", 0, 100.5, false},
		{"east inside", 90, 99.5, true},
		{"east outside", 90, 100.5, false},
		{"south-west inside", 225, 99.5, true},
	}
	for _, tt := range tests {
		p := geo.Destination(c, tt.bearing, tt.m)
		if got := len(ix.Containing(nil, p)) == 1; got != tt.in {
			t.Errorf("%s: contained %v, want %v", tt.name, got, tt.in)
		}
	}
}

func TestOutsideM(t *testing.T) {
	sq := orb.MultiPolygon{{{{106.15, -6.12}, {106.16, -6.12}, {106.16, -6.11}, {106.15, -6.11}, {106.15, -6.12}}}}
	f := Fence{ID: "s", Shape: sq, bound: sq.Bound()}
	tests := []struct {
		name string
		p    orb.Point
		want float64
	}{
		{"inside", orb.Point{106.155, -6.115}, 0},
		{"50 m east", geo.Destination(orb.Point{106.16, -6.115}, 90, 50), 50},
		{"200 m south", geo.Destination(orb.Point{106.155, -6.12}, 180, 200), 200},
	}
	for _, tt := range tests {
		if got := f.OutsideM(tt.p); got < tt.want-0.5 || got > tt.want+0.5 {
			t.Errorf("%s: %g m, want %g", tt.name, got, tt.want)
		}
	}
}

func BenchmarkContaining200(b *testing.B) {
	ix := NewIndex(cityFences(200, 1))
	rng := rand.New(rand.NewPCG(5, 6))
	ps := make([]orb.Point, 1024)
	for i := range ps {
		ps[i] = orb.Point{106.08 + rng.Float64()*0.18, -6.22 + rng.Float64()*0.2}
	}
	var buf []*Fence
	i := 0
	for b.Loop() {
		buf = ix.Containing(buf[:0], ps[i%len(ps)])
		i++
	}
}
