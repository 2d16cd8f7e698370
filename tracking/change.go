package tracking

import "time"

// Change is one mutation, whole: the audit entry and every row it touches.
// The store writes a Change in one transaction, and only then is it
// published, once, on the bus (see Journal). A dispatch is one Change: the
// incident, its new assignments and the units' statuses commit together.
type Change struct {
	Audit    Audit
	Action   string    // event action for the live feed: "created", "dispatched", "status", …
	At       time.Time // when it happened
	Incident *Incident // with all its assignments
	Units    []Unit    // registration, status and credentials; never positions
	Caller   *Caller
	Region   *RegionEvent // a unit entering or leaving a region (units/regions.go)
	// Prank, with Caller, marks one prank call the store counts itself
	// (exact when two instances mark the same number at once).
	Prank *PrankMark
	Call  *Call // a logged call (not published: the log is read from the store)
	// CallEvent is one report of the phone system: the store folds it into
	// the call of its call_id (upsert; events come in any order and
	// through any instance). Published as Kind "call".
	CallEvent *CallEvent
	// CallerLocation is a caller's position (AML), published as Kind
	// "location"; RawAML the message as received (kept, not published).
	CallerLocation *CallerLocation
	RawAML         *RawAML
	// Records saves or deletes users, tokens, sessions, geofences, agency
	// contacts and place-book entries (record.go). They are not published on the bus (the
	// live feed is not theirs): other instances read them back by version.
	Records []Record
	// ExpireSessions, when set, removes every session expired at that
	// time; the trail notes how many, if any (memory drops them by time).
	ExpireSessions time.Time
	// Committed, when set, hears the version the store gave Records, just
	// before done answers nil (not for a change queued during an outage).
	Committed func(version int64) `json:"-"`
}

// Versioned says whether c writes records, which the store versions.
func (c Change) Versioned() bool { return len(c.Records) > 0 || !c.ExpireSessions.IsZero() }

// Events are what the bus publishes for c: one per row, in the order the
// live feed draws them (the incident before its units).
func (c Change) Events() []Event {
	var out []Event
	if c.Incident != nil {
		in := c.Incident.Clone()
		out = append(out, Event{Kind: "incident", Action: c.Action, At: c.At, Incident: &in})
	}
	for i := range c.Units {
		u := c.Units[i]
		out = append(out, Event{Kind: "unit", Action: c.Action, At: c.At, Unit: &u})
	}
	if c.Region != nil {
		r := *c.Region
		out = append(out, Event{Kind: "region", Action: c.Action, At: c.At, Region: &r})
	}
	if c.Caller != nil {
		cl := c.Caller.Clone()
		out = append(out, Event{Kind: "caller", Action: c.Action, At: c.At, Caller: &cl})
	}
	if c.CallEvent != nil {
		ce := *c.CallEvent
		out = append(out, Event{Kind: "call", Action: string(ce.Event), At: c.At, Call: &ce})
	}
	if c.CallerLocation != nil {
		l := *c.CallerLocation
		out = append(out, Event{Kind: "location", Action: c.Action, At: c.At, Location: &l})
	}
	return out
}

// Journal is the one change path: Record hands a change to the store, which
// writes it in order in one transaction, and publishes it on the bus once
// the store has it (committed, or queued for an unreachable database).
type Journal struct {
	Store Submitter
	Bus   *Bus
}

// Submitter takes changes in order: every Store, every RecordStore.
type Submitter interface {
	Submit(c Change, done func(error))
}

// Record submits c and returns at once, without waiting for the database:
// it may be called under a lock that guards memory, which keeps the order
// of changes to one incident the order the store sees. The channel gets
// the store's answer: nil, ErrQueued, or the refusal (c is then kept in the
// store's dead letters and not published).
func (j Journal) Record(c Change) <-chan error {
	done := make(chan error, 1)
	j.Store.Submit(c, func(err error) {
		if err == nil || err == ErrQueued {
			for _, e := range c.Events() {
				j.Bus.Publish(e)
			}
		}
		done <- err
	})
	return done
}

// Apply submits c and waits for the store's answer (tools and tests; the
// services use a Journal).
func Apply(s Submitter, c Change) error {
	done := make(chan error, 1)
	s.Submit(c, func(err error) { done <- err })
	return <-done
}
