// Package roads is the road network of an OpenStreetMap extract: which ways
// a car may drive and in which direction, turn restrictions, snapping points
// to the nearest drivable segment, a one-to-many search from an incident
// with early stop, routes and isochrones.
//
// The graph is flat arrays (CSR, int32 indices, float32 costs), built once
// by Load and never changed after: any number of searches run at once
// without a lock, and nothing does I/O after the load.
//
// Costs are seconds for an ambulance under lights and siren (the speeds
// per highway class, --road-speeds); other unit types scale them by a
// factor (dispatch's concern). Every node of every drivable way is a graph
// node, so routes keep the ways' whole geometry.
package roads

import (
	"sync"
	"unsafe"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Graph is a road network. It is immutable and safe for concurrent use.
type Graph struct {
	// Nodes. A via node of a turn restriction has copies (one per
	// restricted approach) at the same place, each with only the turns
	// allowed from that approach: a plain Dijkstra then obeys them.
	pos []orb.Point

	// Forward CSR: node v's edges are off[v]..off[v+1].
	off    []int32
	head   []int32
	cost   []float32 // seconds
	length []float32 // metres
	arcOf  []int32   // the arc (directed way segment) an edge drives

	// Reverse CSR: node v's incoming edges are roff[v]..roff[v+1], each
	// an index into the forward edge arrays.
	roff  []int32
	redge []int32
	tail  []int32 // per forward edge

	// Arcs: each drivable direction of a way segment. An arc is one or
	// more edges (from its tail node and from copies of it that allow it).
	arcHead   []int32 // the node an arc ends at (a copy when restricted there)
	arcCost   []float32
	arcLen    []float32
	arcEdges  []int32 // arcEdgeOff[a]..arcEdgeOff[a+1] index this: the arc's edges
	arcEdgeOf []int32

	copies map[int32][]int32 // a via node's copies

	// Segments: each way segment once, for snapping.
	segs []segment
	tree rtree.RTreeG[int32]

	// Strongly connected components, and the DAG between them, so that
	// "no road joins these two points" is known before any search.
	comp     []int32
	compOff  []int32
	compSucc []int32

	stats Stats
	pool  sync.Pool // *Search
}

// segment is a way segment between two graph nodes, drawn a → b, and its
// drivable arcs (-1: that direction is closed).
type segment struct {
	a, b     int32
	fwd, bwd int32
}

// Nodes is the number of graph nodes (restriction copies included).
func (g *Graph) Nodes() int { return len(g.pos) }

// Edges is the number of directed edges.
func (g *Graph) Edges() int { return len(g.head) }

// Stats says what the load kept and dropped.
func (g *Graph) Stats() Stats { return g.stats }

// Bytes is the memory the graph's arrays and segment index hold.
func (g *Graph) Bytes() int64 {
	n := int64(len(g.pos)) * int64(unsafe.Sizeof(orb.Point{}))
	for _, s := range [][]int32{g.off, g.head, g.arcOf, g.roff, g.redge, g.tail, g.arcHead, g.arcEdges, g.arcEdgeOf, g.comp, g.compOff, g.compSucc} {
		n += int64(cap(s)) * 4
	}
	for _, s := range [][]float32{g.cost, g.length, g.arcCost, g.arcLen} {
		n += int64(cap(s)) * 4
	}
	n += int64(cap(g.segs)) * int64(unsafe.Sizeof(segment{}))
	// The R-tree: about one 40-byte item and a share of its nodes per segment.
	n += int64(len(g.segs)) * 64
	return n
}

// Pos is a node's position.
func (g *Graph) Pos(v int32) orb.Point { return g.pos[v] }

// arcs lists a segment's drivable arcs with the fraction of the arc at
// which a point at frac (along the drawn order) lies.
func (g *Graph) arcs(seg int32, frac float64) (out [2]arcAt, n int) {
	s := g.segs[seg]
	if s.fwd >= 0 {
		out[n] = arcAt{arc: s.fwd, t: frac}
		n++
	}
	if s.bwd >= 0 {
		out[n] = arcAt{arc: s.bwd, t: 1 - frac}
		n++
	}
	return out, n
}

// arcAt is a point on an arc: t of the way from its tail to its head.
type arcAt struct {
	arc int32
	t   float64
}
