// Package placebook keeps the centre's place book: the names dispatchers
// give to what the extract lacks or calls otherwise. Its entries are
// records (tracking.RecordPlace) like users and geofences: every write is
// one tracking.Change the store commits before memory takes it, so a
// change the store refuses leaves the book as it was; memory takes an
// entry only when newer than what it holds, from its own commits and from
// other instances' (Absorb). Search sees the book through the OnChange
// hook, under the book's lock, in the order memory took the changes.
package placebook

import (
	"context"
	"crypto/rand"
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
	Store   tracking.RecordStore // where changes go and the book is read back (memory or PostgreSQL)
	Locator tracking.Locator     // entries lie inside the city
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

	mu       sync.Mutex
	entries  map[string]tracking.PlaceEntry
	versions tracking.Versions // of the entries, deletions included
}

// New loads the book from cfg.Store.
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
	s := &Service{cfg: cfg, log: cfg.Logger.With("component", "placebook"), journal: tracking.Journal{Store: cfg.Store, Bus: tracking.NewBus()},
		entries: map[string]tracking.PlaceEntry{}}
	stored, _, err := cfg.Store.Records(ctx, 0, tracking.RecordPlace)
	if err != nil {
		return nil, fmt.Errorf("load the place book: %w", err)
	}
	s.Absorb(stored, 0)
	return s, nil
}

// Absorb takes book records read back from the store (another instance's
// changes, or everything at start); each applies only if newer than what
// memory holds. upTo is the version the read was complete up to (0: keep
// every tombstone).
func (s *Service) Absorb(rs []tracking.Record, upTo int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, r := range rs {
		changed = s.applyLocked(r) || changed
	}
	if upTo > 0 {
		s.versions.Forget(upTo)
	}
	if changed {
		s.changed()
	}
}

// applyLocked applies one record if it is newer than what memory holds,
// and says whether it did. Caller holds s.mu.
func (s *Service) applyLocked(r tracking.Record) bool {
	if r.Kind != tracking.RecordPlace || (!r.Deleted && r.Place == nil) || !s.versions.Take(r) {
		return false
	}
	if r.Deleted {
		delete(s.entries, r.Key)
	} else {
		s.entries[r.Key] = r.Place.Clone()
	}
	return true
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
	if persisted, err = s.commit("created", e, false, actor, now); err != nil {
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
	e, err := s.Get(id)
	if err != nil {
		return tracking.PlaceEntry{}, false, err
	}
	f.Apply(&e)
	if err := s.check(e); err != nil {
		return tracking.PlaceEntry{}, false, err
	}
	e.UpdatedAt, e.UpdatedBy = s.cfg.Now(), actor
	persisted, err := s.commit("changed", e, false, actor, e.UpdatedAt)
	if err != nil {
		return tracking.PlaceEntry{}, false, err
	}
	return e, persisted, nil
}

// Delete removes an entry.
func (s *Service) Delete(ctx context.Context, id, actor string) (bool, error) {
	e, err := s.Get(id)
	if err != nil {
		return false, err
	}
	return s.commit("deleted", e, true, actor, s.cfg.Now())
}

// commit writes one change of the book and applies it to memory once the
// store has it: persisted is false while it is queued for an unreachable
// database (memory takes it at version 0, the read-back brings the
// version); a refusal leaves memory as it was.
func (s *Service) commit(action string, e tracking.PlaceEntry, deleted bool, actor string, at time.Time) (persisted bool, err error) {
	r := tracking.PlaceRecord(e, deleted)
	v, err := s.journal.Commit(tracking.Change{
		Audit:  tracking.Audit{Action: "place." + action, Actor: actor},
		Action: action, At: at,
		Records: []tracking.Record{r},
	})
	if err != nil {
		s.log.Error("place book change refused by the store", "place", e.ID, "err", err)
		return false, fmt.Errorf("save place %s: %w", e.ID, err)
	}
	r.Version = v
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.applyLocked(r) {
		s.changed()
	}
	return v != 0, nil
}

// newID is a fresh entry id: unique across instances by chance (60
// random bits), letters and digits only.
func newID() string { return "p" + strings.ToLower(rand.Text()[:12]) }
