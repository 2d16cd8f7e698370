package webhook

import (
	"context"

	"siaga112/tracking"
)

// Follow publishes the bus's events that are webhook events until ctx
// ends. Publish never blocks, so Follow keeps up with the bus; should the
// bus still drop it (its buffer full), the loss is counted, logged and
// Follow subscribes again.
//
// Caller events: the prank policy publishes ("caller", "prank") with the
// caller's new state; Follow turns a block that is new into caller.blocked
// and a first proposal to the ministry into caller.proposed, remembering
// what it saw of each number (after a restart, a number already blocked
// that is marked again is reported blocked again).
func (s *Service) Follow(ctx context.Context, bus *tracking.Bus) {
	s.FollowFrom(ctx, bus, Subscribe(bus))
}

// Subscribe takes Follow's room on the bus: incident and caller events
// only, so a fleet's fixes never push webhook events out.
func Subscribe(bus *tracking.Bus) *tracking.Subscription {
	return bus.SubscribeKinds(FollowBuffer, "incident", "caller")
}

// FollowBuffer is Follow's room on the bus.
const FollowBuffer = 4096

// FollowFrom is Follow starting with a subscription the caller took (so
// that nothing published after it is missed, whenever this goroutine
// starts).
func (s *Service) FollowFrom(ctx context.Context, bus *tracking.Bus, sub *tracking.Subscription) {
	seen := map[string]tracking.Caller{}
	for ctx.Err() == nil {
		if sub == nil {
			sub = Subscribe(bus)
		}
		s.follow(ctx, sub, seen)
		bus.Unsubscribe(sub)
		sub = nil
		if ctx.Err() == nil {
			n := s.busDrops.Add(1)
			s.log.Error("webhooks fell behind the bus and were dropped: events lost; subscribing again", "drops_total", n)
		}
	}
}

func (s *Service) follow(ctx context.Context, sub *tracking.Subscription, seen map[string]tracking.Caller) {
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C:
			if !ok {
				return
			}
			if e.Kind == "caller" && e.Caller != nil {
				s.callerEvents(e, seen)
				continue
			}
			if name, data, ok := FromBus(e); ok {
				s.Publish(name, e.At, data)
			}
		}
	}
}

func (s *Service) callerEvents(e tracking.Event, seen map[string]tracking.Caller) {
	c := *e.Caller
	prev, known := seen[c.Number]
	seen[c.Number] = c.Clone()
	if name, data, ok := FromBus(e); ok { // a component published blocked/proposed itself
		s.Publish(name, e.At, data)
		return
	}
	blocked := func(x tracking.Caller) bool { return x.BlockedUntil != nil && x.BlockedUntil.After(e.At) }
	masked := c.Clone()
	masked.Number = tracking.MaskPhone(c.Number)
	if blocked(c) && (!known || !blocked(prev)) {
		s.Publish(tracking.EventCallerBlocked, e.At, masked)
	}
	if c.ProposedPermanentBlock && (!known || !prev.ProposedPermanentBlock) {
		s.Publish(tracking.EventCallerProposed, e.At, masked)
	}
}
