package fleet

import (
	"slices"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
)

// snap attaches a fix to the road network (geo.OffRoad without one).
func (ix *Index) snap(p tracking.Position) geo.RoadPoint {
	if ix.cfg.Snap == nil {
		return geo.OffRoad
	}
	return ix.cfg.Snap(orb.Point{p.Lon, p.Lat})
}

// Candidate is a unit that can be sent now, as a road search needs it.
type Candidate struct {
	ID, Callsign, Agency string
	Type                 tracking.UnitType
	Position             orb.Point
	Road                 geo.RoadPoint // geo.OffRoad: beyond the snap limit, or no network
}

// Available appends to dst every available live unit of type t, in no
// particular order: the road search ranks them (by driving time, which
// the R-tree's straight-line order does not bound). The read lock is held
// only while copying.
func (ix *Index) Available(dst []Candidate, t tracking.UnitType) []Candidate {
	ti := typeIndex(t)
	if ti < 0 {
		return dst
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	now := ix.cfg.Now()
	ix.avail[ti].Scan(func(_, _ [2]float64, e *entry) bool {
		if ix.liveness(e, now) == tracking.Live {
			u := &e.unit
			dst = append(dst, Candidate{ID: u.ID, Callsign: u.Callsign, Agency: u.Agency, Type: u.Type,
				Position: orb.Point{u.Position.Lon, u.Position.Lat}, Road: e.road})
		}
		return true
	})
	return dst
}

// ReserveFirst takes, in the order given, the first n of the named units
// that are still available and live, and marks them dispatched, under one
// lock: dispatch ranks by road outside the lock, and a unit taken by
// another incident meanwhile is skipped, never taken twice.
func (ix *Index) ReserveFirst(ids []string, n int, p orb.Point, at time.Time) []Reserved {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	now := ix.cfg.Now()
	es := make([]*entry, 0, n)
	for _, id := range ids {
		if len(es) == n {
			break
		}
		e, ok := ix.units[id]
		if ok && e.unit.Status == tracking.Available && !e.lwt && ix.liveness(e, now) == tracking.Live && !slices.Contains(es, e) {
			es = append(es, e)
		}
	}
	return ix.take(es, p, at)
}
