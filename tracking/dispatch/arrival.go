package dispatch

import (
	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
)

// What the units service tells dispatch (units.Follower): a unit's fixes,
// to detect its arrival on scene, and its crew's status, which moves its
// assignment.

// Moved watches an assigned unit's fixes for its arrival on scene.
func (s *Service) Moved(u tracking.Unit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if incID, busy := s.active[u.ID]; busy {
		s.detectArrival(u.ID, incID, u.Position)
	}
}

// detectArrival marks a unit on scene when its fixes stay within the arrival
// radius for the dwell time; the on-scene time is its first fix inside.
// Caller holds s.mu.
func (s *Service) detectArrival(unitID, incidentID string, p tracking.Position) {
	in := s.incidents[incidentID]
	i := openAssignment(in, unitID)
	if i < 0 || in.Assignments[i].Status.Rank() >= tracking.AssignOnScene.Rank() {
		delete(s.near, unitID)
		return
	}
	if geo.Distance(orb.Point{p.Lon, p.Lat}, orb.Point{in.Lon, in.Lat}) > s.cfg.ArrivalRadiusM {
		delete(s.near, unitID)
		return
	}
	since, ok := s.near[unitID]
	if !ok {
		s.near[unitID] = p.At
		return
	}
	if p.At.Sub(since) < s.cfg.ArrivalDwell {
		return
	}
	if s.cfg.Leading != nil && !s.cfg.Leading() {
		return // another instance records it; its notice brings it here (and keeps watching should it die)
	}
	delete(s.near, unitID)
	c, err := s.advance(in, i, tracking.AssignOnScene, since, true, true, "system")
	if err != nil {
		s.log.Error("arrival detected but not recorded", "unit", unitID, "incident", incidentID, "err", err)
		return
	}
	s.journal.Record(c) // not awaited: this is the ingest's goroutine
	s.log.Info("unit arrived on scene (detected from its fixes)", "unit", unitID, "incident", incidentID)
}

// crewToAssignment maps a crew's reported status onto its assignment.
var crewToAssignment = map[tracking.Status]tracking.AssignmentStatus{
	tracking.EnRoute:      tracking.AssignEnRoute,
	tracking.OnScene:      tracking.AssignOnScene,
	tracking.Transporting: tracking.AssignTransporting,
	tracking.AtHospital:   tracking.AssignAtHospital,
	// Back in service, heading home or broken down: done with this incident.
	tracking.Available:    tracking.AssignCleared,
	tracking.Returning:    tracking.AssignCleared,
	tracking.OutOfService: tracking.AssignCleared,
}

// TakeStatus moves the assignment of a unit whose status was just set (by
// its crew or a dispatcher) and records both as one change, without waiting
// for the store (the caller may: a dispatcher's request does, the ingest
// does not). A report that would move the assignment backwards is left to
// the units service (the unit alone changes): nil.
func (s *Service) TakeStatus(u tracking.Unit, actor string) <-chan error {
	s.mu.Lock()
	defer s.mu.Unlock()
	incID, busy := s.active[u.ID]
	if !busy {
		return nil
	}
	in := s.incidents[incID]
	as, ok := crewToAssignment[u.Status]
	if !ok {
		return nil
	}
	i := openAssignment(in, u.ID)
	if i < 0 || (as != tracking.AssignCleared && as.Rank() <= in.Assignments[i].Status.Rank()) {
		return nil
	}
	c, err := s.advance(in, i, as, u.StatusAt, false, false, actor)
	if err != nil {
		s.log.Error("crew status not recorded on the assignment", "unit", u.ID, "incident", incID, "err", err)
		return nil
	}
	return s.journal.Record(c)
}
