package main

import (
	"context"
	"time"
)

// pace calls send(n) for n = 0, 1, … at rate a second until ctx ends, and
// returns how many it sent. A send must not block: a load generator that
// waits for a slow server measures itself, not the server.
func pace(ctx context.Context, rate float64, send func(n int)) int {
	begin := time.Now()
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	sent := 0
	for {
		select {
		case <-ctx.Done():
			return sent
		case now := <-t.C:
			for due := int(rate*now.Sub(begin).Seconds()) - sent; due > 0; due-- {
				send(sent)
				sent++
			}
		}
	}
}
