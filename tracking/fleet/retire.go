package fleet

import "siaga112/tracking"

// Retiring units: an admin disables a unit (it stays, out of every search)
// or deletes it (it leaves the index). Neither is allowed while the unit is
// on an incident: its crew's assignment would be left without a unit.

// SetDisabled disables or enables a unit. changed is false when it already
// was so (nothing to record). A busy unit (Unit.Busy) is not disabled: a
// conflict naming its status.
func (ix *Index) SetDisabled(id string, disabled bool) (u tracking.Unit, changed bool, err error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.units[id]
	if !ok {
		return tracking.Unit{}, false, tracking.Errorf(tracking.CodeNotFound, "unit %q is not registered", id)
	}
	if e.unit.Disabled == disabled {
		return ix.view(e, ix.cfg.Now()), false, nil
	}
	if disabled && e.unit.Busy() {
		return tracking.Unit{}, false, busy(e.unit, "disabled")
	}
	ix.unindex(e)
	e.unit.Disabled = disabled
	ix.index(e)
	return ix.view(e, ix.cfg.Now()), true, nil
}

// Remove takes a unit out of the index and returns it as it was. A busy
// unit stays (a conflict naming its status) unless force: another instance
// removed it already.
func (ix *Index) Remove(id string, force bool) (tracking.Unit, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.units[id]
	if !ok {
		return tracking.Unit{}, tracking.Errorf(tracking.CodeNotFound, "unit %q is not registered", id)
	}
	if !force && e.unit.Busy() {
		return tracking.Unit{}, busy(e.unit, "deleted")
	}
	ix.unindex(e)
	delete(ix.units, id)
	return ix.view(e, ix.cfg.Now()), nil
}

func busy(u tracking.Unit, what string) error {
	return tracking.Errorf(tracking.CodeConflict, "unit %s (%s) is %s, on an incident: it cannot be %s now; set its status "+
		"(POST /api/units/%s/status, e.g. out_of_service, which clears its assignment) first", u.ID, u.Callsign, u.Status, what, u.ID)
}
