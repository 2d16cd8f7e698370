package dispatch

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"siaga112/tracking"
)

// The call log (issue 16): every call is recorded with its outcome. Prank
// and ghost calls both count toward the block policy of callers.go (more
// than BlockAfter in the window: blocked BlockFor; more than ProposeAfter:
// proposed to the ministry). A regulated call and the caller's new record
// are one change.

// MaxCallNote bounds a logged call's note.
const MaxCallNote = 1000

// NewCall is what a call-taker logs.
type NewCall struct {
	Number     string
	Outcome    tracking.CallOutcome
	IncidentID string
	Note       string
	// CallID, when set, names the phone system's call this classifies
	// (Number may then be left out).
	CallID string
}

// LoggedCall is the answer: the call and, for a regulated one, the
// caller's record after it.
type LoggedCall struct {
	Call   tracking.Call `json:"call"`
	Caller *CallerView   `json:"caller,omitempty"`
	// Persisted: false when the change was queued for an unreachable database.
	Persisted bool `json:"persisted"`
}

// callID is unique without a counter (no load at start, safe across
// instances) and sorts by time.
func callID(now time.Time) string {
	return now.UTC().Format("20060102T150405.000000") + "-" + strings.ToLower(rand.Text()[:6])
}

// RecordCall logs a call. With outcome prank or ghost, the number's count
// grows and the policy applies, in the same change.
func (s *Service) RecordCall(ctx context.Context, req NewCall, actor string) (LoggedCall, error) {
	if _, err := tracking.ParseCallOutcome(string(req.Outcome)); err != nil {
		return LoggedCall{}, err
	}
	undo := func() {}
	if req.CallID != "" {
		var err error
		if req.Number, undo, err = s.classify(req.CallID, req.Number, req.Outcome); err != nil {
			return LoggedCall{}, err
		}
	}
	out, err := s.recordCall(ctx, req, actor)
	if err != nil {
		undo()
	}
	return out, err
}

func (s *Service) recordCall(ctx context.Context, req NewCall, actor string) (LoggedCall, error) {
	n, err := tracking.NormalizePhone(req.Number)
	if err != nil {
		return LoggedCall{}, err
	}
	if err := tracking.CheckText("note", req.Note, MaxCallNote, true); err != nil {
		return LoggedCall{}, err
	}
	if req.IncidentID != "" {
		if _, err := s.Get(req.IncidentID); err != nil {
			return LoggedCall{}, err
		}
	}
	s.mu.Lock()
	now := s.cfg.Now()
	call := tracking.Call{ID: callID(now), At: now, Number: n, Outcome: req.Outcome, IncidentID: req.IncidentID, Note: req.Note, By: actor, CallID: req.CallID}
	c := tracking.Change{Audit: tracking.Audit{Action: "call." + string(req.Outcome), Actor: actor}, Action: "call", At: now, Call: &call}
	if req.Outcome.Regulated() {
		// A regulated call changes the caller's record: audited as such,
		// and counted by the store itself (another instance may be
		// counting the same number this instant).
		c.Audit.Action = "caller." + string(req.Outcome)
		c.Prank = s.prankMark(now)
	}
	old, had := s.callers[n]
	var next tracking.Caller
	if req.Outcome.Regulated() {
		next = tracking.Caller{Number: n}
		if had {
			next = old.Clone()
		}
		s.applyPolicy(&next, now)
		s.callers[n] = &next
		c.Caller = ptr(next.Clone())
		c.Action = "prank"
	}
	done := s.journal.Record(c)
	s.mu.Unlock()
	persisted, err := wait(done)
	if err != nil {
		if c.Caller != nil {
			s.mu.Lock()
			if s.callers[n] == &next {
				if had {
					s.callers[n] = old
				} else {
					delete(s.callers, n)
				}
			}
			s.mu.Unlock()
		}
		return LoggedCall{}, fmt.Errorf("save call: %w", err)
	}
	out := LoggedCall{Call: call, Persisted: persisted}
	if c.Caller != nil {
		s.mu.Lock()
		v := s.view(&next, now)
		s.mu.Unlock()
		out.Caller = &v
	}
	return out, nil
}

// applyPolicy counts one more regulated call on c at now and blocks or
// proposes it past the thresholds. Caller holds s.mu.
func (s *Service) applyPolicy(c *tracking.Caller, now time.Time) {
	c.PrankCalls = append(c.PrankCalls, now)
	count := s.prankCount(c, now)
	if count > BlockAfter {
		until := now.Add(BlockFor)
		c.BlockedUntil = &until
		s.log.Warn("caller blocked for prank or ghost calls", "number", c.Number, "regulated_calls", count, "until", until, "proposed_permanent_block", count > ProposeAfter)
	}
	if count > ProposeAfter {
		c.ProposedPermanentBlock = true
	}
}
