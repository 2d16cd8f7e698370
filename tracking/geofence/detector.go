package geofence

import (
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"
)

// EventType is "enter" or "leave".
type EventType string

const (
	Enter EventType = "enter"
	Leave EventType = "leave"
)

// Event says a unit entered or left a fence, at the time of the fix that
// showed it.
type Event struct {
	Unit   string    `json:"unit_id"`
	Type   EventType `json:"type"`
	Fence  string    `json:"fence_id"`
	Name   string    `json:"fence_name"`
	Kind   Kind      `json:"kind"`
	Agency string    `json:"agency,omitempty"` // the fence's agency
	At     time.Time `json:"at"`
	Point  orb.Point `json:"point"`
}

// Fix is the part of a GPS fix the detector needs.
type Fix struct {
	Point     orb.Point // WGS 84 [lon, lat]
	At        time.Time // the tracker's fix time
	AccuracyM float64   // horizontal accuracy in metres; 0 when unknown
}

// Config tunes enter/leave detection.
type Config struct {
	// LeaveM is the hysteresis band in metres: a unit enters a fence with
	// its first fix inside, and leaves only with a fix at least LeaveM
	// outside. Trackers and phones in a low-rise city are off by 5–15 m
	// (more near buildings), and an ambulance parked at the hospital door
	// sits on the fence's edge: without the band every jitter across the
	// line would be a leave and an enter. 30 m is twice the usual error,
	// and a unit that really drives away passes it within seconds. Entering
	// is not delayed (no dwell), so "at hospital" is suggested at once.
	LeaveM float64
	// MaxAccuracyM: fixes reporting a worse accuracy are ignored (neither
	// enter nor leave); 0 accepts every fix.
	MaxAccuracyM float64
}

// DefaultConfig is 30 m of hysteresis, fixes worse than 100 m ignored.
func DefaultConfig() Config { return Config{LeaveM: 30, MaxAccuracyM: 100} }

// Detector turns one unit's successive fixes into enter and leave events.
// It is not safe for concurrent use; Tracker holds one per unit.
type Detector struct {
	unit   string
	cfg    Config
	inside map[string]bool // fence ids the unit is in
	last   time.Time
	buf    []*Fence
}

// NewDetector starts a unit outside every fence.
func NewDetector(unit string, cfg Config) *Detector {
	return &Detector{unit: unit, cfg: cfg, inside: map[string]bool{}}
}

// Inside lists the fences the unit is in, sorted.
func (d *Detector) Inside() []string {
	ids := make([]string, 0, len(d.inside))
	for id := range d.inside {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Update checks one fix against ix and appends to dst the events it causes:
// leaves first (by fence id), then enters. A fix not newer than the last
// one seen (late or repeated delivery) or too inaccurate changes nothing.
// A fence no longer in ix is forgotten without an event: it was removed,
// the unit did not move.
func (d *Detector) Update(dst []Event, ix *Index, fix Fix) []Event {
	if !fix.At.After(d.last) || (d.cfg.MaxAccuracyM > 0 && fix.AccuracyM > d.cfg.MaxAccuracyM) {
		return dst
	}
	d.last = fix.At
	d.buf = ix.Containing(d.buf[:0], fix.Point)
	var gone []string
	for id := range d.inside {
		if slices.ContainsFunc(d.buf, func(f *Fence) bool { return f.ID == id }) {
			continue
		}
		f, ok := ix.Fence(id)
		if !ok {
			delete(d.inside, id)
			continue
		}
		if f.OutsideM(fix.Point) >= d.cfg.LeaveM {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	for _, id := range gone {
		f, _ := ix.Fence(id)
		delete(d.inside, id)
		dst = append(dst, d.event(Leave, f, fix))
	}
	slices.SortFunc(d.buf, func(a, b *Fence) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	for _, f := range d.buf {
		if !d.inside[f.ID] {
			d.inside[f.ID] = true
			dst = append(dst, d.event(Enter, f, fix))
		}
	}
	return dst
}

func (d *Detector) event(t EventType, f *Fence, fix Fix) Event {
	return Event{Unit: d.unit, Type: t, Fence: f.ID, Name: f.Name, Kind: f.Kind, Agency: f.Agency, At: fix.At, Point: fix.Point}
}

// Tracker keeps a detector per unit over one index that can be swapped when
// the fences change. Its lock guards memory only and is held for the
// microseconds of one check.
type Tracker struct {
	mu    sync.Mutex
	ix    *Index
	cfg   Config
	units map[string]*Detector
}

// NewTracker tracks units against ix.
func NewTracker(ix *Index, cfg Config) *Tracker {
	return &Tracker{ix: ix, cfg: cfg, units: map[string]*Detector{}}
}

// SetIndex swaps in a new set of fences. Units stay inside fences that
// remain (by id); removed fences are forgotten without events.
func (t *Tracker) SetIndex(ix *Index) {
	t.mu.Lock()
	t.ix = ix
	t.mu.Unlock()
}

// Index returns the current fences.
func (t *Tracker) Index() *Index {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ix
}

// Observe feeds one fix of a unit and returns the events it causes.
func (t *Tracker) Observe(unit string, fix Fix) []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, ok := t.units[unit]
	if !ok {
		d = NewDetector(unit, t.cfg)
		t.units[unit] = d
	}
	return d.Update(nil, t.ix, fix)
}

// Forget drops a unit's state (the unit was deleted).
func (t *Tracker) Forget(unit string) {
	t.mu.Lock()
	delete(t.units, unit)
	t.mu.Unlock()
}
