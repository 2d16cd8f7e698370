package dispatch

import (
	"context"
	"errors"
	"slices"

	"siaga112/tracking"
)

// Several instances on one database: incident numbers come from the
// store, and what another instance commits comes back as the database
// holds it (Sync…), read after its notice.

// incidentNumber takes the next incident number from the store when it
// hands them out (shared: unique across instances); otherwise the caller
// numbers in memory.
func (s *Service) incidentNumber(ctx context.Context) (n int64, shared bool, err error) {
	numbers, ok := s.cfg.Store.(tracking.IncidentNumbers)
	if !ok {
		return 0, false, nil
	}
	n, err = numbers.NextIncidentNumber(ctx)
	if err != nil {
		return 0, false, errors.Join(tracking.Errorf(tracking.CodeUnavailable,
			"the database gives no incident number now; try again in a moment (the call-taker keeps the report)"), err)
	}
	return n, true, nil
}

// insertOrder puts an id in s.order, kept sorted (two instances' numbers
// interleave). Caller holds s.mu.
func (s *Service) insertOrder(id string) {
	i, found := slices.BinarySearch(s.order, id)
	if !found {
		s.order = slices.Insert(s.order, i, id)
	}
}

// takenUnit is the unit another instance assigned first, when err says so.
func takenUnit(err error) string {
	var t *tracking.UnitTaken
	if errors.As(err, &t) {
		return t.Unit
	}
	return ""
}

// SyncIncident puts an incident into memory as the database holds it
// (another instance created or changed it), with its open assignments;
// publish: tell the live feed (with action). Unit statuses come with their
// own notices (units.Service.Sync).
func (s *Service) SyncIncident(in tracking.Incident, action string, publish bool) {
	in = in.Clone()
	s.mu.Lock()
	old, had := s.incidents[in.ID]
	if had {
		for _, a := range old.Assignments {
			if s.active[a.UnitID] == in.ID {
				delete(s.active, a.UnitID)
			}
		}
		*old = in
	} else {
		s.incidents[in.ID] = &in
		s.insertOrder(in.ID)
	}
	for _, a := range in.Assignments {
		if a.Open() {
			s.active[a.UnitID] = in.ID
		} else if s.active[a.UnitID] == in.ID {
			delete(s.active, a.UnitID)
		}
	}
	s.mu.Unlock()
	if publish {
		s.cfg.Bus.Publish(tracking.Event{Kind: "incident", Action: action, At: s.cfg.Now(), Incident: &in})
	}
}

// SyncCaller puts a caller's record into memory as the database holds it:
// the prank count there is exact (marks counted in SQL); publish: tell the
// live feed.
func (s *Service) SyncCaller(c tracking.Caller, action string, publish bool) {
	c = c.Clone()
	if n, err := tracking.NormalizePhone(c.Number); err == nil && n != c.Number {
		// A row kept under an older rule's spelling: it joins the
		// canonical record, as at load, never a record of its own.
		c.Number = n
		s.mu.Lock()
		if cur, ok := s.callers[n]; ok {
			c = mergeCallers(*cur, c)
		}
		s.callers[n] = &c
		s.mu.Unlock()
		return
	}
	s.mu.Lock()
	if cur, ok := s.callers[c.Number]; ok && len(cur.PrankCalls) > len(c.PrankCalls) {
		// Memory is ahead: a mark made here whose commit this read-back
		// predates (notices arrive late). Counts only grow; the newer
		// read-back brings the exact figure.
		s.mu.Unlock()
		return
	}
	s.callers[c.Number] = &c
	s.mu.Unlock()
	if publish {
		s.cfg.Bus.Publish(tracking.Event{Kind: "caller", Action: action, At: s.cfg.Now(), Caller: &c})
	}
}
