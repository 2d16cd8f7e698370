// Package units is the units service: the registry, fixes and liveness,
// crew status, device credentials and the unit events. It owns the writes
// of units; positions go to the position log in batches. Dispatch follows
// the units it has sent through a Follower, never the other way round.
package units

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/fleet"
	"siaga112/tracking/geofence"
)

// Follower hears what units do. Dispatch is one: it watches the fixes of
// the units it sent (arrival on scene) and moves their assignments with
// their status.
type Follower interface {
	// Moved is called after each applied fix, holding no lock of ours.
	Moved(u tracking.Unit)
	// TakeStatus is offered each status change, already in the fleet. A
	// follower that owns the unit (an open assignment) records the change
	// itself, the assignment with the unit, as one Change, and returns the
	// store's answer channel (Journal.Record's); nil when it leaves the unit
	// to us. It must not wait for the database.
	TakeStatus(u tracking.Unit, actor string) <-chan error
}

// Config wires a Service.
type Config struct {
	Fleet     *fleet.Index
	Store     tracking.Store
	Bus       *tracking.Bus
	Positions tracking.PositionLog // optional: every applied fix, for the history
	Logger    *slog.Logger
	Now       func() time.Time

	// Geofences are the fences of the --geofences file; those made
	// through the API are changes through Store, read back at start from
	// GeofenceStore (nil: none to read); GeofenceRules (nil:
	// geofence.DefaultRules) turn enter/leave events into detected status
	// changes (geofences.go).
	Geofences      []geofence.Fence
	GeofenceStore  tracking.RecordStore
	GeofenceRules  geofence.Rules
	GeofenceConfig geofence.Config
}

// Service is safe for concurrent use.
type Service struct {
	cfg     Config
	log     *slog.Logger
	journal tracking.Journal

	// mu orders status and registration changes of units as they are
	// recorded (memory only: recording never waits for the database).
	mu       sync.Mutex
	follower Follower

	credentialsChanged atomic.Pointer[func(unitID string)] // see OnDeviceCredentials

	trackers trackerIndex                      // tracker id → unit (trackers.go)
	fences   *fences                           // geofences.go
	rmu      sync.Mutex                        // guards regions
	regions  map[string][]tracking.RegionEvent // regions.go
}

// Ingest is what telemetry adapters (MQTT, HTTP) feed; none of it waits
// for the database.
var _ interface {
	ApplyFix(id string, p tracking.Position) (fleet.Outcome, error)
	SetStatus(id string, st tracking.Status, at time.Time) (fleet.Outcome, error)
	MarkOfflineIf(id string, cond func(tracking.Unit) bool) (bool, error)
} = (*Service)(nil)

// New builds the service and loads the units the store holds into the fleet.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Fleet == nil || cfg.Store == nil {
		return nil, fmt.Errorf("units: Fleet and Store are required")
	}
	if cfg.Bus == nil {
		cfg.Bus = tracking.NewBus()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{cfg: cfg, log: cfg.Logger.With("component", "units"), journal: tracking.Journal{Store: cfg.Store, Bus: cfg.Bus}}
	var err error
	if s.fences, err = newFences(ctx, cfg); err != nil {
		return nil, fmt.Errorf("load geofences: %w", err)
	}
	if err := s.loadRegionEvents(ctx); err != nil {
		return nil, err
	}
	us, err := cfg.Store.Units(ctx)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	for _, u := range us {
		if err := cfg.Fleet.Restore(u); err != nil {
			return nil, fmt.Errorf("load unit %s: %w", u.ID, err)
		}
		s.trackers.set(u.ID, "", u.TrackerID)
	}
	return s, nil
}

// Follow sets the follower (dispatch); call before serving.
func (s *Service) Follow(f Follower) { s.mu.Lock(); s.follower = f; s.mu.Unlock() }

// Bus is where unit events are published.
func (s *Service) Bus() *tracking.Bus { return s.cfg.Bus }

// Fleet is the live index the service keeps.
func (s *Service) Fleet() *fleet.Index { return s.cfg.Fleet }

// List, Get and CountByLiveness read the live fleet.
func (s *Service) List() []tracking.Unit                      { return s.cfg.Fleet.List() }
func (s *Service) Get(id string) (tracking.Unit, error)       { return s.cfg.Fleet.Get(id) }
func (s *Service) Has(id string) bool                         { return s.cfg.Fleet.Has(id) }
func (s *Service) CountByLiveness() map[tracking.Liveness]int { return s.cfg.Fleet.CountByLiveness() }

// ApplyFix moves the unit: the fleet index once, the position log (batched)
// and the followers. The event carries the unit as the index returned it.
//
// Every ingest comes through here, so the rules every fix obeys are checked
// here too (the decoders check them first, to name the refusal): not at
// lat 0, lon 0, and not more than tracking.MaxFixAhead ahead of the
// server's clock. A fix stamped ahead by less (a tracker clock running
// fast) is taken as of its receipt: kept at its own time, it would make
// the correct fixes after it history until the clock caught up.
func (s *Service) ApplyFix(id string, p tracking.Position) (fleet.Outcome, error) {
	now := s.cfg.Now()
	if problem, detail := (tracking.Fix{Lon: p.Lon, Lat: p.Lat, At: p.At}).Check(now); problem != tracking.FixOK {
		return fleet.History, tracking.Errorf(tracking.CodeInvalid, "%s", detail)
	}
	if p.At.After(now) {
		p.At = now
	}
	out, err := s.cfg.Fleet.ApplyFix(id, p)
	if err != nil || out != fleet.Applied {
		return out, err
	}
	if s.cfg.Positions != nil {
		s.cfg.Positions.Append(id, p, now)
	}
	s.observeFences(id, p)
	s.mu.Lock()
	f := s.follower
	s.mu.Unlock()
	if f == nil && s.cfg.Bus.Subscribers() == 0 {
		return out, nil
	}
	u, err := s.cfg.Fleet.Get(id)
	if err != nil {
		return out, nil
	}
	if f != nil {
		f.Moved(u)
	}
	if s.cfg.Bus.Subscribers() > 0 { // a fix is the hottest path: build the event only for a reader
		s.cfg.Bus.Publish(tracking.Event{Kind: "unit", Action: "moved", At: now, Unit: &u})
	}
	return out, nil
}

// SetStatus applies a crew's status report (MQTT); it never waits for the
// database. The actor is the unit's device ("device:<unit id>"): on the
// embedded broker only that unit's credential can publish its status.
func (s *Service) SetStatus(id string, st tracking.Status, at time.Time) (fleet.Outcome, error) {
	out, _, err := s.setStatus(id, st, at, DeviceActor(id))
	return out, err
}

// SetUnitStatus is a dispatcher setting a unit's status for its crew; it
// waits for the store's answer.
func (s *Service) SetUnitStatus(ctx context.Context, id string, st tracking.Status, actor string) (tracking.Unit, error) {
	_, done, err := s.setStatus(id, st, s.cfg.Now(), actor)
	if err != nil {
		return tracking.Unit{}, err
	}
	if done != nil {
		if err := refused(ctx, done); err != nil {
			return tracking.Unit{}, err
		}
	}
	return s.cfg.Fleet.Get(id)
}

// setStatus changes the unit in the fleet and records the change (with its
// assignment when dispatch follows the unit); done is the store's answer,
// nil when nothing changed.
func (s *Service) setStatus(id string, st tracking.Status, at time.Time, actor string) (fleet.Outcome, <-chan error, error) {
	return s.setStatusFrom(id, "", st, at, actor)
}

// setStatusFrom is setStatus when the unit's status is still from ("" for
// any): a detected change must not override what the crew said meanwhile.
func (s *Service) setStatusFrom(id string, from, st tracking.Status, at time.Time, actor string) (fleet.Outcome, <-chan error, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if from != "" {
		if u, err := s.cfg.Fleet.Get(id); err != nil || u.Status != from {
			return fleet.History, nil, err
		}
	}
	out, err := s.cfg.Fleet.SetStatus(id, st, at)
	if err != nil || out != fleet.Applied {
		return out, nil, err
	}
	u, err := s.cfg.Fleet.Get(id)
	if err != nil {
		return out, nil, err
	}
	if s.follower != nil {
		if done := s.follower.TakeStatus(u, actor); done != nil {
			return out, done, nil
		}
	}
	done := s.record(tracking.Change{Audit: tracking.Audit{Action: "unit." + string(st), Actor: actor}, Action: "status", At: s.cfg.Now(), Units: []tracking.Unit{u}})
	return out, done, nil
}

// MarkOffline records a tracker's last will (liveness only: nothing to
// write).
func (s *Service) MarkOffline(id string) error {
	_, err := s.MarkOfflineIf(id, nil)
	return err
}

// MarkOfflineIf records a last will when cond (nil: always) holds for the
// unit as the fleet has it, checked atomically with the fleet's fixes (see
// fleet.Index.MarkOfflineIf); it reports whether the unit was marked.
func (s *Service) MarkOfflineIf(id string, cond func(tracking.Unit) bool) (bool, error) {
	marked, err := s.cfg.Fleet.MarkOfflineIf(id, cond)
	if err != nil || !marked {
		return marked, err
	}
	if u, err := s.cfg.Fleet.Get(id); err == nil {
		s.cfg.Bus.Publish(tracking.Event{Kind: "unit", Action: "offline", At: s.cfg.Now(), Unit: &u})
	}
	return true, nil
}

// Register adds or updates a unit, recorded and published.
func (s *Service) Register(ctx context.Context, r tracking.Registration, actor string) (tracking.Unit, bool, error) {
	for _, f := range []struct{ name, value string }{{"callsign", r.Callsign}, {"agency", r.Agency}} {
		if err := tracking.CheckText(f.name, f.value, tracking.MaxText, false); err != nil {
			return tracking.Unit{}, false, err
		}
	}
	s.mu.Lock()
	u, created, err := s.cfg.Fleet.Register(r)
	if err != nil {
		s.mu.Unlock()
		return u, created, err
	}
	done := s.record(tracking.Change{Audit: tracking.Audit{Action: "unit.registered", Actor: actor}, Action: "registered", At: s.cfg.Now(), Units: []tracking.Unit{u}})
	s.mu.Unlock()
	if err := refused(ctx, done); err != nil {
		return tracking.Unit{}, false, err
	}
	return u, created, nil
}

// IssueDeviceSecret gives a unit a new MQTT password (the old one stops
// working) and returns it; only its hash is kept.
func (s *Service) IssueDeviceSecret(ctx context.Context, id, actor string) (string, error) {
	secret, hash, err := tracking.NewSecret()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	if err := s.cfg.Fleet.SetSecret(id, hash); err != nil {
		s.mu.Unlock()
		return "", err
	}
	u, _ := s.cfg.Fleet.Get(id)
	u.SecretHash = hash
	done := s.record(tracking.Change{Audit: tracking.Audit{Action: "unit.credentials_issued", Actor: actor}, Action: "credentials", At: s.cfg.Now(), Units: []tracking.Unit{u}})
	s.mu.Unlock()
	// The old secret no longer opens a session; close those it opened.
	s.deviceCredentialsChanged(id)
	if err := refused(ctx, done); err != nil {
		return "", err
	}
	return secret, nil
}

// CheckDevice reports whether password is the unit's device password (its
// MQTT password, the OwnTracks HTTP password and the OsmAnd key), and the
// unit's agency. Every device login goes through here, from memory.
func (s *Service) CheckDevice(id, password string) (agency string, ok bool) {
	u, err := s.cfg.Fleet.Get(id)
	if err != nil || !mayAuthenticate(u) || !tracking.SecretMatches(u.SecretHash, password) {
		return "", false
	}
	return u.Agency, true
}

// record hands a unit change to the store, which writes registration,
// status and credentials (positions go to the position log); the event
// carries the whole unit for the map. Caller holds s.mu.
func (s *Service) record(c tracking.Change) <-chan error { return s.journal.Record(c) }

// refused waits for the store: nil when written or queued for an outage.
func refused(ctx context.Context, done <-chan error) error {
	select {
	case err := <-done:
		if err == nil || err == tracking.ErrQueued {
			return nil
		}
		return fmt.Errorf("save unit: %w", err)
	case <-ctx.Done():
		return nil // the change stands in memory; the store goes on
	}
}

// DeviceActor names a unit's device in the audit trail.
func DeviceActor(unitID string) string { return "device:" + unitID }
