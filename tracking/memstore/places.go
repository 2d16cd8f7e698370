package memstore

import (
	"context"
	"strings"

	"siaga112/tracking"
)

var _ tracking.PlaceStore = (*Store)(nil)

// applyPlace writes or deletes a book entry; it returns the audit
// subject and data (nil for a deletion). Caller holds s.mu.
func (s *Store) applyPlace(pc tracking.PlaceChange) (string, any) {
	if s.places == nil {
		s.places = map[string]tracking.PlaceEntry{}
	}
	id := pc.Entry.ID
	if pc.Deleted {
		delete(s.places, id)
		return tracking.PlaceSubject(id), nil
	}
	s.places[id] = pc.Entry.Clone()
	return tracking.PlaceSubject(id), pc.Entry.Clone()
}

// Places implements tracking.PlaceStore, by id.
func (s *Store) Places(context.Context) ([]tracking.PlaceEntry, error) {
	return sortedValues(s, s.places, func(e tracking.PlaceEntry) string { return e.ID }, tracking.PlaceEntry.Clone), nil
}

// Place implements tracking.PlaceStore.
func (s *Store) Place(_ context.Context, id string) (tracking.PlaceEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.places[id]
	if !ok {
		return e, tracking.Errorf(tracking.CodeNotFound, "place %q is not in the place book", strings.ToValidUTF8(id, "?"))
	}
	return e.Clone(), nil
}
