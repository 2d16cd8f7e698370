package tracking

// UpdateOutcome is what became of an update of a unit's live state (a fix,
// a crew status): the fleet index decides it under its lock, the ingest
// counts it.
type UpdateOutcome int

const (
	// UpdateApplied: the update changed the unit.
	UpdateApplied UpdateOutcome = iota
	// UpdateHistory: the update was older than (or as old as) what the unit
	// already has; it was not applied, so a unit never moves back in time.
	UpdateHistory
)
