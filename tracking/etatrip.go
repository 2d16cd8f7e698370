package tracking

import (
	"context"
	"time"
)

// ETATrip is one dispatched assignment beside the trip it became: the ETA
// given at dispatch and when the unit's position history first put it
// within the arrival radius of the incident.
type ETATrip struct {
	IncidentID   string
	UnitID       string
	UnitType     UnitType
	EtaModel     string
	ETASeconds   float64
	DispatchedAt time.Time
	// ArrivedAt is the time of the unit's first fix at or after
	// DispatchedAt (and not after the assignment was cleared) within the
	// radius; nil when the history holds none.
	ArrivedAt *time.Time
}

// ETATripQuery selects the assignments with an ETA (EtaModel set)
// dispatched in [From, To) (a zero bound is open), of Type ("" for any).
type ETATripQuery struct {
	From, To time.Time
	Type     UnitType
	// RadiusM is the arrival radius in great-circle metres (geo.Distance,
	// haversine on orb's sphere).
	RadiusM float64
}

// ETATripReader reads trips for the ETA accuracy report, ordered by
// dispatch time, incident and the assignment's place in it. The in-memory
// and PostgreSQL stores answer alike for the same history.
type ETATripReader interface {
	ETATrips(ctx context.Context, q ETATripQuery) ([]ETATrip, error)
}

// Selects reports whether the query takes an assignment.
func (q ETATripQuery) Selects(a Assignment) bool {
	return a.EtaModel != "" && (q.Type == "" || a.UnitType == q.Type) &&
		(q.From.IsZero() || !a.DispatchedAt.Before(q.From)) && (q.To.IsZero() || a.DispatchedAt.Before(q.To))
}
