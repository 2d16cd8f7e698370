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
// index, so a unit is never in two open assignments.
func (s *Service) Dispatch(ctx context.Context, incidentID string, unitIDs []string, by string) (DispatchResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.incidents[incidentID]
	if !ok {
		return DispatchResult{}, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", incidentID)
	}
	if in.Status != tracking.IncidentOpen {
		return DispatchResult{}, tracking.Errorf(tracking.CodeConflict, "incident %s is closed", in.ID)
	}
	now := s.cfg.Now()
	p := orb.Point{in.Lon, in.Lat}
	var taken []fleet.Reserved
	var short []Need
	if len(unitIDs) > 0 {
		var err error
		if taken, err = s.cfg.Fleet.Reserve(unitIDs, p, now); err != nil {
			return DispatchResult{}, err
		}
	} else {
		plan, err := s.cfg.Plans.Plan(in.Category)
		if err != nil {
			return DispatchResult{}, err
		}
		if len(plan.Needs) == 0 {
			return DispatchResult{}, tracking.Errorf(tracking.CodeConflict,
				"category %s sends no vehicle: it is routed to %s, who acknowledge it with POST /api/incidents/%s/ack", in.Category, plan.Lead, in.ID)
		}
		for _, need := range plan.Needs {
			want := need.Count - openOfType(in, need.Type)
			if want <= 0 {
				continue
			}
			got := s.cfg.Fleet.ReserveNearest(p, need.Type, want, now)
			taken = append(taken, got...)
			if len(got) < want {
				short = append(short, Need{Type: need.Type, Count: want - len(got)})
			}
		}
		if len(taken) == 0 {
			if len(short) == 0 {
				return DispatchResult{}, tracking.Errorf(tracking.CodeConflict, "incident %s already has every unit its plan asks for", in.ID)
			}
			return DispatchResult{}, tracking.Errorf(tracking.CodeConflict, "no available live unit can be sent now: short of %s", describeNeeds(short))
		}
	}
	before := in.Clone()
	res := DispatchResult{Shortfall: short}
	for _, r := range taken {
		a := tracking.Assignment{
			UnitID: r.Unit.ID, UnitType: r.Unit.Type, Status: tracking.AssignDispatched,
			DistanceM: math.Round(r.DistanceM), DispatchedAt: now, DispatchedBy: by,
		}
		if r.Unit.HasPosition() {
			if route, err := s.cfg.Router.Route(orb.Point{r.Unit.Position.Lon, r.Unit.Position.Lat}, p, string(r.Unit.Type)); err == nil {
				a.ETASeconds = route.Duration.Seconds()
			}
		}
		in.Assignments = append(in.Assignments, a)
		res.Assigned = append(res.Assigned, a)
		s.active[a.UnitID] = in.ID
		delete(s.near, a.UnitID)
	}
	if in.DispatchedAt == nil {
		in.DispatchedAt = &now
	}
	if in.AgencyActedAt == nil {
		in.AgencyActedAt = &now
	}
	persisted, err := saved(s.cfg.Store.SaveIncident(ctx, *in, tracking.Audit{Action: "incident.dispatched", Actor: actor(by)}))
	if err != nil {
		// Put everything back as it was: the units are free again.
		*in = before
		for _, r := range taken {
			delete(s.active, r.Unit.ID)
			s.cfg.Fleet.SetStatus(r.Unit.ID, tracking.Available, now)
		}
		return DispatchResult{}, fmt.Errorf("save dispatch: %w", err)
	}
	for _, r := range taken {
		persisted = s.saveUnit(ctx, r.Unit.ID, tracking.Audit{Action: "unit.dispatched", Actor: actor(by)}) && persisted
	}
	res.Incident = in.Clone()
	res.Incident.Persisted = persisted
	if res.Shortfall == nil {
		res.Shortfall = []Need{}
	}
	s.publishIncident("dispatched", res.Incident)
	for _, a := range res.Assigned {
		s.publishUnit("status", a.UnitID)
	}
	s.log.Info("units dispatched", "incident", in.ID, "units", unitList(res.Assigned), "short", describeNeeds(short))
	return res, nil
}

func actor(by string) string {
	if by == "" {
		return "dispatcher"
	}
	return by
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
func (s *Service) SetAssignmentStatus(ctx context.Context, incidentID, unitID string, st tracking.AssignmentStatus) (tracking.Incident, error) {
	if _, ok := unitStatusFor[st]; !ok {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeInvalid, "status %q cannot be set: use en_route, on_scene, transporting, at_hospital or cleared", st)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.incidents[incidentID]
	if !ok {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", incidentID)
	}
	i := openAssignment(in, unitID)
	if i < 0 {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeNotFound, "unit %s has no open assignment on incident %s", unitID, incidentID)
	}
	now := s.cfg.Now()
	persisted, err := s.advance(ctx, in, i, st, now, false, unitStatusFor[st], "dispatcher")
	if err != nil {
		return tracking.Incident{}, err
	}
	out := in.Clone()
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

// advance moves assignment i of in to st at time at, updates the fleet
// (unitStatus) and the incident, saves and publishes. Caller holds s.mu.
func (s *Service) advance(ctx context.Context, in *tracking.Incident, i int, st tracking.AssignmentStatus, at time.Time, detected bool, unitStatus tracking.Status, by string) (bool, error) {
	a := &in.Assignments[i]
	if st != tracking.AssignCleared && st.Rank() <= a.Status.Rank() {
		return false, tracking.Errorf(tracking.CodeConflict, "unit %s is already %s on incident %s; an assignment only moves forward", a.UnitID, a.Status, in.ID)
	}
	before := in.Clone()
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
	audit := tracking.Audit{Action: "assignment." + string(st), Actor: by}
	persisted, err := saved(s.cfg.Store.SaveIncident(ctx, *in, audit))
	if err != nil {
		*in = before
		return false, fmt.Errorf("save assignment status: %w", err)
	}
	if st == tracking.AssignCleared {
		delete(s.active, a.UnitID)
		delete(s.near, a.UnitID)
	}
	s.cfg.Fleet.SetStatus(a.UnitID, unitStatus, s.cfg.Now())
	persisted = s.saveUnit(ctx, a.UnitID, audit) && persisted
	s.publishIncident("assignment", in.Clone())
	s.publishUnit("status", a.UnitID)
	return persisted, nil
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
func (s *Service) Ack(ctx context.Context, incidentID string) (tracking.Incident, error) {
	return s.update(ctx, incidentID, "acknowledged", "agency", func(in *tracking.Incident, now time.Time) error {
		if in.AgencyActedAt == nil {
			in.AgencyActedAt = &now
		}
		return nil
	})
}

// Close ends an incident by hand, clearing every open assignment (the units
// become available).
func (s *Service) Close(ctx context.Context, incidentID string) (tracking.Incident, error) {
	var freed []string
	in, err := s.update(ctx, incidentID, "closed", "dispatcher", func(in *tracking.Incident, now time.Time) error {
		if in.Status == tracking.IncidentClosed {
			return tracking.Errorf(tracking.CodeConflict, "incident %s is closed already", in.ID)
		}
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
		return nil
	})
	if err != nil {
		return in, err
	}
	s.mu.Lock()
	for _, id := range freed {
		delete(s.active, id)
		delete(s.near, id)
	}
	s.mu.Unlock()
	for _, id := range freed {
		s.cfg.Fleet.SetStatus(id, tracking.Available, s.cfg.Now())
		in.Persisted = s.saveUnit(ctx, id, tracking.Audit{Action: "unit.cleared", Actor: "dispatcher"}) && in.Persisted
		s.publishUnit("status", id)
	}
	return in, nil
}

// update applies change to an incident under the lock, saves and publishes.
func (s *Service) update(ctx context.Context, id, action, by string, change func(*tracking.Incident, time.Time) error) (tracking.Incident, error) {
	s.mu.Lock()
	in, ok := s.incidents[id]
	if !ok {
		s.mu.Unlock()
		return tracking.Incident{}, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", id)
	}
	before := in.Clone()
	if err := change(in, s.cfg.Now()); err != nil {
		s.mu.Unlock()
		return tracking.Incident{}, err
	}
	persisted, err := saved(s.cfg.Store.SaveIncident(ctx, *in, tracking.Audit{Action: "incident." + action, Actor: by}))
	if err != nil {
		*in = before
		s.mu.Unlock()
		return tracking.Incident{}, fmt.Errorf("save incident: %w", err)
	}
	out := in.Clone()
	out.Persisted = persisted
	s.mu.Unlock()
	s.publishIncident(action, out)
	return out, nil
}

// The telemetry side: the MQTT ingest feeds fixes, crew status and last
// wills through the service, so assignments follow the crews.

// ApplyFix moves the unit and watches for its arrival on scene.
func (s *Service) ApplyFix(id string, p tracking.Position) (fleet.Outcome, error) {
	out, err := s.cfg.Fleet.ApplyFix(id, p)
	if err != nil || out != fleet.Applied {
		return out, err
	}
	if s.cfg.Positions != nil {
		s.cfg.Positions.Append(id, p, s.cfg.Now())
	}
	s.mu.Lock()
	incID, busy := s.active[id]
	if busy {
		s.detectArrival(id, incID, p)
	}
	s.mu.Unlock()
	if s.cfg.Bus.Subscribers() > 0 { // a fix is the hottest path: build the event only for a reader
		s.publishUnit("moved", id)
	}
	return out, nil
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
	delete(s.near, unitID)
	if _, err := s.advance(context.Background(), in, i, tracking.AssignOnScene, since, true, tracking.OnScene, "system"); err != nil {
		s.log.Error("arrival detected but not recorded", "unit", unitID, "incident", incidentID, "err", err)
		return
	}
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

// SetStatus applies a crew's status report and moves its assignment along.
// A report that would move the assignment backwards changes only the unit.
func (s *Service) SetStatus(id string, st tracking.Status, at time.Time) (fleet.Outcome, error) {
	return s.setStatus(id, st, at, "crew")
}

// SetUnitStatus is the dispatcher setting a unit's status for its crew
// (out of service, back available, …); an open assignment moves with it.
func (s *Service) SetUnitStatus(id string, st tracking.Status) (tracking.Unit, error) {
	if _, err := s.setStatus(id, st, s.cfg.Now(), "dispatcher"); err != nil {
		return tracking.Unit{}, err
	}
	return s.cfg.Fleet.Get(id)
}

func (s *Service) setStatus(id string, st tracking.Status, at time.Time, by string) (fleet.Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := s.cfg.Fleet.SetStatus(id, st, at)
	if err != nil || out != fleet.Applied {
		return out, err
	}
	if incID, busy := s.active[id]; busy {
		in := s.incidents[incID]
		if as, ok := crewToAssignment[st]; ok {
			if i := openAssignment(in, id); i >= 0 && (as == tracking.AssignCleared || as.Rank() > in.Assignments[i].Status.Rank()) {
				if _, err := s.advance(context.Background(), in, i, as, at, false, st, by); err != nil {
					s.log.Error("crew status not recorded on the assignment", "unit", id, "incident", incID, "err", err)
				}
				return out, nil
			}
		}
	}
	s.saveUnit(context.Background(), id, tracking.Audit{Action: "unit." + string(st), Actor: by})
	s.cfg.Bus.Publish(tracking.Event{Kind: "unit", Action: "status", At: s.cfg.Now(), Unit: ptr(s.unit(id))})
	return out, nil
}

// MarkOffline records a tracker's last will.
func (s *Service) MarkOffline(id string) error {
	if err := s.cfg.Fleet.MarkOffline(id); err != nil {
		return err
	}
	s.publishUnit("offline", id)
	return nil
}

func (s *Service) unit(id string) tracking.Unit {
	u, _ := s.cfg.Fleet.Get(id)
	return u
}

func ptr[T any](v T) *T { return &v }

// Register adds or updates a unit in the fleet and publishes the change.
func (s *Service) Register(r tracking.Registration) (tracking.Unit, bool, error) {
	u, created, err := s.cfg.Fleet.Register(r)
	if err == nil {
		s.saveUnit(context.Background(), u.ID, tracking.Audit{Action: "unit.registered", Actor: "admin"})
		s.cfg.Bus.Publish(tracking.Event{Kind: "unit", Action: "registered", At: s.cfg.Now(), Unit: &u})
	}
	return u, created, err
}

// IssueDeviceSecret gives a unit a new MQTT password (the old one stops
// working) and returns it; only its hash is kept.
func (s *Service) IssueDeviceSecret(id string) (string, error) {
	secret, hash, err := tracking.NewSecret()
	if err != nil {
		return "", err
	}
	if err := s.cfg.Fleet.SetSecret(id, hash); err != nil {
		return "", err
	}
	s.saveUnit(context.Background(), id, tracking.Audit{Action: "unit.credentials_issued", Actor: "admin"})
	s.deviceCredentialsChanged(id)
	return secret, nil
}

// CheckDevice reports whether password is the unit's MQTT password, and
// the unit's agency.
func (s *Service) CheckDevice(id, password string) (agency string, ok bool) {
	u, err := s.cfg.Fleet.Get(id)
	if err != nil || !tracking.SecretMatches(u.SecretHash, password) {
		return "", false
	}
	return u.Agency, true
}
