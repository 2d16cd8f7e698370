package units

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
