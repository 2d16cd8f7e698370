// Package placebook keeps the centre's place book: the names dispatchers
// give to what the extract lacks or calls otherwise. Every write is one
// tracking.Change through the journal; search sees the book through the
// OnChange hook, under the book's lock, in the order of the changes.
package placebook

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"siaga112/tracking"
)

// Config wires the service.
type Config struct {
	Store   tracking.Store      // where changes go (memory or PostgreSQL)
	Places  tracking.PlaceStore // the book as stored, loaded at start
	Bus     *tracking.Bus
	Locator tracking.Locator // entries lie inside the city
	Logger  *slog.Logger
	Now     func() time.Time
	// OnChange gets the whole book after each change (search's index),
	// called under the book's lock so that it sees changes in order.
	OnChange func([]tracking.PlaceEntry)
}

// Service is the place book. Safe for concurrent use.
type Service struct {
	cfg     Config
	log     *slog.Logger
	journal tracking.Journal

	mu      sync.Mutex
	entries map[string]tracking.PlaceEntry
}

// New loads the book from cfg.Places.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OnChange == nil {
		cfg.OnChange = func([]tracking.PlaceEntry) {}
	}
	if cfg.Bus == nil {
		cfg.Bus = tracking.NewBus()
	}
	s := &Service{cfg: cfg, log: cfg.Logger.With("component", "placebook"), journal: tracking.Journal{Store: cfg.Store, Bus: cfg.Bus},
		entries: map[string]tracking.PlaceEntry{}}
	stored, err := cfg.Places.Places(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the place book: %w", err)
	}
	s.Reload(stored)
	return s, nil
}

// Reload replaces the book with entries (start, or another instance's
// changes read back after a reconnection).
func (s *Service) Reload(entries []tracking.PlaceEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = make(map[string]tracking.PlaceEntry, len(entries))
	for _, e := range entries {
		s.entries[e.ID] = e.Clone()
	}
	s.changed()
}

// Sync takes in one entry as another instance left it: nil when it was
// deleted.
func (s *Service) Sync(id string, e *tracking.PlaceEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e == nil {
		delete(s.entries, id)
	} else {
		s.entries[id] = e.Clone()
	}
	s.changed()
}

// changed hands the book to search. Caller holds s.mu.
func (s *Service) changed() { s.cfg.OnChange(s.list()) }

func (s *Service) list() []tracking.PlaceEntry {
	out := make([]tracking.PlaceEntry, 0, len(s.entries))
	for _, e := range s.entries {
		out = append(out, e.Clone())
	}
	slices.SortFunc(out, func(a, b tracking.PlaceEntry) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// List is the whole book, by id.
func (s *Service) List() []tracking.PlaceEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.list()
}

// Get is one entry.
func (s *Service) Get(id string) (tracking.PlaceEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[id]
	if !ok {
		return tracking.PlaceEntry{}, notFound(id)
	}
	return e.Clone(), nil
}

func notFound(id string) error {
	if len(id) > 64 {
		id = id[:64] + "…"
	}
	return tracking.Errorf(tracking.CodeNotFound, "place %q is not in the place book", id)
}

// check refuses an entry that is not whole or lies outside the city.
func (s *Service) check(e tracking.PlaceEntry) error {
	if err := tracking.CheckPlaceEntry(e); err != nil {
		return err
	}
	_, err := tracking.Locate(s.cfg.Locator, orb.Point{e.Lon, e.Lat})
	return err
}

// Create adds an entry: name, lat and lon are required, kind defaults to
// the first of tracking.PlaceKinds. persisted is false when the database
// is unreachable (the entry stands, and is written when it returns).
func (s *Service) Create(ctx context.Context, f tracking.PlaceFields, actor string) (e tracking.PlaceEntry, persisted bool, err error) {
	switch {
	case f.Name == nil:
		return e, false, tracking.Errorf(tracking.CodeInvalid, "field \"name\" is missing")
	case f.Lat == nil || f.Lon == nil:
		return e, false, tracking.Errorf(tracking.CodeInvalid, "fields \"lat\" and \"lon\" are required (decimal degrees)")
	}
	e.Kind = tracking.PlaceKinds[0]
	e.Aliases = []string{}
	f.Apply(&e)
	if err := s.check(e); err != nil {
		return e, false, err
	}
	e.ID = newID()
	now := s.cfg.Now()
	e.CreatedAt, e.CreatedBy, e.UpdatedAt, e.UpdatedBy = now, actor, now, actor
	s.mu.Lock()
	s.entries[e.ID] = e.Clone()
	s.changed()
	done := s.record("created", e, false, actor, now)
	s.mu.Unlock()
	if persisted, err = s.wait(done, e.ID, nil, e); err != nil {
		return tracking.PlaceEntry{}, false, err
	}
	s.log.Info("place added to the book", "place", e.ID, "name", e.Name, "by", actor)
	return e, persisted, nil
}

// Update changes the fields given; aliases replace the list.
func (s *Service) Update(ctx context.Context, id string, f tracking.PlaceFields, actor string) (tracking.PlaceEntry, bool, error) {
	if f.Empty() {
		return tracking.PlaceEntry{}, false, tracking.Errorf(tracking.CodeInvalid, "the body changes nothing: give any of name, aliases, kind, lat, lon")
	}
	s.mu.Lock()
	before, ok := s.entries[id]
	if !ok {
		s.mu.Unlock()
		return tracking.PlaceEntry{}, false, notFound(id)
	}
	e := before.Clone()
	f.Apply(&e)
	if err := s.check(e); err != nil {
		s.mu.Unlock()
		return tracking.PlaceEntry{}, false, err
	}
	e.UpdatedAt, e.UpdatedBy = s.cfg.Now(), actor
	s.entries[id] = e.Clone()
	s.changed()
	done := s.record("changed", e, false, actor, e.UpdatedAt)
	s.mu.Unlock()
	persisted, err := s.wait(done, id, &before, e)
	if err != nil {
		return tracking.PlaceEntry{}, false, err
	}
	return e, persisted, nil
}

// Delete removes an entry.
func (s *Service) Delete(ctx context.Context, id, actor string) (bool, error) {
	s.mu.Lock()
	before, ok := s.entries[id]
	if !ok {
		s.mu.Unlock()
		return false, notFound(id)
	}
	delete(s.entries, id)
	s.changed()
	done := s.record("deleted", before, true, actor, s.cfg.Now())
	s.mu.Unlock()
	return s.wait(done, id, &before, tracking.PlaceEntry{})
}

// record submits one change. Caller holds s.mu: changes reach the store in
// the order memory took them.
func (s *Service) record(action string, e tracking.PlaceEntry, deleted bool, actor string, at time.Time) <-chan error {
	return s.journal.Record(tracking.Change{
		Audit:  tracking.Audit{Action: "place." + action, Actor: actor},
		Action: action, At: at,
		Place: &tracking.PlaceChange{Entry: e.Clone(), Deleted: deleted},
	})
}

// wait reads the store's answer; a refusal takes the change back (unless
// a later one has replaced it already): before is the entry as it was
// (nil: none), after as the change left it (zero ID: deleted).
func (s *Service) wait(done <-chan error, id string, before *tracking.PlaceEntry, after tracking.PlaceEntry) (bool, error) {
	err := <-done
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, tracking.ErrQueued):
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.entries[id]
	if (after.ID == "" && !ok) || (ok && cur.UpdatedAt.Equal(after.UpdatedAt) && cur.UpdatedBy == after.UpdatedBy) {
		if before == nil {
			delete(s.entries, id)
		} else {
			s.entries[id] = before.Clone()
		}
		s.changed()
	}
	s.log.Error("place book change refused by the store; taken back", "place", id, "err", err)
	return false, fmt.Errorf("save place %s: %w", id, err)
}

// newID is a fresh entry id: unique across instances by chance (60
// random bits), letters and digits only.
func newID() string { return "p" + strings.ToLower(rand.Text()[:12]) }
