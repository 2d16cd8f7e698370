package roads

import (
	"math"
	"math/bits"

	"github.com/paulmach/orb"
)

// raster is a grid of square cells over a small area (a city): the
// isochrones are drawn on it. Cells are squares on a local plane at the
// grid's middle latitude (x = R·Δλ·cos φ0, y = R·Δφ); over a city near the
// equator the scale stays within a fraction of a per cent, and every
// vertex is computed from its integer index, so neighbouring cells share
// exact coordinates and the polygons traced from them are valid.
type raster struct {
	lon0, lat0 float64 // south-west corner
	dlon, dlat float64 // a cell's size in degrees
	cellM      float64
	w, h       int
	set        []uint64
}

// minCellM is the finest cell: with one cell of growth around each road
// cell, nothing farther than 2·√2 cells (85 m) from a reached road is in.
const minCellM = 30

// maxCells bounds a raster's memory (4 M cells: 512 KiB).
const maxCells = 4 << 20

func newRaster(b orb.Bound) *raster {
	const k = 6378137 * math.Pi / 180 // metres per degree of latitude
	cosLat := math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)
	wm := (b.Max[0]-b.Min[0])*k*cosLat + 4*minCellM
	hm := (b.Max[1]-b.Min[1])*k + 4*minCellM
	cell := math.Max(minCellM, math.Sqrt(wm*hm/maxCells))
	r := &raster{cellM: cell, dlon: cell / (k * cosLat), dlat: cell / k}
	r.w, r.h = int(wm/cell)+4, int(hm/cell)+4
	r.lon0, r.lat0 = b.Min[0]-2*r.dlon, b.Min[1]-2*r.dlat
	r.set = make([]uint64, (r.w*r.h+63)/64)
	return r
}

func (r *raster) cell(p orb.Point) (int, int) {
	return int(math.Floor((p[0] - r.lon0) / r.dlon)), int(math.Floor((p[1] - r.lat0) / r.dlat))
}

func (r *raster) has(i, j int) bool {
	if i < 0 || j < 0 || i >= r.w || j >= r.h {
		return false
	}
	n := j*r.w + i
	return r.set[n>>6]&(1<<(n&63)) != 0
}

func (r *raster) put(i, j int) {
	if i < 0 || j < 0 || i >= r.w || j >= r.h {
		return
	}
	n := j*r.w + i
	r.set[n>>6] |= 1 << (n & 63)
}

// grow sets the 3×3 block around every cell of src.
func (r *raster) grow(src *raster) {
	for wi, word := range src.set {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			n := wi*64 + b
			i, j := n%r.w, n/r.w
			for dj := -1; dj <= 1; dj++ {
				for di := -1; di <= 1; di++ {
					r.put(i+di, j+dj)
				}
			}
		}
	}
}

func (r *raster) or(o *raster) {
	for i := range r.set {
		r.set[i] |= o.set[i]
	}
}

func (r *raster) clone() *raster {
	c := *r
	c.set = append([]uint64(nil), r.set...)
	return &c
}

// line sets the cells along a straight piece, sampled finer than a cell.
func (r *raster) line(a, b orb.Point, lenM float64) {
	n := int(lenM/(r.cellM/2)) + 1
	for s := 0; s <= n; s++ {
		f := float64(s) / float64(n)
		r.put(r.cell(orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}))
	}
}

// disc sets the cells whose centre lies within radiusM of c.
func (r *raster) disc(c orb.Point, radiusM float64) {
	ci, cj := r.cell(c)
	// c's position inside its cell, in cells.
	fx := (c[0]-r.lon0)/r.dlon - float64(ci) - 0.5
	fy := (c[1]-r.lat0)/r.dlat - float64(cj) - 0.5
	rc := radiusM / r.cellM
	n := int(rc) + 2
	for dj := -n; dj <= n; dj++ {
		y := float64(dj) - fy
		if y*y > rc*rc {
			continue
		}
		half := math.Sqrt(rc*rc - y*y)
		for di := int(math.Ceil(fx - half)); float64(di) <= fx+half; di++ {
			r.put(ci+di, cj+dj)
		}
	}
	r.put(ci, cj)
}

// unpinch fills one cell of every 2×2 block whose set cells touch only
// at a corner: polygons traced from the raster then never touch
// themselves at a point (which OGC validity forbids).
func (r *raster) unpinch() {
	for changed := true; changed; {
		changed = false
		for j := -1; j < r.h; j++ {
			for i := -1; i < r.w; i++ {
				a, b, c, d := r.has(i, j), r.has(i+1, j), r.has(i, j+1), r.has(i+1, j+1)
				if a == d && b == c && a != b {
					// Fill the unset cell that lies inside the grid.
					if !a {
						if i >= 0 && j >= 0 {
							r.put(i, j)
						} else {
							r.put(i+1, j+1)
						}
					} else if i+1 < r.w && j >= 0 {
						r.put(i+1, j)
					} else {
						r.put(i, j+1)
					}
					changed = true
				}
			}
		}
	}
}

// polygons traces the set cells' outline: shells counter-clockwise, holes
// clockwise, each hole in the smallest shell around it. Call unpinch first.
func (r *raster) polygons() orb.MultiPolygon {
	type vtx = [2]int32
	next := map[vtx]vtx{}
	for j := range r.h {
		for i := range r.w {
			if !r.has(i, j) {
				continue
			}
			x, y := int32(i), int32(j)
			if !r.has(i, j-1) {
				next[vtx{x, y}] = vtx{x + 1, y}
			}
			if !r.has(i+1, j) {
				next[vtx{x + 1, y}] = vtx{x + 1, y + 1}
			}
			if !r.has(i, j+1) {
				next[vtx{x + 1, y + 1}] = vtx{x, y + 1}
			}
			if !r.has(i-1, j) {
				next[vtx{x, y + 1}] = vtx{x, y}
			}
		}
	}
	pt := func(v vtx) orb.Point {
		return orb.Point{r.lon0 + float64(v[0])*r.dlon, r.lat0 + float64(v[1])*r.dlat}
	}
	// Each ring belongs to the 4-connected patch of cells on its left:
	// label the patches, and a hole joins its patch's shell.
	label := r.patches()
	type ring struct {
		pts   orb.Ring
		patch int32
		shell bool
	}
	var rings []ring
	for len(next) > 0 {
		var start vtx
		for v := range next {
			start = v
			break
		}
		first := next[start]
		var left [2]int32 // the cell on the left of the first edge
		switch d := [2]int32{first[0] - start[0], first[1] - start[1]}; d {
		case [2]int32{1, 0}:
			left = start
		case [2]int32{0, 1}:
			left = [2]int32{start[0] - 1, start[1]}
		case [2]int32{-1, 0}:
			left = [2]int32{start[0] - 1, start[1] - 1}
		default:
			left = [2]int32{start[0], start[1] - 1}
		}
		// Walk the ring, keeping only the corners.
		var corners []vtx
		v := start
		for {
			w := next[v]
			delete(next, v)
			u := next[w]
			if (w[0]-v[0])*(u[1]-w[1])-(w[1]-v[1])*(u[0]-w[0]) != 0 || w == start {
				corners = append(corners, w)
			}
			v = w
			if v == start {
				break
			}
		}
		pts := make(orb.Ring, 0, len(corners)+1)
		var area2 int64
		for k, c := range corners {
			pts = append(pts, pt(c))
			d := corners[(k+1)%len(corners)]
			area2 += int64(c[0])*int64(d[1]) - int64(d[0])*int64(c[1])
		}
		pts = append(pts, pts[0])
		rings = append(rings, ring{pts: pts, patch: label[int(left[1])*r.w+int(left[0])], shell: area2 > 0})
	}
	var mp orb.MultiPolygon
	shellOf := map[int32]int{}
	for _, rg := range rings {
		if rg.shell {
			shellOf[rg.patch] = len(mp)
			mp = append(mp, orb.Polygon{rg.pts})
		}
	}
	for _, rg := range rings {
		if i, ok := shellOf[rg.patch]; ok && !rg.shell {
			mp[i] = append(mp[i], rg.pts)
		}
	}
	if mp == nil {
		mp = orb.MultiPolygon{}
	}
	return mp
}

// patches labels the 4-connected patches of set cells (-1: unset).
func (r *raster) patches() []int32 {
	label := make([]int32, r.w*r.h)
	for i := range label {
		label[i] = -1
	}
	var queue []int
	var next int32
	for start := range label {
		if label[start] >= 0 || !r.has(start%r.w, start/r.w) {
			continue
		}
		label[start] = next
		queue = append(queue[:0], start)
		for len(queue) > 0 {
			n := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			i, j := n%r.w, n/r.w
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				if x, y := i+d[0], j+d[1]; r.has(x, y) && label[y*r.w+x] < 0 {
					label[y*r.w+x] = next
					queue = append(queue, y*r.w+x)
				}
			}
		}
		next++
	}
	return label
}
