package places_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/mapdata/places"
)

var syllables = strings.Fields("ba be bi bo bu ca ci co cu da di du ga gi gu ja ji jo ka ke ki ko ku la li lo lu " +
	"ma me mi mo mu na ni no nu nya pa pe pi po pu ra ri ro ru sa se si so su ta te ti to tu wa wi ya yu")

var poiKinds = strings.Fields("Toko Warung Masjid Mushola Apotek Bengkel Klinik Kantor Pondok Sekolah")

func word(r *rand.Rand) string {
	var b strings.Builder
	for range 2 + r.IntN(3) {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	return strings.ToUpper(b.String()[:1]) + b.String()[1:]
}

// synthetic is a city of n names: 60% streets on a grid (neighbours in a
// row share nodes, so they cross the columns), 40% POIs.
func synthetic(n int) (*places.Extract, []string, [][2]string) {
	r := rand.New(rand.NewPCG(1, 2))
	x := &places.Extract{}
	var names []string
	var crossings [][2]string
	streets := n * 6 / 10
	side := 1
	for side*side < streets {
		side++
	}
	at := func(i, j int) (int64, orb.Point) {
		return int64(i*side+j) + 1, orb.Point{106.05 + 0.2*float64(j)/float64(side), -6.25 + 0.2*float64(i)/float64(side)}
	}
	rows := make([]string, side)
	for i := range side {
		rows[i] = "Jalan " + word(r) + " " + word(r)
	}
	// Row i's segment j runs from node (i, j) to (i, j+1); a column
	// street at (i, j) runs from (i-1, j) to (i+1, j): they cross at (i, j).
	half := streets / 2
	for k := range 2 * half {
		i, j := (k%half)%side, (k%half)/side
		var w places.Way
		name := rows[i] + " " + fmt.Sprint(j)
		if k >= half {
			name = "Gang " + word(r)
			for m := max(0, i-1); m <= min(side-1, i+1); m++ {
				nid, p := at(m, j)
				w.NodeID, w.Points = append(w.NodeID, nid), append(w.Points, p)
			}
			crossings = append(crossings, [2]string{names[k-half], name})
		} else {
			for m := j; m <= min(side-1, j+1); m++ {
				nid, p := at(i, m)
				w.NodeID, w.Points = append(w.NodeID, nid), append(w.Points, p)
			}
		}
		w.ID, w.Tags = int64(k)+1, map[string]string{"highway": "residential", "name": name}
		x.Ways = append(x.Ways, w)
		names = append(names, name)
	}
	for k := range n - 2*half {
		name := poiKinds[r.IntN(len(poiKinds))] + " " + word(r)
		if k%3 == 0 {
			name += " " + word(r)
		}
		x.Nodes = append(x.Nodes, places.Node{ID: int64(k) + 10_000_000, Point: orb.Point{106.05 + 0.2*r.Float64(), -6.25 + 0.2*r.Float64()},
			Tags: map[string]string{"amenity": "shop", "name": name}})
		names = append(names, name)
	}
	return x, names, crossings
}

func typo(r *rand.Rand, name string) string {
	ws := strings.Fields(name)
	i := 0 // the longest word: one of 4+ letters
	for j, w := range ws {
		if len(w) > len(ws[i]) {
			i = j
		}
	}
	w := []rune(ws[i])
	switch k := r.IntN(len(w)-1) + 1; r.IntN(3) {
	case 0:
		w[k-1], w[k] = w[k], w[k-1]
	case 1:
		w = append(w[:k], w[k+1:]...)
	default:
		w[k] = 'q'
	}
	ws[i] = string(w)
	return strings.Join(ws, " ")
}

// BenchmarkPlacesSearch: 100,000 synthetic names, 10 answers. cpu-µs/op
// is the process's CPU time per query: on a shared machine wall time
// (ns/op) also counts the neighbours' turns.
func BenchmarkPlacesSearch(b *testing.B) {
	x, names, crossings := synthetic(100_000)
	p := places.New(places.Config{Extract: x})
	r := rand.New(rand.NewPCG(3, 4))
	bias := orb.Point{106.15, -6.15}
	kinds := map[string]func() string{
		"prefix2":      func() string { n := names[r.IntN(len(names))]; return strings.ToLower(n[:2]) },
		"whole":        func() string { return names[r.IntN(len(names))] },
		"typo":         func() string { return typo(r, names[r.IntN(len(names))]) },
		"intersection": func() string { c := crossings[r.IntN(len(crossings))]; return c[0] + " & " + c[1] },
	}
	for _, kind := range []string{"prefix2", "whole", "typo", "intersection"} {
		for _, biased := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/bias=%v", kind, biased), func(b *testing.B) {
				qs := make([]string, 256)
				for i := range qs {
					qs[i] = kinds[kind]()
				}
				opt := places.Options{Limit: 10}
				if biased {
					opt.Bias = &bias
				}
				found := 0
				c0 := cpuTime()
				for i := 0; b.Loop(); i++ {
					if len(p.Search(qs[i%len(qs)], opt)) > 0 {
						found++
					}
				}
				b.ReportMetric(float64(found)/float64(b.N), "found/op")
				b.ReportMetric(float64((cpuTime()-c0).Microseconds())/float64(b.N), "cpu-µs/op")
			})
		}
	}
}

// BenchmarkPlacesReverse: nearest street and place in the same city.
func BenchmarkPlacesReverse(b *testing.B) {
	x, _, _ := synthetic(100_000)
	p := places.New(places.Config{Extract: x})
	r := rand.New(rand.NewPCG(5, 6))
	pts := make([]orb.Point, 1024)
	for i := range pts {
		pts[i] = orb.Point{106.05 + 0.2*r.Float64(), -6.25 + 0.2*r.Float64()}
	}
	streets := 0
	for i := 0; b.Loop(); i++ {
		if st, _ := p.Reverse(pts[i%len(pts)]); st != nil {
			streets++
		}
	}
	b.ReportMetric(float64(streets)/float64(b.N), "streets/op")
}

// BenchmarkPlacesBuild: the index of 100,000 names, built at start:
// wall time (ns/op), the process's CPU time for it (cpu-ms: the machine is
// shared, so wall time depends on the neighbours) and the heap it holds.
func BenchmarkPlacesBuild(b *testing.B) {
	x, _, _ := synthetic(100_000)
	var before, after runtime.MemStats
	var p *places.Places
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		p = nil
		runtime.GC()
		runtime.ReadMemStats(&before)
		c0 := cpuTime()
		b.StartTimer()
		p = places.New(places.Config{Extract: x})
		b.StopTimer()
		cpu += cpuTime() - c0
		b.StartTimer()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms")
	b.ReportMetric(float64(p.Stats().Words), "words")
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
