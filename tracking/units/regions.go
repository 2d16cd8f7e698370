package units

import (
	"context"
	"fmt"
	"math"

	"siaga112/geo"
	"siaga112/tracking"
)

// Region events: a unit entering or leaving a region, detected by the
// server from its fixes (geofences, Trigger "geofence") or reported by its
// tracker (OwnTracks transitions). Each is recorded through the one change
// path (persisted in region_events with a database, an audit row) and
// published on the bus; the newest MaxRegionEventsPerUnit of each unit are
// kept in memory for GET /api/units/{id}/events and the map.

// MaxRegionEventsPerUnit bounds the region events kept in memory per unit.
const MaxRegionEventsPerUnit = 200

// TriggerGeofence marks a region event the server detected from the fixes.
const TriggerGeofence = "geofence"

// RecordRegionEvent keeps, persists and publishes e. It never waits for
// the database. A tracker's transition for a region that is also a
// geofence (its region id is the fence's id) drives the geofence rules as
// a detected one does.
func (s *Service) RecordRegionEvent(e tracking.RegionEvent) error {
	if err := tracking.ValidateID("unit id", e.UnitID); err != nil {
		return err
	}
	if _, err := s.cfg.Fleet.Get(e.UnitID); err != nil {
		return err // memory is kept for registered units only
	}
	if e.Kind != tracking.RegionEnter && e.Kind != tracking.RegionLeave {
		return tracking.Errorf(tracking.CodeInvalid, "region event kind %q: use \"enter\" or \"leave\"", clip(string(e.Kind)))
	}
	if e.At.IsZero() {
		return tracking.Errorf(tracking.CodeInvalid, "region event without a time")
	}
	e.Region = tracking.CleanLabel(e.Region, tracking.MaxRegionNameLen)
	e.RegionID = tracking.CleanLabel(e.RegionID, tracking.MaxRegionNameLen)
	e.Trigger = tracking.CleanLabel(e.Trigger, 16)
	if e.HasPosition && (!geo.ValidLatLon(e.Lat, e.Lon) || (e.Lat == 0 && e.Lon == 0)) {
		e.HasPosition, e.Lon, e.Lat = false, 0, 0 // an impossible position is dropped, the event kept
	}
	if e.AccuracyM.Valid && (e.AccuracyM.Value < 0 || math.IsNaN(e.AccuracyM.Value) || math.IsInf(e.AccuracyM.Value, 0)) {
		e.AccuracyM = tracking.Optional{}
	}
	s.keepRegionEvent(e)
	s.record(tracking.Change{
		Audit:  tracking.Audit{Action: "unit.region_" + string(e.Kind), Actor: regionActor(e)},
		Action: "region", At: s.cfg.Now(), Region: &e,
	})
	if e.Trigger != TriggerGeofence && e.RegionID != "" {
		s.applyTrackerTransition(e)
	}
	return nil
}

// RegionEvents returns the unit's kept region events, oldest first.
func (s *Service) RegionEvents(unitID string) []tracking.RegionEvent {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	r := s.regions[unitID]
	out := make([]tracking.RegionEvent, 0, len(r))
	return append(out, r...)
}

func (s *Service) keepRegionEvent(e tracking.RegionEvent) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if s.regions == nil {
		s.regions = map[string][]tracking.RegionEvent{}
	}
	r := append(s.regions[e.UnitID], e)
	if len(r) > MaxRegionEventsPerUnit {
		r = append(r[:0:0], r[len(r)-MaxRegionEventsPerUnit:]...)
	}
	s.regions[e.UnitID] = r
}

func regionActor(e tracking.RegionEvent) string {
	if e.Trigger == TriggerGeofence {
		return "detected: geofence"
	}
	return "tracker"
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// regionHistory is a store that keeps region events (PostgreSQL).
type regionHistory interface {
	RecentRegionEvents(ctx context.Context, perUnit int) ([]tracking.RegionEvent, error)
}

// loadRegionEvents starts the memory with the store's newest events.
func (s *Service) loadRegionEvents(ctx context.Context) error {
	h, ok := s.cfg.Store.(regionHistory)
	if !ok {
		return nil
	}
	evs, err := h.RecentRegionEvents(ctx, MaxRegionEventsPerUnit)
	if err != nil {
		return fmt.Errorf("load region events: %w", err)
	}
	for _, e := range evs {
		s.keepRegionEvent(e)
	}
	return nil
}
