package dispatch

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"siaga112/tracking"
)

// The city's prank and ghost call policy.
const (
	// BlockAfter: a number with more than this many prank calls is blocked.
	BlockAfter = 5
	// BlockFor is how long such a block lasts.
	BlockFor = 24 * time.Hour
	// ProposeAfter: with more than this many, the number is proposed to the
	// ministry for a permanent block.
	ProposeAfter = 10
)

// CallerView is what the API shows of a number.
type CallerView struct {
	Number                 string               `json:"number"`
	PrankCalls             int                  `json:"prank_calls"` // within the counting window
	PrankCallTimes         []time.Time          `json:"prank_call_times"`
	BlockedUntil           *time.Time           `json:"blocked_until"` // null when not blocked now
	ProposedPermanentBlock bool                 `json:"proposed_permanent_block"`
	Lifts                  []tracking.BlockLift `json:"lifts"`
	// Persisted: false when the change was queued for an unreachable database.
	Persisted bool `json:"persisted"`
}

// prankCount counts c's prank calls inside the window ending at now.
func (s *Service) prankCount(c *tracking.Caller, now time.Time) int {
	if s.cfg.PrankWindow <= 0 {
		return len(c.PrankCalls)
	}
	n := 0
	for _, t := range c.PrankCalls {
		if now.Sub(t) <= s.cfg.PrankWindow {
			n++
		}
	}
	return n
}

func (s *Service) view(c *tracking.Caller, now time.Time) CallerView {
	v := CallerView{
		Number: c.Number, PrankCalls: s.prankCount(c, now), PrankCallTimes: append([]time.Time{}, c.PrankCalls...),
		ProposedPermanentBlock: c.ProposedPermanentBlock, Lifts: append([]tracking.BlockLift{}, c.Lifts...),
	}
	if c.BlockedUntil != nil && now.Before(*c.BlockedUntil) {
		t := *c.BlockedUntil
		v.BlockedUntil = &t
	}
	return v
}

// Caller shows a number's record; a number never seen has a clean one.
func (s *Service) Caller(number string) (CallerView, error) {
	n, err := tracking.NormalizePhone(number)
	if err != nil {
		return CallerView{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.callers[n]
	if !ok {
		c = &tracking.Caller{Number: n}
	}
	return s.view(c, s.cfg.Now()), nil
}

// Callers lists the numbers with a record; proposed: only those proposed for
// a permanent block (the list the city sends to the ministry).
func (s *Service) Callers(proposed bool) []CallerView {
	out, _ := s.CallersPage(proposed, "", math.MaxInt)
	return out
}

// CallersPage is one page of Callers, in number order: up to limit numbers
// after the number after ("": from the first); more says whether others
// follow. Only the page's records are copied.
func (s *Service) CallersPage(proposed bool, after string, limit int) (page []CallerView, more bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	var sel []*tracking.Caller
	for n, c := range s.callers {
		if n > after && (!proposed || c.ProposedPermanentBlock) {
			sel = append(sel, c)
		}
	}
	slices.SortFunc(sel, func(a, b *tracking.Caller) int { return strings.Compare(a.Number, b.Number) })
	if len(sel) > limit {
		sel, more = sel[:limit], true
	}
	page = make([]CallerView, len(sel))
	for i, c := range sel {
		page[i] = s.view(c, now)
	}
	return page, more
}

// RecordPrank records a prank or ghost call from a number: more than 5 in
// the window block it for 24 h (from this call), more than 10 propose it
// for a permanent block.
func (s *Service) RecordPrank(ctx context.Context, number, actor string) (CallerView, error) {
	n, err := tracking.NormalizePhone(number)
	if err != nil {
		return CallerView{}, err
	}
	return s.changeCaller(ctx, n, "caller.prank", "prank", actor, func(c *tracking.Caller, now time.Time) error {
		s.applyPolicy(c, now)
		return nil
	})
}

// LiftBlock ends a number's block early; who (the actor) and why are
// recorded. The count stays: the next prank call blocks again.
func (s *Service) LiftBlock(ctx context.Context, number, actor, reason string) (CallerView, error) {
	n, err := tracking.NormalizePhone(number)
	if err != nil {
		return CallerView{}, err
	}
	if strings.TrimSpace(actor) == "" {
		return CallerView{}, tracking.Errorf(tracking.CodeInvalid, "say who lifts the block")
	}
	if err := tracking.CheckText("reason", reason, 1000, true); err != nil {
		return CallerView{}, err
	}
	return s.changeCaller(ctx, n, "caller.block_lifted", "block_lifted", actor, func(c *tracking.Caller, now time.Time) error {
		if c.BlockedUntil == nil || !now.Before(*c.BlockedUntil) {
			return tracking.Errorf(tracking.CodeConflict, "the number %s is not blocked", n)
		}
		c.BlockedUntil = nil
		c.Lifts = append(c.Lifts, tracking.BlockLift{At: now, By: actor, Reason: reason})
		s.log.Info("caller block lifted", "number", n, "by", actor, "reason", reason)
		return nil
	})
}

// changeCaller applies edit to a copy of the number's record, records it
// as one change and waits for the store; a refusal puts the old record back.
func (s *Service) changeCaller(ctx context.Context, n, action, event, actor string, edit func(*tracking.Caller, time.Time) error) (CallerView, error) {
	s.mu.Lock()
	now := s.cfg.Now()
	old, ok := s.callers[n]
	next := tracking.Caller{Number: n}
	if ok {
		next = old.Clone()
	}
	if err := edit(&next, now); err != nil {
		s.mu.Unlock()
		return CallerView{}, err
	}
	s.callers[n] = &next
	c := tracking.Change{Audit: tracking.Audit{Action: action, Actor: actor}, Action: event, At: now, Caller: ptr(next.Clone())}
	if action == "caller.prank" {
		// The store counts the marks itself: another instance may be
		// marking the same number this instant.
		c.Prank = s.prankMark(now)
	}
	done := s.journal.Record(c)
	s.mu.Unlock()
	persisted, err := wait(done)
	if err != nil {
		s.mu.Lock()
		if s.callers[n] == &next {
			if ok {
				s.callers[n] = old
			} else {
				delete(s.callers, n)
			}
		}
		s.mu.Unlock()
		return CallerView{}, fmt.Errorf("save caller: %w", err)
	}
	s.mu.Lock()
	v := s.view(&next, now)
	s.mu.Unlock()
	v.Persisted = persisted
	return v, nil
}

// mergeCallers joins two records of one number: every prank call and
// lift, the later block, either's proposal.
func mergeCallers(a, b tracking.Caller) tracking.Caller {
	out := a.Clone()
	out.PrankCalls = append(out.PrankCalls, b.PrankCalls...)
	slices.SortFunc(out.PrankCalls, time.Time.Compare)
	out.PrankCalls = slices.CompactFunc(out.PrankCalls, time.Time.Equal)
	out.Lifts = append(out.Lifts, b.Lifts...)
	slices.SortStableFunc(out.Lifts, func(x, y tracking.BlockLift) int { return x.At.Compare(y.At) })
	if b.BlockedUntil != nil && (out.BlockedUntil == nil || b.BlockedUntil.After(*out.BlockedUntil)) {
		t := *b.BlockedUntil
		out.BlockedUntil = &t
	}
	out.ProposedPermanentBlock = out.ProposedPermanentBlock || b.ProposedPermanentBlock
	return out
}

// prankMark is one regulated call at now, with the policy the store
// applies when it counts it.
func (s *Service) prankMark(now time.Time) *tracking.PrankMark {
	return &tracking.PrankMark{At: now, Window: s.cfg.PrankWindow, BlockFor: BlockFor, BlockAfter: BlockAfter, ProposeAfter: ProposeAfter}
}
