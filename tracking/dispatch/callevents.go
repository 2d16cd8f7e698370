package dispatch

import (
	"context"
	"fmt"
	"sync"
	"time"

	"siaga112/tracking"
)

// The phone edge (issue 27): the SIP server asks whether a caller may get
// through (Admission, from memory: never waiting for the database) and
// reports each call's progress (RecordCallEvent). A call's events fold
// into one record (tracking.PhoneCall), here and in the store, in any
// order and through any instance; other instances' events come back by
// notice (SyncPhoneCall).

// phoneKeep is how long a call stays in memory after its first event:
// events are at most tracking.CallEventMaxAge old, and a call-taker
// classifies a call within the day.
const phoneKeep = 48 * time.Hour

// phoneBook is the recent calls by call_id. Its own lock: the edge's
// events never wait behind dispatch.
type phoneBook struct {
	mu    sync.Mutex
	calls map[string]*tracking.PhoneCall
	swept time.Time // the last sweep of old calls
}

// wib is the centre's zone (UTC+7), in which admission writes a block's end.
var wib = time.FixedZone("WIB", 7*3600)

// Admission is the answer to the SIP edge.
type Admission struct {
	Number string `json:"number"`
	Admit  bool   `json:"admit"`
	// Reason: "ok", "blocked" or "withheld" (no number to judge).
	Reason string `json:"reason"`
	// Until is the block's end, for a blocked caller.
	Until *time.Time `json:"until"`
}

// Admission says whether a caller may reach a call-taker: a blocked
// number may not. It reads memory only. Every spelling of a number is one
// caller (tracking.NormalizePhone).
func (s *Service) Admission(number string) (Admission, error) {
	n, err := tracking.NormalizeCallerNumber(number)
	if err != nil {
		return Admission{}, err
	}
	if n == tracking.AnonymousCaller {
		return Admission{Number: n, Admit: true, Reason: "withheld"}, nil
	}
	s.mu.Lock()
	now := s.cfg.Now()
	c, ok := s.callers[n]
	var until time.Time
	blocked := ok && c.BlockedUntil != nil && now.Before(*c.BlockedUntil)
	if blocked {
		until = *c.BlockedUntil
	}
	s.mu.Unlock()
	if blocked {
		until = until.In(wib) // the centre's zone, as the SIP edge shows it
		return Admission{Number: n, Admit: false, Reason: "blocked", Until: &until}, nil
	}
	return Admission{Number: n, Admit: true, Reason: "ok"}, nil
}

// CallEventReport is one event as the phone system sent it.
type CallEventReport struct {
	CallID, Number, Event, Reason, At string
}

// CallEventResult is the answer to an event: the call after it.
type CallEventResult struct {
	Call tracking.PhoneCall `json:"call"`
	// Changed is false for a repeated event (nothing recorded).
	Changed bool `json:"changed"`
	// Persisted: false when the event was queued for an unreachable
	// database; a repeat has nothing new to write and says true.
	Persisted bool `json:"persisted"`
}

// RecordCallEvent folds one event into its call and records it. A
// call_id of another number is a conflict; a repeated event changes
// nothing and records nothing.
func (s *Service) RecordCallEvent(ctx context.Context, r CallEventReport, actor string) (CallEventResult, error) {
	e, err := tracking.NewCallEvent(r.CallID, r.Number, r.Event, r.Reason, r.At, s.cfg.Now())
	if err != nil {
		return CallEventResult{}, err
	}
	e.At = e.At.Truncate(time.Microsecond).UTC() // as the database keeps it: memory and store fold alike
	p := &s.phone
	p.mu.Lock()
	old := p.calls[e.CallID]
	var cur tracking.PhoneCall
	if old != nil {
		cur = *old
	}
	next, changed, err := cur.Apply(e)
	if err != nil || !changed {
		p.mu.Unlock()
		return CallEventResult{Call: cur, Persisted: true}, err
	}
	p.put(&next, s.cfg.Now())
	done := s.journal.Record(tracking.Change{Audit: tracking.Audit{Action: "call." + string(e.Event), Actor: actor},
		Action: "call", At: s.cfg.Now(), CallEvent: &e})
	p.mu.Unlock()
	persisted, err := wait(done)
	if err != nil {
		p.mu.Lock()
		if p.calls[e.CallID] == &next {
			if old != nil {
				p.calls[e.CallID] = old
			} else {
				delete(p.calls, e.CallID)
			}
		}
		p.mu.Unlock()
		return CallEventResult{}, fmt.Errorf("save call event: %w", err)
	}
	return CallEventResult{Call: next, Changed: true, Persisted: persisted}, nil
}

// put stores c, and once a minute drops the calls older than phoneKeep.
// Caller holds p.mu.
func (p *phoneBook) put(c *tracking.PhoneCall, now time.Time) {
	if p.calls == nil {
		p.calls, p.swept = map[string]*tracking.PhoneCall{}, now
	}
	p.calls[c.CallID] = c
	if now.Sub(p.swept) >= time.Minute {
		p.swept = now
		for id, old := range p.calls {
			if now.Sub(old.At) > phoneKeep {
				delete(p.calls, id)
			}
		}
	}
}

// SyncPhoneCall folds a call as the database holds it (another instance's
// events) into memory.
func (s *Service) SyncPhoneCall(c tracking.PhoneCall) {
	p := &s.phone
	p.mu.Lock()
	defer p.mu.Unlock()
	cur, ok := p.calls[c.CallID]
	if !ok {
		p.put(&c, s.cfg.Now())
		return
	}
	if next, changed, err := cur.Merge(c); err == nil && changed {
		p.calls[c.CallID] = &next
	}
}

// loadPhoneCalls reads the recent calls back at start, when the store
// keeps them.
func (s *Service) loadPhoneCalls(ctx context.Context) error {
	pl, ok := s.cfg.Store.(tracking.PhoneLog)
	if !ok {
		return nil
	}
	now := s.cfg.Now()
	cs, err := pl.PhoneCalls(ctx, tracking.CallQuery{From: now.Add(-phoneKeep)})
	if err != nil {
		return fmt.Errorf("load phone calls: %w", err)
	}
	for i := range cs {
		s.SyncPhoneCall(cs[i])
	}
	return nil
}

// classify checks that a call-taker may log the phone call callID with
// outcome o and returns its number; number, when given, must be the
// call's. It marks the call classified (undo takes that back).
func (s *Service) classify(callID, number string, o tracking.CallOutcome) (n string, undo func(), err error) {
	if err := tracking.CheckText("call_id", callID, tracking.MaxCallID, false); err != nil {
		return "", nil, err
	}
	p := &s.phone
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.calls[callID]
	if !ok {
		return "", nil, tracking.Errorf(tracking.CodeNotFound, "field \"call_id\": the phone system reported no call %q", truncate(callID, 40))
	}
	if number != "" {
		if n, err := tracking.NormalizePhone(number); err != nil {
			return "", nil, err
		} else if n != c.Number {
			return "", nil, tracking.Errorf(tracking.CodeConflict, "call %q is from another number than %s", truncate(callID, 40), n)
		}
	}
	if c.Outcome != "" {
		return "", nil, tracking.Errorf(tracking.CodeConflict, "call %q is already logged as %s", truncate(callID, 40), c.Outcome)
	}
	if err := c.Classifiable(o); err != nil {
		return "", nil, err
	}
	next := *c
	next.Outcome = o
	p.calls[callID] = &next
	return c.Number, func() {
		p.mu.Lock()
		if p.calls[callID] == &next {
			p.calls[callID] = c
		}
		p.mu.Unlock()
	}, nil
}

// PhoneCalls lists the calls the phone edge reported, from the store.
func (s *Service) PhoneCalls(ctx context.Context, q tracking.CallQuery) ([]tracking.PhoneCall, error) {
	pl, ok := s.cfg.Store.(tracking.PhoneLog)
	if !ok {
		return []tracking.PhoneCall{}, nil
	}
	return pl.PhoneCalls(ctx, q)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
