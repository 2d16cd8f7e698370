package dispatch

import (
	"context"
	"fmt"
	"time"

	"siaga112/tracking"
)

// An incident's lifecycle: each assignment's status, acknowledgement and
// closing, every step one change.

// unitStatusFor is the fleet status a unit takes when its assignment moves.
var unitStatusFor = map[tracking.AssignmentStatus]tracking.Status{
	tracking.AssignEnRoute:      tracking.EnRoute,
	tracking.AssignOnScene:      tracking.OnScene,
	tracking.AssignTransporting: tracking.Transporting,
	tracking.AssignAtHospital:   tracking.AtHospital,
	tracking.AssignCleared:      tracking.Available,
}

// SetAssignmentStatus moves one unit's assignment forward (the dispatcher's
// button). Clearing makes the unit available again; the incident closes
// when its last assignment clears.
func (s *Service) SetAssignmentStatus(ctx context.Context, incidentID, unitID string, st tracking.AssignmentStatus, actor string) (tracking.Incident, error) {
	if _, ok := unitStatusFor[st]; !ok {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeInvalid, "status %q cannot be set: use en_route, on_scene, transporting, at_hospital or cleared", st)
	}
	s.mu.Lock()
	in, ok := s.incidents[incidentID]
	if !ok {
		s.mu.Unlock()
		return tracking.Incident{}, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", incidentID)
	}
	i := openAssignment(in, unitID)
	if i < 0 {
		s.mu.Unlock()
		return tracking.Incident{}, tracking.Errorf(tracking.CodeNotFound, "unit %s has no open assignment on incident %s", unitID, incidentID)
	}
	now := s.cfg.Now()
	before := in.Clone()
	c, err := s.advance(in, i, st, now, false, true, actor)
	if err != nil {
		s.mu.Unlock()
		return tracking.Incident{}, err
	}
	done := s.journal.Record(c)
	s.mu.Unlock()
	persisted, err := wait(done)
	if err != nil {
		s.restore(before, c)
		return tracking.Incident{}, fmt.Errorf("save assignment status: %w", err)
	}
	out := *c.Incident
	out.Persisted = persisted
	return out, nil
}

// assignmentUnitStatus is the unit status that goes with an open assignment.
func assignmentUnitStatus(st tracking.AssignmentStatus) tracking.Status {
	if st == tracking.AssignDispatched {
		return tracking.Dispatched
	}
	return unitStatusFor[st]
}

// advance moves assignment i of in to st at time at, in memory, and
// returns the change to record: the incident and, when setUnit, the unit
// with its new status (a crew's own report has set it already, and the
// unit comes with it too). Caller holds s.mu.
func (s *Service) advance(in *tracking.Incident, i int, st tracking.AssignmentStatus, at time.Time, detected, setUnit bool, actor string) (tracking.Change, error) {
	a := &in.Assignments[i]
	if st != tracking.AssignCleared && st.Rank() <= a.Status.Rank() {
		return tracking.Change{}, tracking.Errorf(tracking.CodeConflict, "unit %s is already %s on incident %s; an assignment only moves forward", a.UnitID, a.Status, in.ID)
	}
	t := at
	a.Status = st
	switch st {
	case tracking.AssignEnRoute:
		a.EnRouteAt = &t
		if in.EnRouteAt == nil {
			in.EnRouteAt = &t
		}
	case tracking.AssignOnScene:
		a.OnSceneAt, a.OnSceneDetected = &t, detected
		if a.EnRouteAt == nil {
			a.EnRouteAt = &t
		}
		if in.EnRouteAt == nil {
			in.EnRouteAt = &t
		}
		if in.OnSceneAt == nil || t.Before(*in.OnSceneAt) {
			in.OnSceneAt = &t
		}
	case tracking.AssignTransporting:
		a.TransportingAt = &t
	case tracking.AssignAtHospital:
		a.AtHospitalAt = &t
	case tracking.AssignCleared:
		a.ClearedAt = &t
	}
	if st == tracking.AssignCleared && !anyOpen(in) {
		in.ClearedAt = &t
		in.Status, in.ClosedAt = tracking.IncidentClosed, &t
	}
	if st == tracking.AssignCleared {
		delete(s.active, a.UnitID)
		delete(s.near, a.UnitID)
	}
	if setUnit {
		s.cfg.Fleet.SetStatus(a.UnitID, unitStatusFor[st], s.cfg.Now())
	}
	c := tracking.Change{Audit: tracking.Audit{Action: "assignment." + string(st), Actor: actor}, Action: "assignment", At: s.cfg.Now(), Incident: ptr(in.Clone())}
	if u, err := s.cfg.Fleet.Get(a.UnitID); err == nil {
		c.Units = []tracking.Unit{u}
	}
	return c, nil
}

// restore puts an incident back as it was before a change the store
// refused, with its units' statuses and the open-assignment map.
func (s *Service) restore(before tracking.Incident, c tracking.Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.incidents[before.ID]
	if !ok {
		return
	}
	*in = before
	now := s.cfg.Now()
	for _, a := range before.Assignments {
		if a.Open() {
			s.active[a.UnitID] = before.ID
			s.cfg.Fleet.SetStatus(a.UnitID, assignmentUnitStatus(a.Status), now)
		}
	}
	s.log.Error("change refused by the store; taken back", "incident", before.ID, "action", c.Audit.Action)
}

func openAssignment(in *tracking.Incident, unitID string) int {
	for i, a := range in.Assignments {
		if a.UnitID == unitID && a.Open() {
			return i
		}
	}
	return -1
}

func anyOpen(in *tracking.Incident) bool {
	for _, a := range in.Assignments {
		if a.Open() {
			return true
		}
	}
	return false
}

// Ack records that the lead agency acted on the incident (the SOP clock
// stops).
func (s *Service) Ack(ctx context.Context, incidentID, actor string) (tracking.Incident, error) {
	return s.update(incidentID, "acknowledged", actor, func(in *tracking.Incident, now time.Time) ([]string, error) {
		if in.Status == tracking.IncidentClosed {
			return nil, tracking.Errorf(tracking.CodeConflict, "incident %s is closed; there is nothing left to acknowledge", in.ID)
		}
		if in.AgencyActedAt == nil {
			in.AgencyActedAt = &now
		}
		return nil, nil
	})
}

// Close ends an incident by hand, clearing every open assignment (the units
// become available) in the same change.
func (s *Service) Close(ctx context.Context, incidentID, actor string) (tracking.Incident, error) {
	return s.update(incidentID, "closed", actor, func(in *tracking.Incident, now time.Time) ([]string, error) {
		if in.Status == tracking.IncidentClosed {
			return nil, tracking.Errorf(tracking.CodeConflict, "incident %s is closed already; it cannot be closed twice", in.ID)
		}
		var freed []string
		for i := range in.Assignments {
			if a := &in.Assignments[i]; a.Open() {
				a.Status, a.ClearedAt = tracking.AssignCleared, &now
				freed = append(freed, a.UnitID)
			}
		}
		if len(freed) > 0 {
			in.ClearedAt = &now
		}
		in.Status, in.ClosedAt = tracking.IncidentClosed, &now
		return freed, nil
	})
}

// update applies edit to an incident in memory, frees the units it
// returns, records the whole as one change and waits for the store.
func (s *Service) update(id, action, actor string, edit func(*tracking.Incident, time.Time) (freed []string, err error)) (tracking.Incident, error) {
	s.mu.Lock()
	in, ok := s.incidents[id]
	if !ok {
		s.mu.Unlock()
		return tracking.Incident{}, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", id)
	}
	before := in.Clone()
	now := s.cfg.Now()
	freed, err := edit(in, now)
	if err != nil {
		s.mu.Unlock()
		return tracking.Incident{}, err
	}
	c := tracking.Change{Audit: tracking.Audit{Action: "incident." + action, Actor: actor}, Action: action, At: now, Incident: ptr(in.Clone())}
	for _, u := range freed {
		delete(s.active, u)
		delete(s.near, u)
		s.cfg.Fleet.SetStatus(u, tracking.Available, now)
		if u, err := s.cfg.Fleet.Get(u); err == nil {
			c.Units = append(c.Units, u)
		}
	}
	done := s.journal.Record(c)
	s.mu.Unlock()
	persisted, err := wait(done)
	if err != nil {
		s.restore(before, c)
		return tracking.Incident{}, fmt.Errorf("save incident: %w", err)
	}
	out := *c.Incident
	out.Persisted = persisted
	return out, nil
}
