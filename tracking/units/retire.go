package units

import (
	"context"

	"siaga112/tracking"
)

// Retiring units (issue 22): an admin disables a unit that is out of the
// fleet for a while, or deletes one that is gone for good. Each is one
// Change, recorded in order and published once; the history stays.

// SetDisabled disables (or enables again) a unit: out of nearest,
// recommendations, dispatch and coverage, its tracker credentials refused
// and its live MQTT sessions closed. Disabling a disabled unit changes
// nothing and records nothing. A unit on an incident is a conflict.
func (s *Service) SetDisabled(ctx context.Context, id string, disabled bool, actor string) (tracking.Unit, error) {
	s.mu.Lock()
	u, changed, err := s.cfg.Fleet.SetDisabled(id, disabled)
	if err != nil || !changed {
		s.mu.Unlock()
		return u, err
	}
	action := "enabled"
	if disabled {
		action = "disabled"
	}
	done := s.record(tracking.Change{Audit: tracking.Audit{Action: "unit." + action, Actor: actor}, Action: action, At: s.cfg.Now(), Units: []tracking.Unit{u}})
	s.mu.Unlock()
	if disabled {
		s.deviceCredentialsChanged(id) // its tracker's sessions end now
		s.log.Info("unit disabled", "unit", id, "by", actor)
	} else {
		s.log.Info("unit enabled", "unit", id, "by", actor)
	}
	if err := refused(ctx, done); err != nil {
		return tracking.Unit{}, err
	}
	return u, nil
}

// Delete takes a unit out of the fleet: its tracker id is freed, its
// credentials end, and its positions, assignments and audit trail stay. A
// unit on an incident is a conflict. The id may be registered again later,
// as a new unit.
func (s *Service) Delete(ctx context.Context, id, actor string) error {
	s.mu.Lock()
	u, err := s.cfg.Fleet.Remove(id, false)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	s.trackers.set(id, u.TrackerID, "")
	u.Deleted = true
	done := s.record(tracking.Change{Audit: tracking.Audit{Action: "unit.deleted", Actor: actor}, Action: "deleted", At: s.cfg.Now(), Units: []tracking.Unit{u}})
	s.mu.Unlock()
	s.deviceCredentialsChanged(id)
	s.log.Info("unit deleted", "unit", id, "by", actor)
	return refused(ctx, done)
}

// Forget takes out of the fleet a unit another instance deleted; publish:
// tell the live feed.
func (s *Service) Forget(id string, publish bool) {
	s.mu.Lock()
	u, err := s.cfg.Fleet.Remove(id, true)
	if err == nil {
		s.trackers.set(id, u.TrackerID, "")
	}
	s.mu.Unlock()
	if err != nil {
		return // not here: nothing to forget
	}
	s.deviceCredentialsChanged(id)
	if publish {
		u.Deleted = true
		s.cfg.Bus.Publish(tracking.Event{Kind: "unit", Action: "deleted", At: s.cfg.Now(), Unit: &u})
	}
}

// MayAuthenticate is whether the unit's tracker may sign in at all (MQTT,
// OwnTracks HTTP, OsmAnd): registered and not disabled. CheckDevice asks
// it; tracker code that resolves a unit by other means (an OsmAnd tracker
// id) asks it too.
func (s *Service) MayAuthenticate(unitID string) bool {
	u, err := s.cfg.Fleet.Get(unitID)
	return err == nil && u.MayAuthenticate()
}
