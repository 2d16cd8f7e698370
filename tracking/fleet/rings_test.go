package fleet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
)

// astride is a point within ~10 km of the antimeridian, either side.
func astride(rng *rand.Rand, _ int) orb.Point {
	lon := 179.9 + rng.Float64()*0.2
	if lon > 180 {
		lon -= 360
	}
	return orb.Point{lon, -16 + rng.Float64()}
}

// scanOrder is the brute-force answer: every matching unit's squared chord
// from p, ascending.
func scanOrder(ix *Index, p orb.Point, f Filter) []float64 {
	m := f.compile()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	now := ix.cfg.Now()
	pv := geo.ToVector(p)
	var out []float64
	for _, e := range ix.units {
		if e.unit.HasPosition() && ix.matches(m, e, now) {
			out = append(out, geo.ChordSqMetres(geo.ChordSq(pv, e.vec)))
		}
	}
	slices.Sort(out)
	return out
}

// The growing rings and the best-first walk behind them pass every unit
// once, nearest first, wherever the fleet and the query are: a city fleet,
// one bunched at a depot, one astride the antimeridian and one near a pole
// (where the rings hand over at once), queries inside, far outside and on
// a unit, every filter.
func TestNearestOrderMatchesScan(t *testing.T) {
	type place func(rng *rand.Rand, i int) orb.Point
	fleets := []struct {
		name  string
		at    place
		query place
	}{
		{"city", func(rng *rand.Rand, _ int) orb.Point { return orb.Point{randomLon(rng), randomLat(rng)} },
			func(rng *rand.Rand, _ int) orb.Point {
				return orb.Point{105.95 + rng.Float64()*0.4, -6.35 + rng.Float64()*0.45}
			}},
		{"bunched at a depot, a few far", func(rng *rand.Rand, i int) orb.Point {
			if i%50 == 0 {
				return orb.Point{106 + rng.Float64()*2, -7 + rng.Float64()*2}
			}
			return orb.Point{106.15 + rng.Float64()*1e-4, -6.12 + rng.Float64()*1e-4}
		}, func(rng *rand.Rand, i int) orb.Point {
			if i%3 == 0 {
				return orb.Point{106.15, -6.12}
			}
			return orb.Point{100 + rng.Float64()*20, -10 + rng.Float64()*10}
		}},
		{"antimeridian", astride, astride},
		{"near the pole", func(rng *rand.Rand, _ int) orb.Point {
			return orb.Point{rng.Float64()*360 - 180, 89.5 + rng.Float64()*0.49}
		},
			func(rng *rand.Rand, _ int) orb.Point {
				return orb.Point{rng.Float64()*360 - 180, 89 + rng.Float64()*0.99}
			}},
	}
	filters := []Filter{
		{},
		{Types: []tracking.UnitType{tracking.Ambulance}, Statuses: []tracking.Status{tracking.Available}, Liveness: []tracking.Liveness{tracking.Live}},
		{Types: []tracking.UnitType{tracking.Rescue}, Statuses: []tracking.Status{tracking.EnRoute}},
	}
	for _, fl := range fleets {
		t.Run(fl.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			clk := newClock()
			ix := New(Config{Now: clk.Now})
			for i := range 600 {
				id := fmt.Sprintf("U%05d", i)
				mustRegister(t, ix, id, tracking.UnitTypes[i%len(tracking.UnitTypes)])
				p := fl.at(rng, i)
				if _, err := ix.ApplyFix(id, fixAt(p[0], p[1], clk.Now())); err != nil {
					t.Fatal(err)
				}
				if i%3 == 1 {
					ix.SetStatus(id, tracking.EnRoute, clk.Now())
				}
			}
			for i, f := range filters {
				for q := range 60 {
					p := fl.query(rng, q)
					if q == 7 {
						u, _ := ix.Get("U00042")
						p = orb.Point{u.Position.Lon, u.Position.Lat}
					}
					want := scanOrder(ix, p, f)
					var got []float64
					for _, d := range ix.Nearest(p, f) {
						got = append(got, d)
					}
					if len(got) != len(want) {
						t.Fatalf("filter %d, query %v: %d units, want %d", i, p, len(got), len(want))
					}
					for k := range got {
						if math.Abs(got[k]-want[k]) > 1e-6 {
							t.Fatalf("filter %d, query %v, rank %d: %.6f m, want %.6f m", i, p, k+1, got[k], want[k])
						}
					}
				}
			}
		})
	}
}
