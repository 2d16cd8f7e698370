package tracking

import (
	"math"
	"strings"
	"time"
)

// CallEventKind is what the phone system (the SIP edge) saw of a call.
type CallEventKind string

const (
	// CallRinging: the PBX is alerting a call-taker (180/183).
	CallRinging CallEventKind = "ringing"
	// CallAnswered: a call-taker picked up (2xx).
	CallAnswered CallEventKind = "answered"
	// CallEnded: BYE, CANCEL or a final answer ≥ 300.
	CallEnded CallEventKind = "ended"
	// CallRejected: the edge refused the caller (a blocked number).
	CallRejected CallEventKind = "rejected"
)

// CallEventKinds lists the kinds, in the order a call goes through them.
var CallEventKinds = []CallEventKind{CallRinging, CallAnswered, CallEnded, CallRejected}

// ParseCallEventKind validates an event name.
func ParseCallEventKind(s string) (CallEventKind, error) {
	for _, k := range CallEventKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", Errorf(CodeInvalid, "field \"event\" is %q; it must be ringing, answered, ended or rejected", truncate(s, 20))
}

// precedence orders the states a call can be in: a call that ended stays
// ended whatever late "ringing" arrives; a rejected call never rang.
func (k CallEventKind) precedence() int {
	switch k {
	case CallRinging:
		return 1
	case CallAnswered:
		return 2
	case CallEnded:
		return 3
	case CallRejected:
		return 4
	}
	return 0
}

// Limits of a call event from the phone system.
const (
	MaxCallID = 200
	// CallEventMaxAhead and CallEventMaxAge bound an event's "at" against
	// the server's clock: a PBX with a wrong clock is told so, not believed.
	CallEventMaxAhead = 5 * time.Minute
	CallEventMaxAge   = 24 * time.Hour
)

// AnonymousCaller is the number of a call that withholds its number.
const AnonymousCaller = "anonymous"

// CallEvent is one report of the phone system about one call.
type CallEvent struct {
	CallID string        `json:"call_id"`
	Number string        `json:"number"` // canonical (NormalizeCallerNumber)
	Event  CallEventKind `json:"event"`
	Reason string        `json:"reason,omitempty"`
	At     time.Time     `json:"at"`
}

// NewCallEvent validates an event as the phone system sent it (the JSON
// strings) and returns it normalised: the number in canonical form, at
// defaulting to now. Each refusal is CodeInvalid and names the field.
func NewCallEvent(callID, number, event, reason, at string, now time.Time) (CallEvent, error) {
	var e CallEvent
	if callID == "" {
		return e, Errorf(CodeInvalid, "field \"call_id\" is missing: the SIP Call-ID of the call")
	}
	if err := CheckText("call_id", callID, MaxCallID, false); err != nil {
		return e, err
	}
	n, err := NormalizeCallerNumber(number)
	if err != nil {
		return e, Errorf(CodeInvalid, "field \"number\": %v", err)
	}
	k, err := ParseCallEventKind(event)
	if err != nil {
		return e, err
	}
	if err := CheckText("reason", reason, MaxText, false); err != nil {
		return e, err
	}
	when := now
	if at != "" {
		when, err = time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return e, Errorf(CodeInvalid, "field \"at\" is %q, not an RFC 3339 time such as 2026-01-01T10:00:00+07:00", truncate(at, 40))
		}
		switch {
		case when.After(now.Add(CallEventMaxAhead)):
			return e, Errorf(CodeInvalid, "field \"at\" (%s) is more than %v ahead of the server's clock: check the phone system's clock", at, CallEventMaxAhead)
		case when.Before(now.Add(-CallEventMaxAge)):
			return e, Errorf(CodeInvalid, "field \"at\" (%s) is more than %v old", at, CallEventMaxAge)
		}
	}
	return CallEvent{CallID: callID, Number: n, Event: k, Reason: reason, At: when}, nil
}

// NormalizeCallerNumber is NormalizePhone for a caller as the phone system
// names it: a withheld number (SIP's "anonymous", and the words PBXs use
// for it) is AnonymousCaller.
func NormalizeCallerNumber(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "anonymous", "withheld", "restricted", "private", "unavailable", "unknown":
		return AnonymousCaller, nil
	}
	return NormalizePhone(s)
}

// CallState is where a call is, by the furthest event seen.
type CallState = CallEventKind

// PhoneCall is one call as the phone system reported it: every event of
// one call_id folded into one record (PhoneCall.Apply). Events may come
// in any order, twice, or through different instances: the fold keeps the
// earliest time of each kind and the furthest state, so the result is the
// same whatever the order.
type PhoneCall struct {
	CallID string    `json:"call_id"`
	Number string    `json:"number"`
	State  CallState `json:"state"`
	// Reason is the reason given with the event that set the state
	// ("blocked", "bye", "486 Busy Here", …); "" for none.
	Reason     string     `json:"reason"`
	At         time.Time  `json:"at"` // the first event
	RingingAt  *time.Time `json:"ringing_at"`
	AnsweredAt *time.Time `json:"answered_at"`
	EndedAt    *time.Time `json:"ended_at"`
	// DurationS is EndedAt − AnsweredAt in seconds (millisecond precision);
	// nil until both are known.
	DurationS *float64 `json:"duration_s"`
	// Outcome is what a call-taker classified the call as (POST /api/calls
	// with "call_id"); absent until then.
	Outcome CallOutcome `json:"outcome,omitempty"`
	// RejectedAt is kept for the fold (an earlier duplicate "rejected" is
	// told from a later one); a store must keep it. Not part of answers:
	// a rejected call's time is At.
	RejectedAt *time.Time `json:"-"`
}

// kindAt returns the stored time of kind k.
func (c *PhoneCall) kindAt(k CallEventKind) **time.Time {
	switch k {
	case CallRinging:
		return &c.RingingAt
	case CallAnswered:
		return &c.AnsweredAt
	case CallEnded:
		return &c.EndedAt
	default:
		return &c.RejectedAt
	}
}

// Apply folds one event into the call and reports whether anything
// changed. A repeated event (same kind, not earlier) changes nothing. An
// event for another number is a CodeConflict: a call_id is one call.
// The zero PhoneCall takes any event as its first.
func (c PhoneCall) Apply(e CallEvent) (PhoneCall, bool, error) {
	if c.CallID == "" {
		c = PhoneCall{CallID: e.CallID, Number: e.Number, At: e.At}
	} else {
		if e.CallID != c.CallID {
			return c, false, Errorf(CodeConflict, "event for call %q applied to call %q", truncate(e.CallID, 40), truncate(c.CallID, 40))
		}
		if e.Number != c.Number {
			return c, false, Errorf(CodeConflict, "call_id %q belongs to another number: one call_id is one call", truncate(e.CallID, 40))
		}
	}
	before := c.clone()
	at := e.At
	slot := c.kindAt(e.Event)
	first := *slot == nil || at.Before(**slot)
	if first {
		*slot = &at
	}
	if at.Before(c.At) {
		c.At = at
	}
	switch p, cur := e.Event.precedence(), c.State.precedence(); {
	case p > cur:
		c.State, c.Reason = e.Event, e.Reason
	case p == cur && (first || (at.Equal(**slot) && e.Reason < c.Reason)):
		// The earliest event of the state's kind gives the reason; on a
		// tie the smaller reason, so that order never matters.
		c.Reason = e.Reason
	}
	c.DurationS = nil
	if c.AnsweredAt != nil && c.EndedAt != nil {
		d := math.Max(0, c.EndedAt.Sub(*c.AnsweredAt).Seconds())
		d = math.Round(d*1000) / 1000
		c.DurationS = &d
	}
	return c, !c.equal(before), nil
}

// FoldCallEvents makes the record of one call from its events, in any
// order.
func FoldCallEvents(events []CallEvent) (PhoneCall, error) {
	var c PhoneCall
	for _, e := range events {
		var err error
		if c, _, err = c.Apply(e); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Classifiable says whether a call-taker may log this call with outcome
// o: a call the edge rejected never reached anybody, so it can be neither
// a prank nor a ghost call (counting it would extend the block by itself).
func (c PhoneCall) Classifiable(o CallOutcome) error {
	if c.State == CallRejected && o.Regulated() {
		return Errorf(CodeConflict, "call %q was rejected by the phone system (%s) and reached nobody: it cannot be logged as %s",
			truncate(c.CallID, 40), c.Reason, o)
	}
	return nil
}

func (c PhoneCall) clone() PhoneCall {
	cp := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		v := *t
		return &v
	}
	c.RingingAt, c.AnsweredAt, c.EndedAt, c.RejectedAt = cp(c.RingingAt), cp(c.AnsweredAt), cp(c.EndedAt), cp(c.RejectedAt)
	if c.DurationS != nil {
		d := *c.DurationS
		c.DurationS = &d
	}
	return c
}

func (c PhoneCall) equal(o PhoneCall) bool {
	eqT := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	eqF := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	return c.CallID == o.CallID && c.Number == o.Number && c.State == o.State && c.Reason == o.Reason &&
		c.At.Equal(o.At) && eqT(c.RingingAt, o.RingingAt) && eqT(c.AnsweredAt, o.AnsweredAt) &&
		eqT(c.EndedAt, o.EndedAt) && eqT(c.RejectedAt, o.RejectedAt) && eqF(c.DurationS, o.DurationS)
}
