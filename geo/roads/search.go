package roads

import (
	"iter"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"siaga112/geo"
)

// legSecs is the time of a straight leg of m metres.
func legSecs(m float64) float64 { return m / (LegSpeedKmh / 3.6) }

// Search is one search's scratch: distances and parents per node, reset
// by a generation stamp rather than cleared. Get one with ToTarget or
// FromSources and Release it when done; one goroutine uses it at a time.
type Search struct {
	g      *Graph
	dist   []float32 // seconds
	metres []float32
	parent []int32 // the edge taken next (towards the target), or a seed mark
	seen   []uint32
	gen    uint32
	heap   minHeap[float32]

	// A search to one target (reverse graph).
	target  geo.RoadPoint
	tarcs   [2]arcAt
	ntarcs  int
	tcomps  []int32          // the components the target is reached from
	memos   []map[int32]bool // per target component: which components reach it
	sources []sourceState
	pending minHeap[float64]
	watch   map[int32][]int32 // node → sources that leave the road there
	watched []uint32          // gen where a node is in watch (a map lookup per settled node costs more)
}

// seed marks a node reached straight from the target's arc k: parent
// holds ^k.
func seedMark(k int) int32 { return ^int32(k) }

type sourceState struct {
	rp     geo.RoadPoint
	best   float64 // seconds; +Inf until found
	metres float64
	arc    int32 // the arc the source leaves by; -1: from its node
	direct bool  // along that arc straight to the target
	done   bool
}

func (g *Graph) getSearch() *Search {
	if s, ok := g.pool.Get().(*Search); ok {
		s.gen++
		if s.gen == 0 { // wrapped: clear the stamps once
			clear(s.seen)
			clear(s.watched)
			s.gen = 1
		}
		return s
	}
	n := len(g.pos)
	return &Search{g: g, dist: make([]float32, n), metres: make([]float32, n), parent: make([]int32, n), seen: make([]uint32, n), gen: 1,
		watched: make([]uint32, n),
		watch:   map[int32][]int32{}}
}

// Release returns the search's memory for the next one.
func (s *Search) Release() {
	s.heap.reset()
	s.pending.reset()
	s.sources = s.sources[:0]
	clear(s.watch)
	s.tcomps = s.tcomps[:0]
	for _, m := range s.memos {
		clear(m)
	}
	s.g.pool.Put(s)
}

func (s *Search) reached(v int32) bool { return s.seen[v] == s.gen }

func (s *Search) relax(v int32, d, m float32, parent int32) {
	if s.reached(v) && d >= s.dist[v] {
		return
	}
	s.seen[v], s.dist[v], s.metres[v], s.parent[v] = s.gen, d, m, parent
	s.heap.push(d, v)
}

// ToTarget starts a search for the travel times to target (an incident's
// road point) over the reversed graph. It settles nothing until asked.
// An off-road target makes a search that joins nothing.
func (g *Graph) ToTarget(target geo.RoadPoint) *Search {
	s := g.getSearch()
	s.target, s.ntarcs = target, 0
	if !target.OnRoad() {
		return s
	}
	s.tarcs, s.ntarcs = g.arcs(target.Seg, target.Frac)
	legS := legSecs(target.LegM)
	for k := range s.ntarcs {
		a := s.tarcs[k]
		d := float32(legS + a.t*float64(g.arcCost[a.arc]))
		m := float32(target.LegM + a.t*float64(g.arcLen[a.arc]))
		for _, e := range g.arcEdgeOf[g.arcEdges[a.arc]:g.arcEdges[a.arc+1]] {
			s.relax(g.tail[e], d, m, seedMark(k))
			if c := g.comp[g.tail[e]]; !slices.Contains(s.tcomps, c) {
				s.tcomps = append(s.tcomps, c)
			}
		}
	}
	if v, ok := g.atNode(target); ok { // on a node: arriving there by any road will do
		for _, c := range append([]int32{v}, g.copies[v]...) {
			s.relax(c, float32(legS), float32(target.LegM), seedMark(2))
			if cc := g.comp[c]; !slices.Contains(s.tcomps, cc) {
				s.tcomps = append(s.tcomps, cc)
			}
		}
	}
	for len(s.memos) < len(s.tcomps) {
		s.memos = append(s.memos, map[int32]bool{})
	}
	return s
}

// Joins reports whether some road leads from a source's road point to
// the target: both on the road and the source's component reaches the
// target's. Without it, the pair falls back to another model.
func (s *Search) Joins(from geo.RoadPoint) bool {
	if !from.OnRoad() || !s.target.OnRoad() {
		return false
	}
	g := s.g
	if from.Seg == s.target.Seg {
		return true // along the segment itself, or the search will say
	}
	fa, fn := g.arcs(from.Seg, from.Frac)
	var buf [3]int32
	heads := buf[:0]
	for i := range fn {
		heads = append(heads, g.arcHead[fa[i].arc])
	}
	if v, ok := g.atNode(from); ok {
		heads = append(heads, v)
	}
	for _, v := range heads {
		h := g.comp[v]
		for j, c := range s.tcomps {
			if g.reaches(h, c, s.memos[j]) {
				return true
			}
		}
	}
	return false
}

// Cost is a trip's time (seconds at the network's speeds, legs included)
// and length (metres, legs included).
type Cost struct {
	Secs, Metres float64
}

// Closest yields the sources (indices into from) that a road joins to the
// target, cheapest first, with their cost. It settles the graph outward
// from the target only as far as the next answer needs: stop the loop
// when you have enough. Sources Joins refuses are never yielded (if the
// loop runs to the end, every other source is). Call it once per Search.
func (s *Search) Closest(from []geo.RoadPoint) iter.Seq2[int, Cost] {
	return func(yield func(int, Cost) bool) {
		g := s.g
		if !s.target.OnRoad() {
			return
		}
		legT := legSecs(s.target.LegM)
		for i, rp := range from {
			st := sourceState{rp: rp, best: math.Inf(1), arc: -1}
			if rp.OnRoad() {
				fa, fn := g.arcs(rp.Seg, rp.Frac)
				for j := range fn {
					a := fa[j]
					h := g.arcHead[a.arc]
					s.watch[h] = append(s.watch[h], int32(i))
					s.watched[h] = s.gen
					for k := range s.ntarcs { // on the same arc, ahead of the target: straight there
						if ta := s.tarcs[k]; ta.arc == a.arc && ta.t >= a.t {
							c := legSecs(rp.LegM) + (ta.t-a.t)*float64(g.arcCost[a.arc]) + legT
							if c < st.best {
								st.best, st.arc, st.direct = c, a.arc, true
								st.metres = rp.LegM + (ta.t-a.t)*float64(g.arcLen[a.arc]) + s.target.LegM
							}
						}
					}
				}
				if v, ok := g.atNode(rp); ok { // on a node: it may leave by any road
					s.watch[v] = append(s.watch[v], int32(i))
					s.watched[v] = s.gen
				}
				if st.direct {
					s.pending.push(st.best, int32(i))
				}
			}
			s.sources = append(s.sources, st)
		}
		emit := func(frontier float64) bool {
			for s.pending.Len() > 0 {
				c, i := s.pending.peek()
				if c > frontier {
					return true
				}
				s.pending.pop()
				st := &s.sources[i]
				if st.done || c > st.best {
					continue
				}
				st.done = true
				if !yield(int(i), Cost{st.best, st.metres}) {
					return false
				}
			}
			return true
		}
		for s.heap.Len() > 0 {
			d, v := s.heap.pop()
			if d > s.dist[v] {
				continue // stale
			}
			if !emit(float64(d)) {
				return
			}
			if s.watched[v] == s.gen {
				s.arrive(v, d)
			}
			for k := s.g.roff[v]; k < s.g.roff[v+1]; k++ {
				e := g.redge[k]
				s.relax(g.tail[e], d+g.cost[e], s.metres[v]+g.length[e], e)
			}
		}
		emit(math.Inf(1))
	}
}

// Route is the way source i (as yielded by Closest) drives to the target:
// from `from` (the unit) by its road point, every node of the ways, to
// the target's road point and `to` (the incident). Points repeated (a leg
// of 0 m, a restriction's node copy) appear once.
func (s *Search) Route(i int, from, to orb.Point) orb.LineString {
	g := s.g
	st := s.sources[i]
	line := orb.LineString{from}
	add := func(p orb.Point) {
		if p != line[len(line)-1] {
			line = append(line, p)
		}
	}
	add(st.rp.At)
	if !st.direct {
		v, _ := g.atNode(st.rp)
		if st.arc >= 0 {
			v = g.arcHead[st.arc]
		}
		add(g.pos[v])
		for s.parent[v] >= 0 {
			v = g.head[s.parent[v]]
			add(g.pos[v])
		}
	}
	add(s.target.At)
	add(to)
	if len(line) == 1 {
		line = append(line, to) // a unit on the incident's spot: a line of one point twice
	}
	return line
}

// atNode reports the node a road point sits on, if it sits on one (the
// start or end of its segment): there it may use every road of the node,
// not only its own segment's direction.
func (g *Graph) atNode(rp geo.RoadPoint) (int32, bool) {
	switch s := g.segs[rp.Seg]; rp.Frac {
	case 0:
		return s.a, true
	case 1:
		return s.b, true
	}
	return -1, false
}

// arrive prices the sources that leave the road at v, now settled at d
// seconds from the target.
func (s *Search) arrive(v int32, d float32) {
	g := s.g
	for _, i := range s.watch[v] {
		st := &s.sources[i]
		if st.done {
			continue
		}
		if u, ok := g.atNode(st.rp); ok && u == v {
			if c := legSecs(st.rp.LegM) + float64(d); c < st.best {
				st.best, st.arc, st.direct = c, -1, false
				st.metres = st.rp.LegM + float64(s.metres[v])
				s.pending.push(c, i)
			}
		}
		fa, fn := g.arcs(st.rp.Seg, st.rp.Frac)
		for j := range fn {
			a := fa[j]
			if g.arcHead[a.arc] != v {
				continue
			}
			c := legSecs(st.rp.LegM) + (1-a.t)*float64(g.arcCost[a.arc]) + float64(d)
			if c < st.best {
				st.best, st.arc, st.direct = c, a.arc, false
				st.metres = st.rp.LegM + (1-a.t)*float64(g.arcLen[a.arc]) + float64(s.metres[v])
				s.pending.push(c, i)
			}
		}
	}
}
