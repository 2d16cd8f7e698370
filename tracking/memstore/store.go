// Package memstore keeps incidents and callers in memory: the default store
// when no database is configured. Everything is lost when the process ends.
package memstore

import (
	"context"
	"slices"
	"strings"
	"sync"

	"siaga112/tracking"
)

// Store is an in-memory tracking.Store, safe for concurrent use.
type Store struct {
	mu        sync.Mutex
	incidents map[string]tracking.Incident
	callers   map[string]tracking.Caller
}

var _ tracking.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{incidents: map[string]tracking.Incident{}, callers: map[string]tracking.Caller{}}
}

// SaveIncident implements tracking.Store.
func (s *Store) SaveIncident(_ context.Context, in tracking.Incident) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.incidents[in.ID] = in.Clone()
	return nil
}

// SaveCaller implements tracking.Store.
func (s *Store) SaveCaller(_ context.Context, c tracking.Caller) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callers[c.Number] = c.Clone()
	return nil
}

// Incidents implements tracking.Store, ordered by id.
func (s *Store) Incidents(context.Context) ([]tracking.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]tracking.Incident, 0, len(s.incidents))
	for _, in := range s.incidents {
		out = append(out, in.Clone())
	}
	slices.SortFunc(out, func(a, b tracking.Incident) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Callers implements tracking.Store, ordered by number.
func (s *Store) Callers(context.Context) ([]tracking.Caller, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]tracking.Caller, 0, len(s.callers))
	for _, c := range s.callers {
		out = append(out, c.Clone())
	}
	slices.SortFunc(out, func(a, b tracking.Caller) int { return strings.Compare(a.Number, b.Number) })
	return out, nil
}
