package dispatch

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

// DispatchResult says what a dispatch did.
type DispatchResult struct {
	Incident tracking.Incident     `json:"incident"`
	Assigned []tracking.Assignment `json:"assigned"`
	// Shortfall: what the plan asks for that no available live unit could
	// cover at this instant.
	Shortfall []Need `json:"shortfall"`
}

// Dispatch sends units to an incident: the named ones (all or none; 409
// when one is not available), or, with none named, the best available live
// units for what the plan still needs. Reserving is atomic in the fleet
// index, so a unit is never in two open assignments. The incident, every
// new assignment and the units' statuses are one change: they commit
// together or not at all.
func (s *Service) Dispatch(ctx context.Context, incidentID string, unitIDs []string, actor string) (DispatchResult, error) {
	defer func(start time.Time) { s.metrics.dispatch.Observe(time.Since(start).Seconds()) }(time.Now())
	s.mu.Lock()
	in, ok := s.incidents[incidentID]
	if !ok {
		s.mu.Unlock()
		return DispatchResult{}, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", incidentID)
	}
	if in.Status != tracking.IncidentOpen {
		s.mu.Unlock()
		return DispatchResult{}, tracking.Errorf(tracking.CodeConflict, "incident %s is closed; no unit can be sent to it (record a new incident)", in.ID)
	}
	now := s.cfg.Now()
	taken, short, err := s.reserve(in, unitIDs, now)
	if err != nil {
		s.mu.Unlock()
		return DispatchResult{}, err
	}
	p := orb.Point{in.Lon, in.Lat}
	res := DispatchResult{Shortfall: short}
	c := tracking.Change{Audit: tracking.Audit{Action: "incident.dispatched", Actor: actor}, Action: "dispatched", At: now}
	for _, r := range taken {
		a := tracking.Assignment{
			UnitID: r.Unit.ID, UnitType: r.Unit.Type, Status: tracking.AssignDispatched,
			DistanceM: math.Round(r.DistanceM), DispatchedAt: now, DispatchedBy: actor,
		}
		// A unit with no position has no ETA, and no model: the ETA
		// accuracy report leaves it out.
		if r.Unit.HasPosition() {
			a.ETASeconds, a.EtaModel = s.unitETA(r.Unit, p)
		}
		in.Assignments = append(in.Assignments, a)
		res.Assigned = append(res.Assigned, a)
		s.active[a.UnitID] = in.ID
		delete(s.near, a.UnitID)
		if u, err := s.cfg.Fleet.Get(a.UnitID); err == nil {
			c.Units = append(c.Units, u)
		}
	}
	if in.DispatchedAt == nil {
		in.DispatchedAt = &now
	}
	if in.AgencyActedAt == nil && leadActs(in, taken) {
		in.AgencyActedAt = &now
	}
	c.Incident = ptr(in.Clone())
	done := s.journal.Record(c)
	s.mu.Unlock()

	persisted, err := wait(done)
	if err != nil {
		s.undoDispatch(in.ID, res.Assigned, now, takenUnit(err))
		return DispatchResult{}, fmt.Errorf("save dispatch: %w", err)
	}
	res.Incident = *c.Incident
	res.Incident.Persisted = persisted
	if res.Shortfall == nil {
		res.Shortfall = []Need{}
	}
	s.log.Info("units dispatched", "incident", in.ID, "units", unitList(res.Assigned), "short", describeNeeds(short), "by", actor)
	return res, nil
}

// reserve takes the named units, or the plan's nearest. Caller holds s.mu.
func (s *Service) reserve(in *tracking.Incident, unitIDs []string, now time.Time) ([]fleet.Reserved, []Need, error) {
	p := orb.Point{in.Lon, in.Lat}
	if len(unitIDs) > 0 {
		taken, err := s.cfg.Fleet.Reserve(unitIDs, p, now)
		return taken, nil, err
	}
	plan, err := s.cfg.Plans.Plan(in.Category)
	if err != nil {
		return nil, nil, err
	}
	if len(plan.Needs) == 0 {
		return nil, nil, tracking.Errorf(tracking.CodeConflict,
			"category %s sends no vehicle: it is routed to %s, who acknowledge it with POST /api/incidents/%s/ack", in.Category, plan.Lead, in.ID)
	}
	var taken []fleet.Reserved
	var short []Need
	for _, need := range plan.Needs {
		want := need.Count - openOfType(in, need.Type)
		if want <= 0 {
			continue
		}
		var got []fleet.Reserved
		if s.cfg.Roads != nil {
			// By road ETA, as recommended: rank (no lock held), then take
			// the first still free under the fleet's lock.
			ranked := s.roadRank(nil, p, need.Type, want+MaxRecommendations, false)
			ids := make([]string, len(ranked))
			for i, r := range ranked {
				ids[i] = r.UnitID
			}
			got = s.cfg.Fleet.ReserveFirst(ids, want, p, now)
		} else {
			got = s.cfg.Fleet.ReserveNearest(p, need.Type, want, now)
		}
		taken = append(taken, got...)
		if len(got) < want {
			short = append(short, Need{Type: need.Type, Count: want - len(got)})
		}
	}
	if len(taken) == 0 {
		if len(short) == 0 {
			return nil, nil, tracking.Errorf(tracking.CodeConflict, "incident %s already has every unit its plan asks for", in.ID)
		}
		return nil, nil, tracking.Errorf(tracking.CodeConflict, "no available live unit can be sent now: short of %s", describeNeeds(short))
	}
	return taken, short, nil
}

// undoDispatch takes back a dispatch the store refused: its assignments
// come off the incident and the units are free again.
// A unit another instance assigned first (taken) keeps the status memory
// gave it until that instance's notice sets it as the database has it.
func (s *Service) undoDispatch(incidentID string, assigned []tracking.Assignment, at time.Time, taken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.incidents[incidentID]
	for _, a := range assigned {
		if in != nil {
			in.Assignments = removeAssignment(in.Assignments, a)
		}
		if s.active[a.UnitID] == incidentID {
			delete(s.active, a.UnitID)
			if a.UnitID != taken {
				s.cfg.Fleet.SetStatus(a.UnitID, tracking.Available, at)
			}
		}
	}
	if in != nil && len(in.Assignments) == 0 {
		in.DispatchedAt = nil
	}
}

func removeAssignment(as []tracking.Assignment, a tracking.Assignment) []tracking.Assignment {
	for i := range as {
		if as[i].UnitID == a.UnitID && as[i].DispatchedAt.Equal(a.DispatchedAt) {
			return append(as[:i:i], as[i+1:]...)
		}
	}
	return as
}

func openOfType(in *tracking.Incident, t tracking.UnitType) int {
	n := 0
	for _, a := range in.Assignments {
		if a.Open() && a.UnitType == t {
			n++
		}
	}
	return n
}

func describeNeeds(ns []Need) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprintf("%d %s", n.Count, n.Type)
	}
	return strings.Join(parts, ", ")
}

func unitList(as []tracking.Assignment) string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.UnitID
	}
	return strings.Join(ids, ",")
}

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

// The telemetry side: the units service tells dispatch of the fixes and
// status reports of the units it sent (units.Follower). Neither waits for
// the database.

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
