package memstore

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
)

// Trips answers the ETA accuracy report from the incidents in Store and the
// fixes in Positions (which hold each unit's last fixes only: older trips
// lose their arrival fix).
type Trips struct {
	Store     *Store
	Positions *Positions
}

var _ tracking.ETATripReader = Trips{}

// ETATrips implements tracking.ETATripReader.
func (t Trips) ETATrips(_ context.Context, q tracking.ETATripQuery) ([]tracking.ETATrip, error) {
	type pending struct {
		trip  tracking.ETATrip
		seq   int
		at    orb.Point
		until int64 // Unix ns
	}
	var ps []pending
	t.Store.mu.Lock()
	for _, in := range t.Store.incidents {
		for i, a := range in.Assignments {
			if !q.Selects(a) {
				continue
			}
			until := int64(math.MaxInt64) // open: no end yet
			if a.ClearedAt != nil {
				until = a.ClearedAt.UnixNano()
			}
			ps = append(ps, pending{tracking.ETATrip{IncidentID: in.ID, UnitID: a.UnitID, UnitType: a.UnitType, EtaModel: a.EtaModel,
				ETASeconds: a.ETASeconds, DispatchedAt: a.DispatchedAt}, i, orb.Point{in.Lon, in.Lat}, until})
		}
	}
	t.Store.mu.Unlock()
	slices.SortFunc(ps, func(a, b pending) int {
		return cmp.Or(a.trip.DispatchedAt.Compare(b.trip.DispatchedAt), cmp.Compare(a.trip.IncidentID, b.trip.IncidentID), cmp.Compare(a.seq, b.seq))
	})
	out := make([]tracking.ETATrip, len(ps))
	for i, p := range ps {
		out[i] = p.trip
		if t.Positions != nil {
			if at, ok := t.Positions.firstWithin(p.trip.UnitID, p.trip.DispatchedAt.UnixNano(), p.until, p.at, q.RadiusM); ok {
				out[i].ArrivedAt = &at
			}
		}
	}
	return out, nil
}

// firstWithin is the time of unitID's earliest fix with from <= At <= to
// (Unix ns) within radius metres (great-circle) of c.
func (p *Positions) firstWithin(unitID string, f, u int64, c orb.Point, radius float64) (time.Time, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	r := p.units[unitID]
	if r == nil {
		return time.Time{}, false
	}
	best, found := int64(0), false
	for _, pt := range r.pts {
		if pt.at < f || pt.at > u || (found && pt.at >= best) {
			continue
		}
		if geo.Distance(c, orb.Point{pt.lon, pt.lat}) <= radius {
			best, found = pt.at, true
		}
	}
	return time.Unix(0, best).UTC(), found
}
