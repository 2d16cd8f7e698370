package dispatch

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"siaga112/tracking"
)

// Incidents: taken from a call (CreateIncident), read, listed.

// NewIncident is what a call-taker records.
type NewIncident struct {
	Category    tracking.Category
	Lat, Lon    float64
	Caller      string
	Description string
	// Routes: each recommendation carries its route (?route=1).
	Routes bool
}

// MaxDescription bounds an incident's description.
const MaxDescription = 2000

// CreateIncident validates, locates and records an incident and recommends
// units for it. Errors: invalid (bad input), outside_area, forbidden
// (blocked caller).
func (s *Service) CreateIncident(ctx context.Context, req NewIncident, actor string) (tracking.Incident, []Recommendation, error) {
	plan, err := s.cfg.Plans.Plan(req.Category)
	if err != nil {
		return tracking.Incident{}, nil, err
	}
	if err := tracking.CheckLatLon(req.Lat, req.Lon); err != nil {
		return tracking.Incident{}, nil, err
	}
	number, err := tracking.NormalizePhone(req.Caller)
	if err != nil {
		return tracking.Incident{}, nil, err
	}
	if err := tracking.CheckText("description", req.Description, MaxDescription, true); err != nil {
		return tracking.Incident{}, nil, err
	}
	p := orb.Point{req.Lon, req.Lat}
	loc, err := tracking.Locate(s.cfg.Locator, p)
	if err != nil {
		return tracking.Incident{}, nil, err
	}
	num, shared, err := s.incidentNumber(ctx) // before the lock: it may ask the database
	if err != nil {
		return tracking.Incident{}, nil, err
	}

	s.mu.Lock()
	now := s.cfg.Now()
	if c, ok := s.callers[number]; ok && c.BlockedUntil != nil && now.Before(*c.BlockedUntil) {
		s.mu.Unlock()
		return tracking.Incident{}, nil, tracking.Errorf(tracking.CodeForbidden,
			"the number %s is blocked until %s after %d prank or ghost calls; a supervisor can lift the block",
			number, c.BlockedUntil.Format(time.RFC3339), s.prankCount(c, now))
	}
	if !shared {
		s.seq++
		num = int64(s.seq)
	}
	in := &tracking.Incident{
		ID:       fmt.Sprintf("%s-%06d", now.UTC().Format("20060102"), num),
		Category: plan.Category, Lat: req.Lat, Lon: req.Lon,
		Kecamatan: loc.Kecamatan, Kelurahan: loc.Kelurahan, Approximate: loc.Approximate,
		Caller: number, Description: req.Description,
		Status: tracking.IncidentOpen, LeadAgency: plan.Lead,
		ReceivedAt: now, AgencyDueAt: now.Add(s.cfg.AgencyDeadline),
		Assignments: []tracking.Assignment{},
	}
	s.incidents[in.ID] = in
	s.insertOrder(in.ID)
	out := in.Clone()
	// The intake logs the call that reported it, in the same change.
	call := &tracking.Call{ID: callID(now), At: now, Number: number, Outcome: tracking.CallEmergency, IncidentID: in.ID, By: actor}
	done := s.journal.Record(tracking.Change{Audit: tracking.Audit{Action: "incident.created", Actor: actor}, Action: "created", At: now, Incident: ptr(in.Clone()), Call: call})
	s.mu.Unlock()

	persisted, err := wait(done)
	if err != nil {
		s.mu.Lock()
		delete(s.incidents, in.ID) // nothing can have been sent to it: a dispatch would have been refused too
		if i := slices.Index(s.order, in.ID); i >= 0 {
			s.order = slices.Delete(s.order, i, i+1)
		}
		s.mu.Unlock()
		return tracking.Incident{}, nil, fmt.Errorf("save incident: %w", err)
	}
	out.Persisted = persisted
	s.log.Info("incident created", "incident", out.ID, "category", out.Category, "kelurahan", out.Kelurahan.Name, "kecamatan", out.Kecamatan.Name)
	return out, s.recommend(p, plan, req.Routes), nil
}

// Get returns one incident.
func (s *Service) Get(id string) (tracking.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.incidents[id]
	if !ok {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", id)
	}
	return in.Clone(), nil
}

// Filter selects incidents.
type Filter struct {
	Status   tracking.IncidentStatus // "": any
	Overdue  bool                    // only those past the agency deadline
	Category tracking.Category       // "": any
	// Before: only incidents older than this id (the cursor of the next
	// page); "": from the newest.
	Before string
	// Limit: at most this many (0: all).
	Limit int
}

// List returns the incidents that match, newest first, copying only those.
func (s *Service) List(f Filter) []tracking.Incident { return s.list(f, nil) }

// list is List with a further condition (nil: none), checked under s.mu.
func (s *Service) list(f Filter, also func(*tracking.Incident) bool) []tracking.Incident {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	end := len(s.order)
	if f.Before != "" {
		end, _ = slices.BinarySearch(s.order, f.Before)
	}
	var out []tracking.Incident
	for i := end - 1; i >= 0 && (f.Limit <= 0 || len(out) < f.Limit); i-- {
		in := s.incidents[s.order[i]]
		if (f.Status != "" && in.Status != f.Status) || (f.Overdue && !in.Overdue(now)) || (f.Category != "" && in.Category != f.Category) ||
			(also != nil && !also(in)) {
			continue
		}
		out = append(out, in.Clone())
	}
	return out
}
