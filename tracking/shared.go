package tracking

import (
	"context"
	"fmt"
	"time"
)

// Several instances share one database (DESIGN.md §9): each commits its
// changes and tells the others which rows it touched; they read those rows
// back. These are the domain's side of it.

// Notice names what one committed change touched, for every instance on the
// same database to read back.
type Notice struct {
	Origin string `json:"o"` // the instance that committed it
	Kind   string `json:"k"` // "incident", "unit", "caller", "records" or "call"
	ID     string `json:"i"` // incident id, unit id, caller number or call_id ("" for records)
	Action string `json:"a"` // the live feed's action ("created", "dispatched", …)
	// Version, with Kind "records", is the version the change gave its
	// records: a reader that has read up to it already has the change.
	Version int64 `json:"v,omitempty"`
}

// IncidentNumbers hands out incident numbers unique across every instance
// sharing a store (PostgreSQL: a sequence). A store without it numbers
// incidents in memory.
type IncidentNumbers interface {
	NextIncidentNumber(ctx context.Context) (int64, error)
}

// UnitTaken refuses a dispatch: another instance committed an open
// assignment of the unit first. It is a conflict (409) naming the unit.
type UnitTaken struct {
	Incident string
	Unit     string
}

func (e *UnitTaken) Error() string {
	return fmt.Sprintf("unit %s was assigned elsewhere a moment ago (another dispatcher, maybe on another server): it is not sent to incident %s; choose again", e.Unit, e.Incident)
}

// Unwrap makes it a coded conflict.
func (e *UnitTaken) Unwrap() error { return &Error{Code: CodeConflict, Message: e.Error()} }

// PrankMark says a Change with a Caller marks one prank call at At: the
// store counts the number's calls itself, under a row lock, so two
// instances marking the same number at once both count, and it blocks the
// number by the rule (more than BlockAfter calls within Window, or ever
// when Window is 0, block it for BlockFor from At; more than ProposeAfter
// propose a permanent block).
type PrankMark struct {
	At                       time.Time
	Window, BlockFor         time.Duration
	BlockAfter, ProposeAfter int
}
