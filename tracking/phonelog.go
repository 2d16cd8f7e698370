package tracking

import (
	"context"
	"time"
)

// RawAML is an AML message as it was received, whatever its version: the
// record of what a phone sent, kept beside the location read from it.
type RawAML struct {
	Number     string         `json:"number"`
	Source     LocationSource `json:"source"`
	Version    string         `json:"version"`
	Text       string         `json:"text"`
	ReceivedAt time.Time      `json:"received_at"`
}

// PhoneLog reads what the phone edge reported: the calls folded from
// their events and the callers' locations. Writes go through Change.
type PhoneLog interface {
	// PhoneCalls lists the calls whose first event is in [From, To), of
	// one number ("" any), oldest first, at most Limit (0: all).
	PhoneCalls(ctx context.Context, q CallQuery) ([]PhoneCall, error)
	// PhoneCall reads one call (CodeNotFound when there is none).
	PhoneCall(ctx context.Context, callID string) (PhoneCall, error)
	// CallerLocation is number's newest fix fresh at now (CodeNotFound
	// when there is none).
	CallerLocation(ctx context.Context, number string, now time.Time) (CallerLocation, error)
}

// CallEvents lists the events that make c, one per kind it holds: folded
// into another record of the same call they bring it all c knows (the
// state's reason rides on the event of the state's kind).
func (c PhoneCall) CallEvents() []CallEvent {
	var out []CallEvent
	for _, k := range CallEventKinds {
		if at := *c.kindAt(k); at != nil {
			e := CallEvent{CallID: c.CallID, Number: c.Number, Event: k, At: *at}
			if k == c.State {
				e.Reason = c.Reason
			}
			out = append(out, e)
		}
	}
	return out
}

// Merge folds o, another record of the same call (another instance's, the
// database's), into c; the outcome is kept once set.
func (c PhoneCall) Merge(o PhoneCall) (PhoneCall, bool, error) {
	changed := false
	for _, e := range o.CallEvents() {
		var ch bool
		var err error
		if c, ch, err = c.Apply(e); err != nil {
			return c, changed, err
		}
		changed = changed || ch
	}
	if c.Outcome == "" && o.Outcome != "" {
		c.Outcome, changed = o.Outcome, true
	}
	return c, changed, nil
}
