package roads

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"

	"siaga112/geo"
)

// way is a drivable way (or the piece of one between nodes missing from
// the extract) as the loader hands it to build.
type way struct {
	id       int64
	nodes    []int64
	speedKmh float64
	dir      int // +1, -1, 0: see direction
}

// restriction is a via-node turn restriction.
type restriction struct {
	from, to, via int64
	only          bool // only_*: every other turn from `from` at `via` is forbidden
}

// build turns ways and restrictions into a Graph. pos gives each node's
// place (every node of ways is known: the loader cut ways at missing ones).
func build(ways []way, rs []restriction, pos func(int64) orb.Point, st *Stats) *Graph {
	g := &Graph{}
	index := map[int64]int32{}
	node := func(id int64) int32 {
		if v, ok := index[id]; ok {
			return v
		}
		v := int32(len(g.pos))
		index[id] = v
		g.pos = append(g.pos, pos(id))
		return v
	}
	// Arcs, with their tails and OSM ways, before restrictions.
	var arcTail []int32
	var arcWay []int64
	addArc := func(u, v int32, lenM, secs float64, wayID int64) int32 {
		a := int32(len(g.arcHead))
		arcTail = append(arcTail, u)
		g.arcHead = append(g.arcHead, v)
		g.arcLen = append(g.arcLen, float32(lenM))
		g.arcCost = append(g.arcCost, float32(secs))
		arcWay = append(arcWay, wayID)
		return a
	}
	for _, w := range ways {
		mps := w.speedKmh / 3.6
		for i := 1; i < len(w.nodes); i++ {
			if w.nodes[i] == w.nodes[i-1] {
				continue
			}
			a, b := node(w.nodes[i-1]), node(w.nodes[i])
			d := geo.Distance(g.pos[a], g.pos[b])
			s := segment{a: a, b: b, fwd: -1, bwd: -1}
			if w.dir >= 0 {
				s.fwd = addArc(a, b, d, d/mps, w.id)
			}
			if w.dir <= 0 {
				s.bwd = addArc(b, a, d, d/mps, w.id)
			}
			g.segs = append(g.segs, s)
		}
	}
	st.Ways = len(ways)

	// Arcs out of and into each node, to find a restriction's arcs.
	n := int32(len(g.pos))
	outOf := make([][]int32, n)
	into := make([][]int32, n)
	for a := range g.arcHead {
		outOf[arcTail[a]] = append(outOf[arcTail[a]], int32(a))
		into[g.arcHead[a]] = append(into[g.arcHead[a]], int32(a))
	}
	// allowed[(via, from arc)] is the set of arcs out of via that a
	// vehicle arriving by that arc may take.
	type approach struct{ via, from int32 }
	allowed := map[approach]map[int32]bool{}
	for _, r := range rs {
		via, ok := index[r.via]
		if !ok {
			st.RestrictionsIgnored++
			continue
		}
		var froms, tos []int32
		for _, a := range into[via] {
			if arcWay[a] == r.from {
				froms = append(froms, a)
			}
		}
		for _, a := range outOf[via] {
			if arcWay[a] == r.to {
				tos = append(tos, a)
			}
		}
		if len(froms) == 0 || len(tos) == 0 {
			st.RestrictionsIgnored++ // a member outside the extract, or not drivable that way
			continue
		}
		st.Restrictions++
		for _, f := range froms {
			k := approach{via, f}
			set, ok := allowed[k]
			if !ok {
				set = map[int32]bool{}
				for _, o := range outOf[via] {
					set[o] = true
				}
				allowed[k] = set
			}
			for o := range set {
				if slices.Contains(tos, o) != r.only {
					delete(set, o)
				}
			}
		}
	}
	// A copy of the via node for each restricted approach; the approach's
	// arc ends there, and the copy has only the allowed arcs out.
	copyAt := map[approach]int32{}
	copiesOf := map[int32][]int32{}
	allowedAt := map[int32]map[int32]bool{}
	keys := make([]approach, 0, len(allowed))
	for k := range allowed {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b approach) int { return cmp.Or(cmp.Compare(a.via, b.via), cmp.Compare(a.from, b.from)) })
	for _, k := range keys {
		c := int32(len(g.pos))
		g.pos = append(g.pos, g.pos[k.via])
		copyAt[k] = c
		copiesOf[k.via] = append(copiesOf[k.via], c)
		allowedAt[c] = allowed[k]
		g.arcHead[k.from] = c
	}

	// Edges: each arc from its tail and from each copy of the tail that
	// allows it.
	type edge struct{ u, v, arc int32 }
	edges := make([]edge, 0, len(g.arcHead)+len(keys))
	for a := range g.arcHead {
		u := arcTail[a]
		edges = append(edges, edge{u, g.arcHead[a], int32(a)})
		for _, c := range copiesOf[u] {
			if allowedAt[c][int32(a)] {
				edges = append(edges, edge{c, g.arcHead[a], int32(a)})
			}
		}
	}
	slices.SortStableFunc(edges, func(x, y edge) int { return cmp.Compare(x.u, y.u) })
	nn := len(g.pos)
	g.off = make([]int32, nn+1)
	g.head = make([]int32, len(edges))
	g.tail = make([]int32, len(edges))
	g.cost = make([]float32, len(edges))
	g.length = make([]float32, len(edges))
	g.arcOf = make([]int32, len(edges))
	for i, e := range edges {
		g.off[e.u+1]++
		g.head[i], g.tail[i], g.arcOf[i] = e.v, e.u, e.arc
		g.cost[i], g.length[i] = g.arcCost[e.arc], g.arcLen[e.arc]
	}
	for v := range nn {
		g.off[v+1] += g.off[v]
	}
	g.roff, g.redge = reverseCSR(nn, g.head)
	g.arcEdges, g.arcEdgeOf = make([]int32, len(g.arcHead)+1), make([]int32, len(edges))
	for _, a := range g.arcOf {
		g.arcEdges[a+1]++
	}
	for a := range g.arcHead {
		g.arcEdges[a+1] += g.arcEdges[a]
	}
	fill := slices.Clone(g.arcEdges[:len(g.arcHead)])
	for i, a := range g.arcOf {
		g.arcEdgeOf[fill[a]] = int32(i)
		fill[a]++
	}
	g.copies = copiesOf
	g.components()
	st.Components = len(g.compOff) - 1
	for i, s := range g.segs {
		b := orb.Bound{Min: g.pos[s.a], Max: g.pos[s.a]}.Extend(g.pos[s.b])
		g.tree.Insert(b.Min, b.Max, int32(i))
	}
	st.Nodes, st.Edges, st.NodeCopies = len(g.pos), len(g.head), len(keys)
	g.stats = *st
	return g
}

// reverseCSR indexes edges by head: node v's incoming edges are
// redge[roff[v]:roff[v+1]].
func reverseCSR(n int, head []int32) (roff, redge []int32) {
	roff = make([]int32, n+1)
	for _, v := range head {
		roff[v+1]++
	}
	for v := range n {
		roff[v+1] += roff[v]
	}
	redge = make([]int32, len(head))
	fill := slices.Clone(roff[:n])
	for e, v := range head {
		redge[fill[v]] = int32(e)
		fill[v]++
	}
	return roff, redge
}

// arcTails lists the nodes an arc's edges start from.
func (g *Graph) arcTails(a int32) []int32 {
	es := g.arcEdgeOf[g.arcEdges[a]:g.arcEdges[a+1]]
	out := make([]int32, len(es))
	for i, e := range es {
		out[i] = g.tail[e]
	}
	return out
}
