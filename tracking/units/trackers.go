package units

import (
	"context"
	"strings"
	"sync"
	"unicode"

	"siaga112/tracking"
)

// trackerIndex maps tracker ids (OsmAnd "id") to units, for the OsmAnd
// listener's lookup on every request without touching the fleet's lock.
type trackerIndex struct {
	mu   sync.RWMutex
	byID map[string]string // tracker id → unit id
}

func (t *trackerIndex) get(trackerID string) (string, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	u, ok := t.byID[trackerID]
	return u, ok
}

// set moves unit from old to new ("" for none).
func (t *trackerIndex) set(unit, old, new string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID == nil {
		t.byID = map[string]string{}
	}
	if old != "" && t.byID[old] == unit {
		delete(t.byID, old)
	}
	if new != "" {
		t.byID[new] = unit
	}
}

// SetTrackers sets a unit's tracker id (unique across units: a duplicate
// is a conflict naming the other unit) and OwnTracks secret, recorded and
// published. The secret is never logged or published (Unit hides it).
func (s *Service) SetTrackers(ctx context.Context, id string, t tracking.TrackerSettings, actor string) (tracking.Unit, error) {
	if t.TrackerID != nil {
		v := strings.TrimSpace(*t.TrackerID)
		if err := checkTrackerID(v); err != nil {
			return tracking.Unit{}, err
		}
		t.TrackerID = &v
	}
	if t.OwnTracksSecret != nil && len(*t.OwnTracksSecret) > tracking.MaxOwnTracksSecretLen {
		return tracking.Unit{}, tracking.Errorf(tracking.CodeInvalid, "owntracks_secret is longer than %d bytes", tracking.MaxOwnTracksSecretLen)
	}
	s.mu.Lock()
	u, err := s.cfg.Fleet.Get(id)
	if err != nil {
		s.mu.Unlock()
		return tracking.Unit{}, err
	}
	trackerID, secret := u.TrackerID, u.OwnTracksSecret
	if t.TrackerID != nil {
		trackerID = *t.TrackerID
	}
	if t.OwnTracksSecret != nil {
		secret = *t.OwnTracksSecret
	}
	if other, ok := s.trackers.get(trackerID); ok && trackerID != "" && other != id {
		s.mu.Unlock()
		return tracking.Unit{}, tracking.Errorf(tracking.CodeConflict, "tracker id %q is already unit %q's: clear it there first", trackerID, other)
	}
	if trackerID == u.TrackerID && secret == u.OwnTracksSecret {
		s.mu.Unlock()
		return u, nil
	}
	if err := s.cfg.Fleet.SetTracker(id, trackerID, secret); err != nil {
		s.mu.Unlock()
		return tracking.Unit{}, err
	}
	s.trackers.set(id, u.TrackerID, trackerID)
	u.TrackerID, u.OwnTracksSecret = trackerID, secret
	done := s.record(tracking.Change{Audit: tracking.Audit{Action: "unit.trackers", Actor: actor}, Action: "trackers", At: s.cfg.Now(), Units: []tracking.Unit{u}})
	s.mu.Unlock()
	if err := refused(ctx, done); err != nil {
		return tracking.Unit{}, err
	}
	return u, nil
}

func checkTrackerID(v string) error {
	if len(v) > tracking.MaxTrackerIDLen {
		return tracking.Errorf(tracking.CodeInvalid, "tracker_id is longer than %d characters", tracking.MaxTrackerIDLen)
	}
	for _, r := range v {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\uFFFD' {
			return tracking.Errorf(tracking.CodeInvalid, "tracker_id may not hold spaces or control characters")
		}
	}
	return nil
}

// UnitByTrackerID resolves an OsmAnd device id to its unit, from memory.
func (s *Service) UnitByTrackerID(trackerID string) (string, bool) {
	if trackerID == "" {
		return "", false
	}
	return s.trackers.get(trackerID)
}

// OwnTracksSecret is the unit's OwnTracks passphrase, nil when none.
func (s *Service) OwnTracksSecret(unitID string) []byte {
	u, err := s.cfg.Fleet.Get(unitID)
	if err != nil || u.OwnTracksSecret == "" {
		return nil
	}
	return []byte(u.OwnTracksSecret)
}
