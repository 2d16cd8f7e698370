package sim

import (
	"context"
	"time"

	"siaga112/tracking"
)

// Drive steps the fleet's vehicles in turn and hands each fix to send, at
// `rate` fixes per second in total, until ctx ends. It returns how many
// fixes it handed over. It runs on the caller's goroutine; send must not
// block for long or the rate falls behind (Drive then catches up in bursts).
func (f *Fleet) Drive(ctx context.Context, rate float64, send func(*Vehicle, tracking.Position)) uint64 {
	if len(f.Vehicles) == 0 || rate <= 0 {
		<-ctx.Done()
		return 0
	}
	const tick = 5 * time.Millisecond
	t := time.NewTicker(tick)
	defer t.Stop()
	start := time.Now()
	var sent uint64
	next := 0
	for {
		select {
		case <-ctx.Done():
			return sent
		case now := <-t.C:
			due := uint64(rate*now.Sub(start).Seconds()) - sent
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
