package sim

import (
	"context"
	"time"

	"siaga112/tracking"
)

// Drive steps the fleet's vehicles in turn and hands each fix to send, at
// `rate` fixes per second in total, until ctx ends. It returns how many
// fixes it handed over. It runs on the caller's goroutine; when send
// blocks, Drive catches up at most one second's worth and skips the rest,
// so it never bursts past the rate.
func (f *Fleet) Drive(ctx context.Context, rate float64, send func(*Vehicle, tracking.Position)) uint64 {
	if len(f.Vehicles) == 0 || rate <= 0 {
		<-ctx.Done()
		return 0
	}
	const tick = 5 * time.Millisecond
	t := time.NewTicker(tick)
	defer t.Stop()
	start := time.Now()
	var sent, planned uint64 // handed over; handed over or skipped
	next := 0
	for {
		select {
		case <-ctx.Done():
			return sent
		case <-t.C:
			// The clock, not the tick's value: a tick read late can carry a
			// time earlier than one already used.
			now := time.Now()
			target := uint64(rate * now.Sub(start).Seconds())
			if target <= planned {
				continue
			}
			due := target - planned
			if limit := uint64(rate) + 1; due > limit {
				// Fallen more than a second behind (send blocked): drop the
				// backlog rather than burst it.
				due = limit
			}
			planned = target
			for range due {
				v := f.Vehicles[next]
				next = (next + 1) % len(f.Vehicles)
				send(v, f.Step(v, now))
				sent++
				if ctx.Err() != nil {
					return sent
				}
			}
		}
	}
}
