package dispatch

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"

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

// The telemetry side: the units service tells dispatch of the fixes and
// status reports of the units it sent (units.Follower). Neither waits for
// the database.
