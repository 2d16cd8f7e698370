package tracking

import (
	"context"
	"time"
)

// DeadlineKind is one of the agency deadline clock's two alarms.
type DeadlineKind string

const (
	// DeadlineWarning fires at two thirds of the deadline with no
	// acknowledgement from the lead agency.
	DeadlineWarning DeadlineKind = "warning"
	// DeadlineOverdue fires when the deadline passes with none.
	DeadlineOverdue DeadlineKind = "overdue"
)

// DeadlineMark records that an alarm fired for an incident.
type DeadlineMark struct {
	IncidentID string       `json:"incident_id"`
	Kind       DeadlineKind `json:"kind"`
	FiredAt    time.Time    `json:"fired_at"`
}

// DeadlineMarks makes "fires once" durable: the clock records a mark before
// it fires, and fires only when the record is new, so neither a restart nor
// a second instance fires an alarm twice.
type DeadlineMarks interface {
	// MarkFired records m unless a mark of the same incident and kind
	// exists; it reports whether this call recorded it.
	MarkFired(ctx context.Context, m DeadlineMark) (bool, error)
}
