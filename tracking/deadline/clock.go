// Package deadline is the agency deadline clock of the city's SOP: a case
// forwarded to its lead agency must be acknowledged within the deadline
// (--agency-deadline, default 3×24 h). At two thirds of it with no
// acknowledgement the clock warns; when it passes, the case is overdue.
// Each alarm fires once, across restarts, through durable marks. The clock
// does no I/O of its own: the cases and the marks are handed in.
package deadline

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"siaga112/tracking"
)

// DefaultDeadline is the SOP's 3×24 h.
const DefaultDeadline = 72 * time.Hour

// MaxDeadline bounds --agency-deadline.
const MaxDeadline = 90 * 24 * time.Hour

// ValidateDeadline checks an --agency-deadline value (cmd reads the flag
// with flag.Duration and refuses what this refuses).
func ValidateDeadline(d time.Duration) error {
	if d <= 0 || d > MaxDeadline {
		return tracking.Errorf(tracking.CodeInvalid, "--agency-deadline %v must be more than 0 and at most %v", d, MaxDeadline)
	}
	return nil
}

// Case is what the clock needs of an incident.
type Case struct {
	IncidentID string
	Agency     string // the lead agency
	ReceivedAt time.Time
	AckedAt    *time.Time // the lead agency's acknowledgement
	Closed     bool
}

// CaseOf reads an incident.
func CaseOf(in tracking.Incident) Case {
	return Case{IncidentID: in.ID, Agency: in.LeadAgency, ReceivedAt: in.ReceivedAt, AckedAt: in.AgencyActedAt, Closed: in.Status == tracking.IncidentClosed}
}

// Firing is one alarm to raise.
type Firing struct {
	Case
	Kind  tracking.DeadlineKind
	DueAt time.Time // when it was due (earlier than now after a restart)
}

// Clock decides which alarms are due and fires each once.
type Clock struct {
	deadline time.Duration
	marks    tracking.DeadlineMarks

	mu    sync.Mutex
	fired map[mark]bool // known fired: a cache of the durable marks
}

type mark struct {
	id   string
	kind tracking.DeadlineKind
}

// New returns a clock; deadline ≤ 0 means DefaultDeadline.
func New(deadline time.Duration, marks tracking.DeadlineMarks) *Clock {
	if deadline <= 0 {
		deadline = DefaultDeadline
	}
	return &Clock{deadline: deadline, marks: marks, fired: map[mark]bool{}}
}

// Deadline is the configured deadline.
func (c *Clock) Deadline() time.Duration { return c.deadline }

// WarnAt is when the warning is due: two thirds of the deadline.
func (c *Clock) WarnAt(cs Case) time.Time { return cs.ReceivedAt.Add(c.deadline * 2 / 3) }

// DueAt is the deadline itself; the case is overdue strictly after it, as
// tracking.Incident.Overdue has it.
func (c *Clock) DueAt(cs Case) time.Time { return cs.ReceivedAt.Add(c.deadline) }

// waiting: the clock runs only for open, unacknowledged cases.
func waiting(cs Case) bool { return !cs.Closed && cs.AckedAt == nil }

// due returns the alarm due for cs at now, if any. When both are due (the
// server was down past the deadline) only the overdue fires: a warning
// after the fact helps nobody.
func (c *Clock) due(cs Case, now time.Time) (tracking.DeadlineKind, time.Time, bool) {
	if !waiting(cs) {
		return "", time.Time{}, false
	}
	if d := c.DueAt(cs); now.After(d) {
		return tracking.DeadlineOverdue, d, true
	}
	if w := c.WarnAt(cs); !now.Before(w) {
		return tracking.DeadlineWarning, w, true
	}
	return "", time.Time{}, false
}

// Check returns the alarms to raise now, each recorded as fired before it
// is returned (at most once: a crash between the record and the raise loses
// that one alarm, never repeats it). An alarm whose mark exists already,
// from before a restart or from another instance, is skipped. On a store
// error the alarms recorded so far are returned with the error; the rest
// are tried again at the next Check.
func (c *Clock) Check(ctx context.Context, cases []Case, now time.Time) ([]Firing, error) {
	var out []Firing
	live := make(map[string]bool, len(cases))
	for _, cs := range cases {
		live[cs.IncidentID] = true
		kind, at, ok := c.due(cs, now)
		if !ok {
			continue
		}
		k := mark{cs.IncidentID, kind}
		c.mu.Lock()
		known := c.fired[k]
		c.mu.Unlock()
		if known {
			continue
		}
		recorded, err := c.marks.MarkFired(ctx, tracking.DeadlineMark{IncidentID: cs.IncidentID, Kind: kind, FiredAt: now.UTC()})
		if err != nil {
			return out, fmt.Errorf("record %s mark of %s: %w", kind, cs.IncidentID, err)
		}
		c.mu.Lock()
		c.fired[k] = true
		c.mu.Unlock()
		if recorded {
			out = append(out, Firing{Case: cs, Kind: kind, DueAt: at})
		}
	}
	// Forget marks of cases no longer handed in (closed and gone): the
	// durable marks still guard them.
	c.mu.Lock()
	for k := range c.fired {
		if !live[k.id] {
			delete(c.fired, k)
		}
	}
	c.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Firing) int { return a.DueAt.Compare(b.DueAt) })
	return out, nil
}

// Next is the earliest moment after now at which an alarm of cases falls
// due; false when none will.
func (c *Clock) Next(cases []Case, now time.Time) (time.Time, bool) {
	var next time.Time
	for _, cs := range cases {
		if !waiting(cs) {
			continue
		}
		for _, t := range []time.Time{c.WarnAt(cs), c.DueAt(cs).Add(time.Nanosecond)} {
			if t.After(now) && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
	}
	return next, !next.IsZero()
}

// Run checks whenever an alarm falls due, when wake says the cases changed
// (an incident created or acknowledged), and at least every poll, until ctx
// ends. cases lists the open incidents; fire raises an alarm (publishes it
// on the bus, which the webhooks and the pages follow). now is the clock.
func (c *Clock) Run(ctx context.Context, now func() time.Time, cases func(context.Context) ([]Case, error),
	fire func(Firing), wake <-chan struct{}, poll time.Duration, onErr func(error)) {
	if poll <= 0 {
		poll = time.Minute
	}
	for {
		sleep := poll
		cs, err := cases(ctx)
		if err == nil {
			var fs []Firing
			fs, err = c.Check(ctx, cs, now())
			for _, f := range fs {
				fire(f)
			}
			if next, ok := c.Next(cs, now()); ok {
				sleep = min(sleep, max(next.Sub(now()), 0))
			}
		}
		if err != nil && onErr != nil && ctx.Err() == nil {
			onErr(err)
		}
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Memory is an in-memory tracking.DeadlineMarks (tests, and a server
// without a database, where marks die with the process).
type Memory struct {
	mu    sync.Mutex
	marks map[mark]tracking.DeadlineMark
}

var _ tracking.DeadlineMarks = (*Memory)(nil)

// NewMemory returns no marks.
func NewMemory() *Memory { return &Memory{marks: map[mark]tracking.DeadlineMark{}} }

func (m *Memory) MarkFired(_ context.Context, dm tracking.DeadlineMark) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := mark{dm.IncidentID, dm.Kind}
	if _, ok := m.marks[k]; ok {
		return false, nil
	}
	m.marks[k] = dm
	return true, nil
}

// Len counts the marks.
func (m *Memory) Len() int { m.mu.Lock(); defer m.mu.Unlock(); return len(m.marks) }

// Action is the bus action of the alarm, on an ("incident", action) event
// carrying the incident: "deadline_warning" or "overdue" (the webhooks map
// them to incident.deadline_warning and incident.overdue).
func (f Firing) Action() string {
	if f.Kind == tracking.DeadlineWarning {
		return "deadline_warning"
	}
	return "overdue"
}
