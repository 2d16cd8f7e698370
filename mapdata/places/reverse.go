package places

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"siaga112/geo"
)

// How far reverse geocoding looks, in metres.
const (
	ReverseStreetM = 200
	ReversePlaceM  = 100
)

// reverseIndex finds streets and places near a point.
type reverseIndex struct {
	ix       *index
	segments rtree.RTreeG[segment] // streets' segments
	points   rtree.RTreeG[uint32]  // POIs and book entries → feature
}

type segment struct {
	feat uint32
	a, b orb.Point
}

func newReverseIndex(ix *index) *reverseIndex {
	r := &reverseIndex{ix: ix}
	if ix == nil {
		return r
	}
	for fi := range ix.feats {
		f := &ix.feats[fi]
		switch {
		case f.street >= 0:
			for _, l := range ix.streets[f.street].lines {
				for i := 1; i < len(l); i++ {
					b := orb.Bound{Min: l[i-1], Max: l[i-1]}.Extend(l[i])
					r.segments.Insert(b.Min, b.Max, segment{feat: uint32(fi), a: l[i-1], b: l[i]})
				}
			}
		case f.kind == KindKelurahan || f.kind == KindKecamatan:
		default:
			r.points.Insert(f.point, f.point, uint32(fi))
		}
	}
	return r
}

// Near is a named thing near a point.
type Near struct {
	ID, Name, Kind, Source string
	DistanceM              float64 // great-circle metres to its nearest point
}

// Reverse names what is at pt: the nearest named street within
// ReverseStreetM (its line's nearest point, not a vertex; nil without an
// extract) and the nearest POI or book entry within ReversePlaceM.
func (p *Places) Reverse(pt orb.Point) (street, place *Near) {
	book := p.book.Load()
	street = p.rev.nearestStreet(pt)
	place = closer(p.rev.nearestPoint(pt), book.rev.nearestPoint(pt))
	return street, place
}

func closer(a, b *Near) *Near {
	if a == nil || (b != nil && b.DistanceM < a.DistanceM) {
		return b
	}
	return a
}

// around is the box within m metres of pt.
func around(pt orb.Point, m float64) (min, max [2]float64) {
	dLat := m / metresPerDegree
	dLon := dLat / math.Max(math.Cos(pt[1]*math.Pi/180), 0.01)
	return [2]float64{pt[0] - dLon, pt[1] - dLat}, [2]float64{pt[0] + dLon, pt[1] + dLat}
}

func (r *reverseIndex) nearestStreet(pt orb.Point) *Near {
	var best *Near
	lo, hi := around(pt, ReverseStreetM)
	r.segments.Search(lo, hi, func(_, _ [2]float64, s segment) bool {
		d := geo.Distance(pt, nearestOnSegment(pt, s.a, s.b))
		if d <= ReverseStreetM && (best == nil || d < best.DistanceM) {
			f := &r.ix.feats[s.feat]
			best = &Near{ID: f.id, Name: f.names[0], Kind: f.kind, Source: f.source, DistanceM: d}
		}
		return true
	})
	return best
}

func (r *reverseIndex) nearestPoint(pt orb.Point) *Near {
	var best *Near
	lo, hi := around(pt, ReversePlaceM)
	r.points.Search(lo, hi, func(_, _ [2]float64, fi uint32) bool {
		f := &r.ix.feats[fi]
		d := geo.Distance(pt, f.point)
		if d <= ReversePlaceM && (best == nil || d < best.DistanceM) {
			best = &Near{ID: f.id, Name: f.names[0], Kind: f.kind, Source: f.source, DistanceM: d}
		}
		return true
	})
	return best
}
