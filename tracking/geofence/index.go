package geofence

import (
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Index answers which fences contain a point. It is immutable once built,
// so any number of goroutines may query it; to change the fences, build a
// new one and swap it in.
type Index struct {
	fences []Fence
	byID   map[string]int
	tree   rtree.RTreeG[int]
}

// NewIndex indexes fences (as Parse returns them) by their bounding boxes.
func NewIndex(fences []Fence) *Index {
	ix := &Index{fences: fences, byID: make(map[string]int, len(fences))}
	for i := range fences {
		b := fences[i].bound
		ix.tree.Insert(b.Min, b.Max, i)
		ix.byID[fences[i].ID] = i
	}
	return ix
}

// Len is the number of fences.
func (ix *Index) Len() int { return len(ix.fences) }

// Fences returns the indexed fences (do not modify them).
func (ix *Index) Fences() []Fence { return ix.fences }

// Fence finds a fence by id.
func (ix *Index) Fence(id string) (*Fence, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return nil, false
	}
	return &ix.fences[i], true
}

// Containing appends to dst the fences that contain p.
func (ix *Index) Containing(dst []*Fence, p orb.Point) []*Fence {
	ix.tree.Search(p, p, func(_, _ [2]float64, i int) bool {
		if f := &ix.fences[i]; f.Contains(p) {
			dst = append(dst, f)
		}
		return true
	})
	return dst
}
