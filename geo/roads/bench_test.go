package roads

import (
	"context"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/geo/roads/roadstest"
)

// cpuTime is the process's CPU time so far: on a shared machine it is
// steadier than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func gridGraph(b *testing.B) *Graph {
	b.Helper()
	pbf, _ := roadstest.Grid(b)
	g, err := Load(context.Background(), pbf, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return g
}

func gridPoints(seed uint64, n int) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 1))
	bd := roadstest.GridBound
	out := make([]orb.Point, n)
	for i := range out {
		out[i] = orb.Point{bd.Min[0] + 0.01 + rng.Float64()*(bd.Max[0]-bd.Min[0]-0.02), bd.Min[1] + 0.01 + rng.Float64()*(bd.Max[1]-bd.Min[1]-0.02)}
	}
	return out
}

// BenchmarkLoadGrid: reading the ~25,600-node grid PBF into a graph.
func BenchmarkLoadGrid(b *testing.B) {
	pbf, _ := roadstest.Grid(b)
	var g *Graph
	for b.Loop() {
		var err error
		if g, err = Load(context.Background(), pbf, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.Nodes()), "nodes")
	b.ReportMetric(float64(g.Edges()), "edges")
	b.ReportMetric(float64(g.Bytes())/(1<<20), "graph-MiB")
}

// BenchmarkSnap: attaching a fix to the nearest drivable segment (what
// every fix pays with --osm).
func BenchmarkSnap(b *testing.B) {
	g := gridGraph(b)
	pts := gridPoints(3, 1024)
	i := 0
	cpu := cpuTime()
	for b.Loop() {
		g.Snap(pts[i%len(pts)], DefaultSnapM)
		i++
	}
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(i)/1e3, "cpu-µs/op")
}

// BenchmarkClosest: the 5 of 200 units with the least driving time to an
// incident, in process (snap the incident, search with early stop).
func BenchmarkClosest(b *testing.B) {
	g := gridGraph(b)
	units := gridPoints(112, 200)
	rps := make([]geo.RoadPoint, len(units))
	for i, p := range units {
		rps[i] = g.Snap(p, DefaultSnapM)
	}
	queries := gridPoints(24, 1024)
	var lat []time.Duration
	i := 0
	cpu := cpuTime()
	for b.Loop() {
		start := time.Now()
		s := g.ToTarget(g.Snap(queries[i%len(queries)], DefaultSnapM))
		n := 0
		for range s.Closest(rps) {
			if n++; n == 5 {
				break
			}
		}
		s.Release()
		lat = append(lat, time.Since(start))
		i++
	}
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(i)/1e3, "cpu-µs/op")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkIsochrones: where 50 units reach in 3, 6 and 10 minutes.
func BenchmarkIsochrones(b *testing.B) {
	g := gridGraph(b)
	var origins []Origin
	for _, p := range gridPoints(50, 50) {
		origins = append(origins, Origin{From: p, Road: g.Snap(p, DefaultSnapM)})
	}
	n := 0
	cpu := cpuTime()
	for b.Loop() {
		Isochrones(g, origins, nil, []float64{180, 360, 600})
		n++
	}
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(n), "cpu-ms/op")
}
