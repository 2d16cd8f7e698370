package basemap

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/osm"
)

// multipolygon builds a type=multipolygon relation's area: its outer and
// inner member ways joined end to end into rings, each inner ring a hole
// of the outer ring that holds it. Rings that do not close (members cut
// off by the extract's edge) are dropped.
func (ex *extract) multipolygon(r rawRelation) orb.MultiPolygon {
	outers := ex.rings(r.outer)
	if len(outers) == 0 {
		return nil
	}
	mp := make(orb.MultiPolygon, len(outers))
	for i, o := range outers {
		mp[i] = orb.Polygon{o}
	}
	for _, in := range ex.rings(r.inner) {
		for i := range mp {
			if planar.RingContains(mp[i][0], in[0]) {
				mp[i] = append(mp[i], in)
				break
			}
		}
	}
	return mp
}

// rings joins ways into closed rings by their end nodes.
func (ex *extract) rings(ways []osm.WayID) []orb.Ring {
	var parts [][]osm.NodeID
	for _, id := range ways {
		if ids, ok := ex.members[id]; ok {
			parts = append(parts, ids)
		}
	}
	used := make([]bool, len(parts))
	var out []orb.Ring
	for i := range parts {
		if used[i] {
			continue
		}
		used[i] = true
		ring := slices.Clone(parts[i])
		for ring[0] != ring[len(ring)-1] {
			next := ex.follow(parts, used, ring[len(ring)-1])
			if next == nil {
				break
			}
			ring = append(ring, next[1:]...)
		}
		if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
			continue
		}
		if r := closedRing(ex.line(ring)); r != nil {
			out = append(out, r)
		}
	}
	return out
}

// follow takes the unused part that starts or ends at node end, turned so
// that it starts there.
func (ex *extract) follow(parts [][]osm.NodeID, used []bool, end osm.NodeID) []osm.NodeID {
	for k, p := range parts {
		switch {
		case used[k]:
		case p[0] == end:
			used[k] = true
			return p
		case p[len(p)-1] == end:
			used[k] = true
			r := slices.Clone(p)
			slices.Reverse(r)
			return r
		}
	}
	return nil
}

// closedRing is ls as a ring, closed if nodes missing from the extract
// opened it; nil when too few points are left to enclose anything.
func closedRing(ls orb.LineString) orb.Ring {
	if len(ls) < 3 {
		return nil
	}
	r := orb.Ring(ls)
	if !r.Closed() {
		r = append(r, r[0])
	}
	if len(r) < 4 {
		return nil
	}
	return r
}
