package units

import (
	"sync"

	"siaga112/tracking"
)

// RegionRing is how many region events are kept in memory per unit.
const RegionRing = 64

// regionLog keeps each unit's newest region events, oldest first.
type regionLog struct {
	mu     sync.Mutex
	byUnit map[string][]tracking.RegionEvent
}

// RecordRegionEvent records a unit entering or leaving a region its
// tracker watches (an OwnTracks transition): it is kept with the unit and
// published on the bus (kind "region"). It never waits for the database.
func (s *Service) RecordRegionEvent(e tracking.RegionEvent) error {
	if _, err := s.cfg.Fleet.Get(e.UnitID); err != nil {
		return err
	}
	if e.Kind != tracking.RegionEnter && e.Kind != tracking.RegionLeave {
		return tracking.Errorf(tracking.CodeInvalid, "a region event is %q or %q, not %q", tracking.RegionEnter, tracking.RegionLeave, e.Kind)
	}
	e.Region = tracking.CleanLabel(e.Region, tracking.MaxRegionNameLen)
	e.RegionID = tracking.CleanLabel(e.RegionID, tracking.MaxRegionNameLen)
	l := &s.regions
	l.mu.Lock()
	if l.byUnit == nil {
		l.byUnit = map[string][]tracking.RegionEvent{}
	}
	evs := append(l.byUnit[e.UnitID], e)
	if len(evs) > RegionRing {
		evs = append(evs[:0:0], evs[len(evs)-RegionRing:]...)
	}
	l.byUnit[e.UnitID] = evs
	l.mu.Unlock()
	s.cfg.Bus.Publish(tracking.Event{Kind: "region", Action: string(e.Kind), At: s.cfg.Now(), Region: &e})
	return nil
}

// RegionEvents returns a unit's newest region events, oldest first.
func (s *Service) RegionEvents(unitID string) []tracking.RegionEvent {
	l := &s.regions
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]tracking.RegionEvent(nil), l.byUnit[unitID]...)
}
