// Package memstore keeps units, incidents and callers in memory: the default
// store when no database is configured. Everything is lost when the process
// ends.
package memstore

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"siaga112/tracking"
)

// Store is an in-memory tracking.Store and tracking.PositionLog, safe for
// concurrent use. It keeps the last position of each unit, not the history.
type Store struct {
	mu        sync.Mutex
	units     map[string]tracking.Unit
	incidents map[string]tracking.Incident
	callers   map[string]tracking.Caller
	openOn    map[string]string // unit id → incident with its open assignment
	history   map[string]tracking.HistoryRecord
	calls     []tracking.Call // the call log, in order written
	audit     []Entry
	records   records // records.go
	phone     phone   // phone.go
}

// Entry is one line of the audit trail.
type Entry struct {
	Seq     int64
	At      time.Time
	Audit   tracking.Audit
	Subject string          // unit id, incident id, number, user:…, token:…
	Data    json.RawMessage // the subject after the change
}

var (
	_ tracking.Store       = (*Store)(nil)
	_ tracking.PositionLog = (*Store)(nil)
	_ tracking.AuditLog    = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{units: map[string]tracking.Unit{}, incidents: map[string]tracking.Incident{}, callers: map[string]tracking.Caller{}, openOn: map[string]string{}}
}

// note adds an entry to the trail, as the database's events table keeps
// it: at the change's time, with the subject's state. Caller holds s.mu.
func (s *Store) note(a tracking.Audit, at time.Time, subject string, data any) {
	if at.IsZero() {
		at = time.Now()
	}
	body, _ := json.Marshal(data)
	if string(body) == "null" {
		body = nil
	}
	s.audit = append(s.audit, Entry{Seq: int64(len(s.audit)) + 1, At: at, Audit: a, Subject: subject, Data: body})
}

// AuditTrail implements tracking.AuditLog, oldest first.
func (s *Store) AuditTrail(_ context.Context, q tracking.AuditQuery) ([]tracking.AuditEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []tracking.AuditEntry{}
	// Seq is the index + 1: start after the cursor.
	for _, e := range s.audit[min(max(q.After, 0), int64(len(s.audit))):] {
		te := tracking.AuditEntry{Seq: e.Seq, At: e.At, Action: e.Audit.Action, Actor: e.Audit.Actor, Subject: e.Subject, Data: e.Data}
		if !q.Matches(te) {
			continue
		}
		out = append(out, te)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// Submit implements tracking.Store: c applies whole or not at all, at
// once, and done is called before Submit returns.
func (s *Store) Submit(c tracking.Change, done func(error)) {
	v, err := s.apply(c)
	if err == nil && v != 0 && c.Committed != nil {
		c.Committed(v)
	}
	done(err)
}

func (s *Store) apply(c tracking.Change) (version int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := c.Incident; in != nil {
		// The same rule the database's partial unique index enforces.
		for _, a := range in.Assignments {
			if other, busy := s.openOn[a.UnitID]; a.Open() && busy && other != in.ID {
				return 0, tracking.Errorf(tracking.CodeConflict, "unit %s already has an open assignment on incident %s", a.UnitID, other)
			}
		}
	}
	// One trail entry per change, as the database writes it (rows.go).
	var subject string
	var data any
	if c.Call != nil {
		s.calls = append(s.calls, *c.Call)
		subject, data = c.Call.Number, *c.Call
	}
	if c.CallEvent != nil || c.CallerLocation != nil || c.RawAML != nil || (c.Call != nil && c.Call.CallID != "") {
		if sub, d := s.applyPhone(c); sub != "" {
			subject, data = sub, d
		}
	}
	if c.Caller != nil {
		s.callers[c.Caller.Number] = c.Caller.Clone()
		subject, data = c.Caller.Number, c.Caller.Clone()
	}
	if in := c.Incident; in != nil {
		if old, ok := s.incidents[in.ID]; ok {
			for _, a := range old.Assignments {
				if s.openOn[a.UnitID] == in.ID {
					delete(s.openOn, a.UnitID)
				}
			}
		}
		for _, a := range in.Assignments {
			if a.Open() {
				s.openOn[a.UnitID] = in.ID
			}
		}
		cp := in.Clone()
		cp.Persisted = false
		s.incidents[in.ID] = cp
		subject, data = in.ID, cp.Clone()
	}
	for _, u := range c.Units {
		if subject == "" {
			subject, data = u.ID, u.AuditData()
		}
		if u.Deleted { // out of the fleet; the trail keeps it
			delete(s.units, u.ID)
			continue
		}
		// The position already held is kept: positions come by Append.
		if old, ok := s.units[u.ID]; ok && !u.HasPosition() {
			u.Position, u.LastSeen = old.Position, old.LastSeen
		}
		u.Liveness = ""
		s.units[u.ID] = u
	}
	if c.Versioned() {
		var expired int
		version, expired = s.applyRecords(c)
		if len(c.Records) > 0 {
			subject, data = tracking.RecordsAudit(c.Records)
		} else if expired > 0 {
			subject, data = "sessions", map[string]any{"expired": expired}
		} else {
			return version, nil // nothing expired: nothing to note
		}
		if c.Audit.Action == "" {
			return version, nil // a token's last use: not an act
		}
	}
	s.note(c.Audit, c.At, subject, data)
	return version, nil
}

// Append implements tracking.PositionLog: the newest fix of a known unit.
func (s *Store) Append(unitID string, p tracking.Position, receivedAt time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.units[unitID]; ok && p.At.After(u.Position.At) {
		u.Position, u.LastSeen = p, receivedAt
		s.units[unitID] = u
	}
}

// Units implements tracking.Store, ordered by id.
func (s *Store) Units(context.Context) ([]tracking.Unit, error) {
	return sortedValues(s, s.units, func(u tracking.Unit) string { return u.ID }, func(u tracking.Unit) tracking.Unit { return u }), nil
}

// Incidents implements tracking.Store, ordered by id.
func (s *Store) Incidents(context.Context) ([]tracking.Incident, error) {
	return sortedValues(s, s.incidents, func(in tracking.Incident) string { return in.ID }, tracking.Incident.Clone), nil
}

// Callers implements tracking.Store, ordered by number.
func (s *Store) Callers(context.Context) ([]tracking.Caller, error) {
	return sortedValues(s, s.callers, func(c tracking.Caller) string { return c.Number }, tracking.Caller.Clone), nil
}

// LastIncidentID implements tracking.Store.
func (s *Store) LastIncidentID(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := ""
	for id := range s.incidents {
		last = max(last, id)
	}
	return last, nil
}

// Audit returns the audit trail so far.
func (s *Store) Audit() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.audit)
}

func sortedValues[T any](s *Store, m map[string]T, key func(T) string, clone func(T) T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, clone(v))
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return out
}

var _ tracking.HistoryStore = (*Store)(nil)

// SaveHistory implements tracking.HistoryStore.
func (s *Store) SaveHistory(_ context.Context, rs []tracking.HistoryRecord) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.history == nil {
		s.history = map[string]tracking.HistoryRecord{}
	}
	n := 0
	for _, r := range rs {
		if _, ok := s.history[r.ID]; !ok {
			s.history[r.ID] = r
			n++
		}
	}
	return n, nil
}

// History implements tracking.HistoryStore, ordered by id.
func (s *Store) History(context.Context) ([]tracking.HistoryRecord, error) {
	return sortedValues(s, s.history, func(r tracking.HistoryRecord) string { return r.ID }, func(r tracking.HistoryRecord) tracking.HistoryRecord { return r }), nil
}
