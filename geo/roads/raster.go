package roads

import (
	"math"
	"math/bits"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
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
	var shells, holes []orb.Ring
	for len(next) > 0 {
		var start vtx
		for v := range next {
			start = v
			break
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
		ring := make(orb.Ring, 0, len(corners)+1)
		var area2 int64
		for k, c := range corners {
			ring = append(ring, pt(c))
			d := corners[(k+1)%len(corners)]
			area2 += int64(c[0])*int64(d[1]) - int64(d[0])*int64(c[1])
		}
		ring = append(ring, ring[0])
		if area2 > 0 {
			shells = append(shells, ring)
		} else {
			holes = append(holes, ring)
		}
	}
	mp := make(orb.MultiPolygon, len(shells))
	bounds := make([]orb.Bound, len(shells))
	areas := make([]float64, len(shells))
	for k, s := range shells {
		mp[k] = orb.Polygon{s}
		bounds[k] = s.Bound()
		areas[k] = planar.Area(s)
	}
	for _, h := range holes {
		p := h[0]
		best := -1
		for k, s := range shells {
			if bounds[k].Contains(p) && (best < 0 || areas[k] < areas[best]) && planar.RingContains(s, p) {
				best = k
			}
		}
		if best >= 0 {
			mp[best] = append(mp[best], h)
		}
	}
	return mp
}
