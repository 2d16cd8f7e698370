package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"siaga112/tracking"
)

var _ tracking.PhoneLog = (*Store)(nil)

// phone is what the phone edge reported: the calls by call_id, the
// callers' locations and the raw AML messages.
type phone struct {
	calls     map[string]tracking.PhoneCall
	locations map[string][]tracking.CallerLocation // by number, in order received
	raw       []tracking.RawAML
}

// applyPhone writes c's phone parts, as the database does: an event for a
// call_id of another number changes nothing (the service refuses it
// before). It returns the audit subject and data. Caller holds s.mu.
func (s *Store) applyPhone(c tracking.Change) (subject string, data any) {
	if s.phone.calls == nil {
		s.phone.calls, s.phone.locations = map[string]tracking.PhoneCall{}, map[string][]tracking.CallerLocation{}
	}
	if e := c.CallEvent; e != nil {
		if pc, _, err := s.phone.calls[e.CallID].Apply(*e); err == nil {
			s.phone.calls[e.CallID] = pc
		}
		subject, data = e.Number, *e
	}
	if cl := c.Call; cl != nil && cl.CallID != "" {
		if pc, ok := s.phone.calls[cl.CallID]; ok && pc.Outcome == "" {
			pc.Outcome = cl.Outcome
			s.phone.calls[cl.CallID] = pc
		}
	}
	if r := c.RawAML; r != nil {
		s.phone.raw = append(s.phone.raw, *r)
		subject, data = r.Number, *r
	}
	if l := c.CallerLocation; l != nil {
		s.phone.locations[l.Number] = append(s.phone.locations[l.Number], *l)
		subject, data = l.Number, *l
	}
	return subject, data
}

// PhoneCalls implements tracking.PhoneLog.
func (s *Store) PhoneCalls(_ context.Context, q tracking.CallQuery) ([]tracking.PhoneCall, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []tracking.PhoneCall{}
	for _, c := range s.phone.calls {
		if q.Match(tracking.Call{At: c.At, Number: c.Number}) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b tracking.PhoneCall) int {
		if n := a.At.Compare(b.At); n != 0 {
			return n
		}
		return cmp.Compare(a.CallID, b.CallID)
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// PhoneCall implements tracking.PhoneLog.
func (s *Store) PhoneCall(_ context.Context, callID string) (tracking.PhoneCall, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.phone.calls[callID]
	if !ok {
		return c, tracking.Errorf(tracking.CodeNotFound, "call %q has no events", callID)
	}
	return c, nil
}

// CallerLocation implements tracking.PhoneLog.
func (s *Store) CallerLocation(_ context.Context, number string, now time.Time) (tracking.CallerLocation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := tracking.NewestCallerLocation(s.phone.locations[number], now)
	if !ok {
		return l, tracking.Errorf(tracking.CodeNotFound, "no location of %s in the last %v", number, tracking.CallerLocationMaxAge)
	}
	return l, nil
}

// RawAML is every AML message kept, in order received.
func (s *Store) RawAML() []tracking.RawAML {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.phone.raw)
}
