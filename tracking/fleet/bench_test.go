package fleet

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/tracking"
)

// The benchmark fleet: 10,000 units across the 5 types, ~30% available.
const benchUnits = 10_000

var benchFilter = Filter{
	Types:    []tracking.UnitType{tracking.Ambulance},
	Statuses: []tracking.Status{tracking.Available},
	Liveness: []tracking.Liveness{tracking.Live},
}

func benchQueries(n int) []orb.Point {
	rng := rand.New(rand.NewPCG(7, 8))
	ps := make([]orb.Point, n)
	for i := range ps {
		ps[i] = orb.Point{randomLon(rng), randomLat(rng)}
	}
	return ps
}

func BenchmarkUpdate(b *testing.B) {
	clk := newClock()
	ix := randomFleet(b, benchUnits, 0.3, rand.New(rand.NewPCG(1, 1)), clk)
	rng := rand.New(rand.NewPCG(2, 2))
	ids := make([]string, benchUnits)
	for i := range ids {
		ids[i] = fmt.Sprintf("U%05d", i)
	}
	fixes := make([]tracking.Position, 4096)
	for i := range fixes {
		fixes[i] = fixAt(randomLon(rng), randomLat(rng), time.Time{})
	}
	t0 := clk.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		f := fixes[i%len(fixes)]
		f.At = t0.Add(time.Duration(i+1) * time.Microsecond)
		if _, err := ix.ApplyFix(ids[i%benchUnits], f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNearestAvailable(b *testing.B) {
	ix := randomFleet(b, benchUnits, 0.3, rand.New(rand.NewPCG(1, 1)), newClock())
	qs := benchQueries(1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		for u := range ix.Nearest(qs[i%len(qs)], benchFilter) {
			_ = u
			break
		}
	}
}

// BenchmarkNearestTen takes ten, as a recommendation of five reads: the
// nearest query's path.
func BenchmarkNearestTen(b *testing.B) {
	ix := randomFleet(b, benchUnits, 0.3, rand.New(rand.NewPCG(1, 1)), newClock())
	qs := benchQueries(1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		n := 0
		for range ix.Nearest(qs[i%len(qs)], benchFilter) {
			if n++; n == 10 {
				break
			}
		}
	}
}

func BenchmarkNearestAvailableScan(b *testing.B) {
	ix := randomFleet(b, benchUnits, 0.3, rand.New(rand.NewPCG(1, 1)), newClock())
	qs := benchQueries(1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		scanNearest(ix, qs[i%len(qs)], benchFilter)
	}
}

// BenchmarkNearestAnyFilter is the general path: the all-units tree with a
// filter (here: nearest busy unit of two types).
func BenchmarkNearestAnyFilter(b *testing.B) {
	ix := randomFleet(b, benchUnits, 0.3, rand.New(rand.NewPCG(1, 1)), newClock())
	qs := benchQueries(1024)
	f := Filter{Types: []tracking.UnitType{tracking.Ambulance, tracking.Rescue}, Statuses: []tracking.Status{tracking.EnRoute}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		for u := range ix.Nearest(qs[i%len(qs)], f) {
			_ = u
			break
		}
	}
}

// BenchmarkMemoryPerUnit reports the heap the index holds per unit (with a
// position, in both trees when available), as bytes/unit.
func BenchmarkMemoryPerUnit(b *testing.B) {
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		ix := randomFleet(b, benchUnits, 0.3, rand.New(rand.NewPCG(1, 1)), newClock())
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/benchUnits, "bytes/unit")
		runtime.KeepAlive(ix)
	}
}
