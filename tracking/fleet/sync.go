package fleet

import "siaga112/tracking"

// Sync sets a unit's registration, status and device secret as the
// database holds them (another instance changed them), keeping the
// position and liveness this index has heard itself: every instance gets
// every fix, so its own are at least as new as the database's. A unit not
// known yet is added with the database's last position. It reports whether
// the unit was new.
func (ix *Index) Sync(u tracking.Unit) (bool, error) {
	ix.mu.Lock()
	e, ok := ix.units[u.ID]
	ix.mu.Unlock()
	if !ok {
		return true, ix.Restore(u)
	}
	r := tracking.Registration{ID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency}
	if err := r.Validate(); err != nil {
		return false, err
	}
	if _, err := tracking.ParseStatus(string(u.Status)); err != nil {
		return false, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if cur, ok := ix.units[u.ID]; ok {
		e = cur
	}
	ix.unindex(e)
	e.unit.Callsign, e.unit.Type, e.unit.Agency = u.Callsign, u.Type, u.Agency
	e.unit.Status, e.unit.StatusAt, e.unit.SecretHash = u.Status, u.StatusAt, u.SecretHash
	e.unit.Disabled = u.Disabled
	ix.index(e)
	return false, nil
}
