package fleet

import (
	"time"

	"github.com/paulmach/orb"

	"siaga112/tracking"
)

// Reserved is a unit taken for an incident, with its great-circle distance
// from the incident in metres.
type Reserved struct {
	Unit      tracking.Unit
	DistanceM float64
}

// Reserve marks the named units dispatched, all or none, under one lock: a
// unit that is unknown or not available fails the whole call with an error
// naming it, and nothing changes. The dispatcher chose these units, so their
// liveness is not judged here.
func (ix *Index) Reserve(ids []string, p orb.Point, at time.Time) ([]Reserved, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	seen := map[string]bool{}
	es := make([]*entry, 0, len(ids))
	for _, id := range ids {
		e, ok := ix.units[id]
		switch {
		case !ok:
			return nil, tracking.Errorf(tracking.CodeNotFound, "unit %q is not registered", id)
		case seen[id]:
			return nil, tracking.Errorf(tracking.CodeInvalid, "unit %q is named twice", id)
		case e.unit.Disabled:
			return nil, tracking.Errorf(tracking.CodeConflict, "unit %s (%s) is disabled: it cannot be dispatched", id, e.unit.Callsign)
		case e.unit.Status != tracking.Available:
			return nil, tracking.Errorf(tracking.CodeConflict, "unit %s (%s) is not available: it is %s", id, e.unit.Callsign, e.unit.Status)
		}
		seen[id] = true
		es = append(es, e)
	}
	return ix.take(es, p, at), nil
}

// ReserveNearest takes up to n of the nearest available, live units of type
// t to p and marks them dispatched, under one lock, so two incidents can
// never take the same unit. It returns them nearest first; fewer than n when
// fewer can be sent.
func (ix *Index) ReserveNearest(p orb.Point, t tracking.UnitType, n int, at time.Time) []Reserved {
	ti := typeIndex(t)
	if n <= 0 || ti < 0 {
		return nil
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	now := ix.cfg.Now()
	es := make([]*entry, 0, n)
	// Collect first, change after: the tree must not change under Nearby.
	ix.nearby(&ix.avail[ti], p, func(e *entry, _ float64) bool {
		if ix.liveness(e, now) == tracking.Live {
			es = append(es, e)
		}
		return len(es) < n
	})
	return ix.take(es, p, at)
}

// take marks entries dispatched. Caller holds the write lock.
func (ix *Index) take(es []*entry, p orb.Point, at time.Time) []Reserved {
	now := ix.cfg.Now()
	out := make([]Reserved, 0, len(es))
	for _, e := range es {
		ix.unindex(e)
		e.unit.Status = tracking.Dispatched
		if at.After(e.unit.StatusAt) {
			e.unit.StatusAt = at
		}
		ix.index(e)
		d := 0.0
		if e.unit.HasPosition() {
			d = distanceTo(p, e)
		}
		out = append(out, Reserved{Unit: ix.view(e, now), DistanceM: d})
	}
	return out
}
