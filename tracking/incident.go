package tracking

import (
	"context"
	"errors"
	"time"
)

// Category is a case type key ("fire", "medical", …). Categories are
// configuration: the city adds its own in the plans file.
type Category string

// IncidentStatus is open until the case is done.
type IncidentStatus string

const (
	IncidentOpen   IncidentStatus = "open"
	IncidentClosed IncidentStatus = "closed"
)

// AssignmentStatus is where one unit is in its work on one incident:
// dispatched → en_route → on_scene → (transporting → at_hospital) → cleared.
type AssignmentStatus string

const (
	AssignDispatched   AssignmentStatus = "dispatched"
	AssignEnRoute      AssignmentStatus = "en_route"
	AssignOnScene      AssignmentStatus = "on_scene"
	AssignTransporting AssignmentStatus = "transporting"
	AssignAtHospital   AssignmentStatus = "at_hospital"
	AssignCleared      AssignmentStatus = "cleared"
)

// AssignmentStatuses lists the lifecycle in order; a transition only moves
// forward.
var AssignmentStatuses = []AssignmentStatus{AssignDispatched, AssignEnRoute, AssignOnScene, AssignTransporting, AssignAtHospital, AssignCleared}

// Rank is the position of s in the lifecycle, or -1.
func (s AssignmentStatus) Rank() int {
	for i, x := range AssignmentStatuses {
		if x == s {
			return i
		}
	}
	return -1
}

// Assignment is one unit sent to one incident.
type Assignment struct {
	UnitID     string           `json:"unit_id"`
	UnitType   UnitType         `json:"type"`
	Status     AssignmentStatus `json:"status"`
	DistanceM  float64          `json:"distance_m"` // great-circle, at dispatch
	ETASeconds float64          `json:"eta_s"`      // estimate at dispatch
	// EtaModel says what made ETASeconds: "road" (the --osm network) or
	// "detour" (great-circle × detour ÷ speed).
	EtaModel     string     `json:"eta_model"`
	DispatchedAt time.Time  `json:"dispatched_at"`
	EnRouteAt    *time.Time `json:"en_route_at"`
	OnSceneAt    *time.Time `json:"on_scene_at"`
	// OnSceneDetected: the arrival was seen in the unit's fixes, not reported.
	OnSceneDetected bool       `json:"on_scene_detected"`
	TransportingAt  *time.Time `json:"transporting_at"`
	AtHospitalAt    *time.Time `json:"at_hospital_at"`
	ClearedAt       *time.Time `json:"cleared_at"`
	DispatchedBy    string     `json:"dispatched_by,omitempty"`
}

// Open reports whether the unit is still working the incident.
func (a Assignment) Open() bool { return a.Status != AssignCleared }

// Incident is one case, from the call to its close.
type Incident struct {
	ID          string         `json:"id"`
	Category    Category       `json:"category"`
	Lat         float64        `json:"lat"`
	Lon         float64        `json:"lon"`
	Kecamatan   Place          `json:"kecamatan"`
	Kelurahan   Place          `json:"kelurahan"`
	Approximate bool           `json:"approximate"` // located without official boundaries
	Caller      string         `json:"caller"`
	Description string         `json:"description"`
	Status      IncidentStatus `json:"status"`
	LeadAgency  string         `json:"lead_agency"`

	ReceivedAt   time.Time  `json:"received_at"`
	DispatchedAt *time.Time `json:"dispatched_at"` // first unit sent
	EnRouteAt    *time.Time `json:"en_route_at"`   // first unit under way
	OnSceneAt    *time.Time `json:"on_scene_at"`   // first unit on scene
	ClearedAt    *time.Time `json:"cleared_at"`    // last unit cleared
	ClosedAt     *time.Time `json:"closed_at"`

	// The SOP: the lead agency must act within 3×24 h of the report.
	AgencyDueAt   time.Time  `json:"agency_due_at"`
	AgencyActedAt *time.Time `json:"agency_acted_at"`

	Assignments []Assignment `json:"assignments"`
	// AgencyParts: each agency's acknowledgement and done (agencywork.go).
	AgencyParts []AgencyPart `json:"agency_parts"`
	Notes       []Note       `json:"notes"`

	// Persisted is about the answer, not the incident: false when the
	// change was queued because the database is unreachable.
	Persisted bool `json:"persisted"`
}

// Overdue reports whether the lead agency has let the deadline pass without
// acting on an open incident.
func (in Incident) Overdue(now time.Time) bool {
	return in.Status == IncidentOpen && in.AgencyActedAt == nil && now.After(in.AgencyDueAt)
}

// Clone returns a deep copy, safe to hand out while the original changes.
func (in Incident) Clone() Incident {
	in.Assignments = append(make([]Assignment, 0, len(in.Assignments)), in.Assignments...)
	in.AgencyParts = append(make([]AgencyPart, 0, len(in.AgencyParts)), in.AgencyParts...)
	in.Notes = append(make([]Note, 0, len(in.Notes)), in.Notes...)
	return in
}

// Caller is what the centre knows of a phone number.
type Caller struct {
	Number       string      `json:"number"`
	PrankCalls   []time.Time `json:"prank_calls"`
	BlockedUntil *time.Time  `json:"blocked_until"`
	// ProposedPermanentBlock: over the ministry threshold; the number is on
	// the list the city sends to the ministry.
	ProposedPermanentBlock bool        `json:"proposed_permanent_block"`
	Lifts                  []BlockLift `json:"lifts"`
}

// BlockLift records a supervisor lifting a block.
type BlockLift struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// Clone returns a deep copy.
func (c Caller) Clone() Caller {
	c.PrankCalls = append([]time.Time(nil), c.PrankCalls...)
	c.Lifts = append([]BlockLift(nil), c.Lifts...)
	return c
}

// Audit says who did what: each write to a Store carries one, and a durable
// store keeps them as its append-only audit trail.
type Audit struct {
	Action string    // "incident.created", "assignment.en_route", "caller.prank", "user.changed", …
	Actor  string    // who: the authenticated principal (user or token name), a unit for its crew's reports, "system"
	At     time.Time // when (account changes; a Change has its own At)
}

// ErrQueued is what a Store returns when it could not reach its database
// and queued the write, in order, to be written when the database returns.
// The change stands in memory; answers say "persisted": false.
var ErrQueued = errors.New("the database is unreachable: the write is queued")

// Store keeps units, incidents and callers. Every write is a Change, in
// the order submitted; the in-memory store is the default, PostgreSQL
// slides in behind the same interface.
type Store interface {
	// Submit queues c behind every earlier change and returns at once,
	// without touching the database (callers may hold a memory lock). The
	// store writes c in one transaction and then calls done, in submission
	// order, with nil (committed), ErrQueued (the database is unreachable:
	// c waits in order and is written when it returns) or the refusal (c
	// goes to the dead letters, never silently dropped).
	Submit(c Change, done func(error))
	// Units, Incidents and Callers load the state back at start: every unit
	// with its last position, the open and recently closed incidents, every
	// caller with a record.
	Units(ctx context.Context) ([]Unit, error)
	Incidents(ctx context.Context) ([]Incident, error)
	Callers(ctx context.Context) ([]Caller, error)
	// LastIncidentID is the greatest incident id ever saved ("" for none).
	LastIncidentID(ctx context.Context) (string, error)
}

// PositionLog takes every applied fix for the position history. Append
// never blocks: a durable log batches in the background.
type PositionLog interface {
	Append(unitID string, p Position, receivedAt time.Time)
}
