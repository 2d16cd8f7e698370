package memstore

import (
	"context"
	"slices"

	"siaga112/tracking"
)

var _ tracking.CallLog = (*Store)(nil)

// Calls implements tracking.CallLog, oldest first.
func (s *Store) Calls(_ context.Context, q tracking.CallQuery) ([]tracking.Call, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []tracking.Call{}
	for _, c := range s.calls {
		if q.Match(c) {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b tracking.Call) int { return a.At.Compare(b.At) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// LastCallID is the greatest call id logged ("" for none).
func (s *Store) LastCallID(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := ""
	for _, c := range s.calls {
		last = max(last, c.ID)
	}
	return last, nil
}
