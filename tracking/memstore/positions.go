package memstore

import (
	"context"
	"sort"
	"sync"
	"time"

	"siaga112/tracking"
)

// Positions keeps the last fixes of each unit in memory, a bounded ring per
// unit, for the track history of a server without a database.
type Positions struct {
	perUnit int
	mu      sync.RWMutex
	units   map[string]*ring
}

type ring struct {
	pts  []tracking.TrackPoint // oldest at next when full
	next int
	full bool
}

// DefaultPositionsPerUnit: a fix every 5 s for 4 hours.
const DefaultPositionsPerUnit = 2880

// NewPositions keeps perUnit fixes per unit (DefaultPositionsPerUnit when
// <= 0).
func NewPositions(perUnit int) *Positions {
	if perUnit <= 0 {
		perUnit = DefaultPositionsPerUnit
	}
	return &Positions{perUnit: perUnit, units: map[string]*ring{}}
}

var (
	_ tracking.PositionLog = (*Positions)(nil)
	_ tracking.TrackReader = (*Positions)(nil)
)

// Append implements tracking.PositionLog: O(1), no allocation once a
// unit's ring is full.
func (p *Positions) Append(unitID string, pos tracking.Position, _ time.Time) {
	tp := tracking.PositionTrackPoint(pos)
	p.mu.Lock()
	r := p.units[unitID]
	if r == nil {
		r = &ring{}
		p.units[unitID] = r
	}
	if !r.full {
		r.pts = append(r.pts, tp)
		if len(r.pts) == p.perUnit {
			r.full = true
		}
	} else {
		r.pts[r.next] = tp
		r.next = (r.next + 1) % p.perUnit
	}
	p.mu.Unlock()
}

// Track implements tracking.TrackReader.
func (p *Positions) Track(_ context.Context, unitID string, from, to time.Time, limit int) ([]tracking.TrackPoint, error) {
	p.mu.RLock()
	var out []tracking.TrackPoint
	if r := p.units[unitID]; r != nil {
		for i := range r.pts {
			tp := r.pts[(r.next+i)%len(r.pts)]
			if !tp.At.Before(from) && tp.At.Before(to) {
				out = append(out, tp)
			}
		}
	}
	p.mu.RUnlock()
	// Fixes are applied in time order per unit, but keep the promise.
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}
