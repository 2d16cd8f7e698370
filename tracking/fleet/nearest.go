package fleet

import (
	"iter"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"siaga112/geo"
	"siaga112/tracking"
)

// Filter narrows a nearest search. An empty list means "any".
type Filter struct {
	Types    []tracking.UnitType
	Statuses []tracking.Status
	Liveness []tracking.Liveness
}

// matcher is a Filter compiled to bit masks for the hot loop.
type matcher struct {
	types, statuses, liveness uint32
}

func maskOf[T comparable](want, all []T) uint32 {
	if len(want) == 0 {
		return ^uint32(0)
	}
	var m uint32
	for _, w := range want {
		if i := slices.Index(all, w); i >= 0 {
			m |= 1 << i
		}
	}
	return m
}

func (f Filter) compile() matcher {
	return matcher{
		types:    maskOf(f.Types, tracking.UnitTypes),
		statuses: maskOf(f.Statuses, tracking.Statuses),
		liveness: maskOf(f.Liveness, tracking.Livenesses),
	}
}

func bit[T comparable](v T, all []T) uint32 {
	if i := slices.Index(all, v); i >= 0 {
		return 1 << i
	}
	return 0
}

func (ix *Index) matches(m matcher, e *entry, now time.Time) bool {
	return m.admits(e, ix.liveness(e, now))
}

// admits is matches for an entry whose liveness l is known.
func (m matcher) admits(e *entry, l tracking.Liveness) bool {
	return m.types&e.typeBit != 0 && m.statuses&e.statusBit != 0 && m.liveness&bit(l, tracking.Livenesses) != 0
}

// Nearest yields the units with a position that match f, nearest to p first,
// each with its great-circle distance from p in metres. Stop the loop as soon
// as you have enough: the search does no more work than the units taken.
//
// Goroutine-safe: any number of Nearest loops may run at once, alongside
// writers. Each loop holds the index's read lock until it ends, so its body
// must be short and must not call the Index's writing methods (Register,
// ApplyFix, SetStatus, MarkOffline), which would deadlock. Liveness is judged
// at the instant the loop starts.
func (ix *Index) Nearest(p orb.Point, f Filter) iter.Seq2[tracking.Unit, float64] {
	m := f.compile()
	return func(yield func(tracking.Unit, float64) bool) {
		ix.mu.RLock()
		defer ix.mu.RUnlock()
		now := ix.cfg.Now()
		tree := &ix.all
		// "Available units of one type" has a tree of its own.
		// It leaves out units whose Last Will came, so it only serves
		// filters that exclude offline units.
		if len(f.Types) == 1 && len(f.Statuses) == 1 && f.Statuses[0] == tracking.Available &&
			m.liveness&bit(tracking.Offline, tracking.Livenesses) == 0 {
			if t := typeIndex(f.Types[0]); t >= 0 {
				tree = &ix.avail[t]
			}
		}
		ix.nearby(tree, p, func(e *entry, d float64) bool {
			l := ix.liveness(e, now) // once: the filter and the view both need it
			if !m.admits(e, l) {
				return true
			}
			u := e.unit
			u.Liveness = l
			return yield(u, d)
		})
	}
}

// nearby walks tree in great-circle distance order from p, passing each
// entry with its distance in metres: growing rings first (rings.go), then,
// for what they leave, the R-tree's best-first walk. Caller holds a lock.
func (ix *Index) nearby(tree *rtree.RTreeG[*entry], p orb.Point, visit func(*entry, float64) bool) {
	pv := geo.ToVector(p)
	cosLat := math.Cos(p[1] * math.Pi / 180)
	over, done := rings(tree, p, pv, cosLat, visit)
	if over {
		return
	}
	tree.Nearby(
		func(min, max [2]float64, e *entry, item bool) float64 {
			if item {
				return geo.ChordSq(pv, e.vec)
			}
			return geo.BoundChordSq(p, cosLat, orb.Bound{Min: orb.Point(min), Max: orb.Point(max)})
		},
		func(_, _ [2]float64, e *entry, c2 float64) bool {
			return c2 <= done || visit(e, geo.ChordSqMetres(c2)) // the rings passed those
		},
	)
}

func distanceTo(p orb.Point, e *entry) float64 {
	return geo.Distance(p, orb.Point{e.unit.Position.Lon, e.unit.Position.Lat})
}
