package memstore

import (
	"context"
	"math"
	"sort"
	"sync"
	"time"

	"siaga112/tracking"
)

// Positions keeps the last fixes of each unit in memory, a bounded ring per
// unit, for the track history of a server without a database. Memory is
// bounded twice: each unit keeps at most perUnit fixes, and once maxTotal
// fixes are held in all, rings stop growing (each still keeps at least
// minRing, the newest), so a fleet of 10,000 units cannot take gigabytes.
type Positions struct {
	perUnit, maxTotal int
	mu                sync.RWMutex
	units             map[string]*ring
	total             int
}

// point is a fix in 36 bytes: absent readings are NaN.
type point struct {
	lon, lat              float64
	at                    int64 // Unix nanoseconds
	speed, heading, accur float32
}

type ring struct {
	pts  []point // oldest at next once it wraps
	next int
	full bool
}

const (
	// DefaultPositionsPerUnit: a fix every 5 s for an hour.
	DefaultPositionsPerUnit = 720
	// DefaultPositionsTotal bounds all rings together (~72 MB).
	DefaultPositionsTotal = 2_000_000
	minRing               = 16
)

// NewPositions keeps perUnit fixes per unit and maxTotal in all (the
// defaults when <= 0).
func NewPositions(perUnit, maxTotal int) *Positions {
	if perUnit <= 0 {
		perUnit = DefaultPositionsPerUnit
	}
	if maxTotal <= 0 {
		maxTotal = DefaultPositionsTotal
	}
	return &Positions{perUnit: perUnit, maxTotal: maxTotal, units: map[string]*ring{}}
}

var (
	_ tracking.PositionLog = (*Positions)(nil)
	_ tracking.TrackReader = (*Positions)(nil)
)

func opt32(o tracking.Optional) float32 {
	if !o.Valid {
		return float32(math.NaN())
	}
	return float32(o.Value)
}

func optOf(f float32) tracking.Optional {
	if f != f { // NaN
		return tracking.Optional{}
	}
	return tracking.Some(float64(f))
}

// Append implements tracking.PositionLog: O(1), no allocation once a
// unit's ring has stopped growing.
func (p *Positions) Append(unitID string, pos tracking.Position, _ time.Time) {
	tp := tracking.PositionTrackPoint(pos)
	pt := point{lon: tp.Lon, lat: tp.Lat, at: tp.At.UnixNano(), speed: opt32(tp.SpeedKmh), heading: opt32(tp.Heading), accur: opt32(tp.AccuracyM)}
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.units[unitID]
	if r == nil {
		r = &ring{}
		p.units[unitID] = r
	}
	if !r.full {
		if len(r.pts) < p.perUnit && (p.total < p.maxTotal || len(r.pts) < minRing) {
			r.pts = append(r.pts, pt)
			p.total++
			return
		}
		r.full = true
	}
	r.pts[r.next] = pt
	r.next = (r.next + 1) % len(r.pts)
}

// Track implements tracking.TrackReader.
func (p *Positions) Track(_ context.Context, unitID string, from, to time.Time, limit int) ([]tracking.TrackPoint, error) {
	f, t := from.UnixNano(), to.UnixNano()
	p.mu.RLock()
	var out []tracking.TrackPoint
	if r := p.units[unitID]; r != nil {
		for i := range r.pts {
			pt := r.pts[(r.next+i)%len(r.pts)]
			if pt.at >= f && pt.at < t {
				out = append(out, tracking.TrackPoint{Lon: pt.lon, Lat: pt.lat, At: time.Unix(0, pt.at).UTC(),
					SpeedKmh: optOf(pt.speed), Heading: optOf(pt.heading), AccuracyM: optOf(pt.accur)})
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
