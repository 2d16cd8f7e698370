package units

import "siaga112/tracking"

// Sync puts a unit into the fleet as the database holds it (registered,
// its status or credentials changed, on another instance); publish: tell
// the live feed (with action). A changed device secret closes the sessions
// the old one opened on this instance's broker too, and so does a unit
// disabled there.
func (s *Service) Sync(u tracking.Unit, action string, publish bool) error {
	s.mu.Lock()
	before, err := s.cfg.Fleet.Get(u.ID)
	known := err == nil
	if _, err := s.cfg.Fleet.Sync(u); err != nil {
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()
	if known && (before.SecretHash != u.SecretHash || !before.Disabled && u.Disabled) {
		s.deviceCredentialsChanged(u.ID)
	}
	if publish {
		if now, err := s.cfg.Fleet.Get(u.ID); err == nil {
			s.cfg.Bus.Publish(tracking.Event{Kind: "unit", Action: action, At: s.cfg.Now(), Unit: &now})
		}
	}
	return nil
}
