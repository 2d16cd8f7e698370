package units

import "siaga112/tracking"

// OnDeviceCredentials registers fn, called with a unit id each time its
// device credentials change (rotated or revoked), so that live MQTT
// sessions opened with the old ones are closed at once. One callback; a
// later call replaces it.
func (s *Service) OnDeviceCredentials(fn func(unitID string)) {
	s.credentialsChanged.Store(&fn)
}

func (s *Service) deviceCredentialsChanged(unitID string) {
	if fn := s.credentialsChanged.Load(); fn != nil && *fn != nil {
		(*fn)(unitID)
	}
}

// mayAuthenticate says whether a unit's device credentials may open
// anything at all (MQTT, OwnTracks HTTP, the OsmAnd port): the one place to
// refuse a unit as a whole, whatever password it shows.
func mayAuthenticate(u tracking.Unit) bool {
	return u.SecretHash != "" && u.MayAuthenticate()
}
