package fleet

import (
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"siaga112/geo"
)

const (
	// ringTarget is how many entries the first ring is sized to hold were
	// the tree's entries spread evenly over its bounds: a recommendation
	// reads twice the units it keeps (10), so one ring usually answers.
	ringTarget = 16
	// maxRings bounds the doublings before the best-first walk takes over
	// (a filter that rejects most entries, a fleet bunched far away).
	maxRings = 6
	// minRingRad is the smallest first ring, 10 m, in radians.
	minRingRad = 10 / geo.EarthRadius
)

type ringEntry struct {
	e  *entry
	c2 float64
}

// sortByChord orders a ring's entries nearest first: by insertion, as a
// ring holds a score of them; a crowded one goes to slices.SortFunc.
func sortByChord(rs []ringEntry) {
	if len(rs) > 48 {
		slices.SortFunc(rs, func(a, b ringEntry) int {
			switch {
			case a.c2 < b.c2:
				return -1
			case a.c2 > b.c2:
				return 1
			}
			return 0
		})
		return
	}
	for i := 1; i < len(rs); i++ {
		r, j := rs[i], i
		for ; j > 0 && rs[j-1].c2 > r.c2; j-- {
			rs[j] = rs[j-1]
		}
		rs[j] = r
	}
}

var ringBufs = sync.Pool{New: func() any { b := make([]ringEntry, 0, 64); return &b }}

// rings walks tree in growing circles around p (pv: p as a vector). Each
// ring is one box search: no priority queue, and only the entries inside
// the box are read (the R-tree's best-first walk reads every entry of each
// leaf it opens, and with overlapping leaves that is hundreds per query).
// The entries of a ring inside its circle and beyond the previous one are
// passed on in squared-chord order. It reports whether the walk is over
// (visit stopped it, or every entry was passed) and, when not, the squared
// chord up to which every entry was passed, for the best-first walk to go
// on from.
func rings(tree *rtree.RTreeG[*entry], p orb.Point, pv geo.Vector, cosLat float64, visit func(*entry, float64) bool) (over bool, done float64) {
	done = -1
	n := tree.Len()
	if n == 0 {
		return true, done
	}
	const rad = math.Pi / 180
	lo, hi := tree.Bounds()
	// A circle expected to hold ringTarget entries (the bounds' area on the
	// sphere, roughly: it is a starting guess, never a bound), beyond the
	// gap between p and the bounds when p lies outside them.
	area := max((hi[1]-lo[1])*rad, 1e-9) * max((hi[0]-lo[0])*rad*cosLat, 1e-9)
	theta := max(math.Sqrt(area*ringTarget/(math.Pi*float64(n))), minRingRad)
	if gap := geo.BoundChordSq(p, cosLat, orb.Bound{Min: lo, Max: hi}); gap > 0 {
		theta += 2 * math.Asin(math.Min(1, math.Sqrt(gap)/2))
	}
	bufp := ringBufs.Get().(*[]ringEntry)
	defer func() {
		clear(*bufp) // no pointers kept alive in the pool
		*bufp = (*bufp)[:0]
		ringBufs.Put(bufp)
	}()
	passed := 0
	for range maxRings {
		// The box holding the circle of angular radius theta: latitude
		// ±theta, longitude ±asin(sin theta / cos lat), with a margin so
		// rounding never leaves out an entry on the circle. Near a pole or
		// the antimeridian the best-first walk answers instead.
		s := math.Sin(theta) / cosLat
		if theta >= math.Pi/8 || s >= 0.9 {
			return false, done
		}
		dLat, dLon := theta/rad*(1+1e-9)+1e-9, math.Asin(s)/rad*(1+1e-9)+1e-9
		if p[1]-dLat <= -90 || p[1]+dLat >= 90 || p[0]-dLon < -180 || p[0]+dLon > 180 {
			return false, done
		}
		half := math.Sin(theta / 2)
		c2max := 4 * half * half
		buf := (*bufp)[:0]
		tree.Search([2]float64{p[0] - dLon, p[1] - dLat}, [2]float64{p[0] + dLon, p[1] + dLat}, func(_, _ [2]float64, e *entry) bool {
			if c2 := geo.ChordSq(pv, e.vec); c2 > done && c2 <= c2max {
				buf = append(buf, ringEntry{e, c2})
			}
			return true
		})
		*bufp = buf
		sortByChord(buf)
		for _, r := range buf {
			if !visit(r.e, geo.ChordSqMetres(r.c2)) {
				return true, done
			}
		}
		passed += len(buf)
		done = c2max
		if passed == n {
			return true, done
		}
		theta *= 2
	}
	return false, done
}
