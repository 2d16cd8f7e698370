package httpingest

import (
	"sync"
	"time"

	"siaga112/tracking"
)

var now = time.Date(2025, 11, 27, 0, 0, 0, 0, time.UTC) // 1764201600

// world is an in-memory server side for the ingest's own interfaces: units
// with device passwords, OwnTracks secrets and tracker ids, and what was
// applied.
type world struct {
	mu        sync.Mutex
	passwords map[string]string // unit → device password
	secrets   map[string][]byte // unit → OwnTracks passphrase
	trackers  map[string]string // tracker id → unit
	fixes     map[string][]tracking.Fix
	events    []tracking.RegionEvent
	fleetErr  error // returned by ApplyFix/RecordRegionEvent when set
}

func newWorld() *world {
	return &world{
		passwords: map[string]string{"AMB-01": "s3cret", "AMB-02": "other"},
		secrets:   map[string][]byte{"AMB-01": []byte("kota serang 112")},
		trackers:  map[string]string{"356938035643809": "AMB-01", "TRK-7": "AMB-02"},
		fixes:     map[string][]tracking.Fix{},
	}
}

func (w *world) CheckDevice(unit, pass string) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p, ok := w.passwords[unit]
	return "dinkes", ok && p == pass
}

func (w *world) OwnTracksSecret(unit string) []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.secrets[unit]
}

func (w *world) UnitByTrackerID(id string) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u, ok := w.trackers[id]
	return u, ok
}

func (w *world) ApplyFix(unit string, f tracking.Fix) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fleetErr != nil {
		return w.fleetErr
	}
	w.fixes[unit] = append(w.fixes[unit], f)
	return nil
}

func (w *world) RecordRegionEvent(e tracking.RegionEvent) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fleetErr != nil {
		return w.fleetErr
	}
	w.events = append(w.events, e)
	return nil
}

func (w *world) applied(unit string) []tracking.Fix {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]tracking.Fix(nil), w.fixes[unit]...)
}

func (w *world) total() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.events)
	for _, fs := range w.fixes {
		n += len(fs)
	}
	return n
}

func newIngest(w *world) *Ingest {
	return New(Config{Devices: w, Secrets: w, Trackers: w, Fleet: w, Now: func() time.Time { return now }})
}
