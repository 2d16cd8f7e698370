package basemap

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"siaga112/mapdata/basemap/basemaptest"
)

// benchWays is the synthetic city's size for the benchmarks.
const benchWays = 100_000

// benchKeep is Kota Serang's box widened a little, as the app cuts it.
var benchKeep = orb.Bound{Min: orb.Point{106.03, -6.25}, Max: orb.Point{106.33, -5.96}}

var (
	cityOnce sync.Once
	city     *Map
	cityErr  error
)

func loadCity(b *testing.B) *Map {
	path := basemaptest.City(b, benchWays)
	cityOnce.Do(func() { city, cityErr = Load(context.Background(), path, Options{Keep: benchKeep}) })
	if cityErr != nil {
		b.Fatal(cityErr)
	}
	return city
}

// BenchmarkBasemapTile encodes tiles of a synthetic 100k-way city, cold
// (no cache), at zooms 12 to 18: per zoom, tiles spread over the city in a
// fixed order, one per iteration. It reports the p50, p95 and largest
// encoding time (wall, and CPU of the encoding thread: on a shared
// machine the wall time includes waiting for a core) and the mean tile
// size (plain and gzipped); "cached" is a tile served again. Read with
// -benchtime 200x.
func BenchmarkBasemapTile(b *testing.B) {
	m := loadCity(b)
	for z := 12; z <= 18; z++ {
		tiles := sampleTiles(basemaptest.CityBound, z, 400)
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			var took, cpu []time.Duration
			plain, gz := 0, 0
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ResetTimer()
			for i := range b.N {
				t := tiles[i%len(tiles)]
				start, startCPU := time.Now(), threadCPU()
				tile, err := m.encode(z, int(t.X), int(t.Y))
				took = append(took, time.Since(start))
				cpu = append(cpu, threadCPU()-startCPU)
				if err != nil {
					b.Fatal(err)
				}
				plain += len(tile.Data)
				gz += len(tile.Gzip)
				if tile.Gzip == nil {
					gz += len(tile.Data)
				}
			}
			b.StopTimer()
			slices.Sort(took)
			slices.Sort(cpu)
			ms := func(d []time.Duration, q float64) float64 { return float64(d[int(q*float64(len(d)-1))]) / 1e6 }
			b.ReportMetric(ms(took, 0.5), "p50_ms")
			b.ReportMetric(ms(took, 0.95), "p95_ms")
			b.ReportMetric(ms(took, 1), "max_ms")
			b.ReportMetric(ms(cpu, 0.95), "p95_cpu_ms")
			b.ReportMetric(float64(plain)/float64(b.N), "bytes/tile")
			b.ReportMetric(float64(gz)/float64(b.N), "gzip_bytes/tile")
		})
	}
	b.Run("cached", func(b *testing.B) {
		t := maptile.At(basemaptest.CityBound.Center(), 14)
		if _, err := m.Tile(14, int(t.X), int(t.Y)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for range b.N {
			if _, err := m.Tile(14, int(t.X), int(t.Y)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// sampleTiles are up to n tiles of zoom z over bound, spread evenly.
func sampleTiles(bound orb.Bound, z int, n int) []maptile.Tile {
	a := maptile.At(orb.Point{bound.Min[0], bound.Max[1]}, maptile.Zoom(z))
	c := maptile.At(orb.Point{bound.Max[0], bound.Min[1]}, maptile.Zoom(z))
	var all []maptile.Tile
	for x := a.X; x <= c.X; x++ {
		for y := a.Y; y <= c.Y; y++ {
			all = append(all, maptile.New(x, y, maptile.Zoom(z)))
		}
	}
	if len(all) <= n {
		return all
	}
	out := make([]maptile.Tile, 0, n)
	for i := range n {
		out = append(out, all[i*len(all)/n])
	}
	return out
}

// BenchmarkBasemapLoad reads the synthetic 100k-way extract as the
// server does at start, reporting the time and the heap the map holds.
func BenchmarkBasemapLoad(b *testing.B) {
	path := basemaptest.City(b, benchWays)
	var m *Map
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		var err error
		if m, err = Load(context.Background(), path, Options{Keep: benchKeep}); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(took.Seconds(), "load_s")
		b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/(1<<20), "heap_MiB")
	}
	st := m.Stats()
	n := 0
	for _, c := range st.Features {
		n += c
	}
	b.ReportMetric(float64(n), "features")
	b.ReportMetric(float64(st.Features[layerRoad]), "roads")
	b.ReportMetric(float64(st.Points), "points")
	b.ReportMetric(float64(st.Relations), "multipolygons")
}
