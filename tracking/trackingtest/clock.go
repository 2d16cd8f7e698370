// Package trackingtest holds helpers for the tests of siaga112's packages.
package trackingtest

import (
	"sync"
	"time"
)

// Clock is a settable clock for tests; Now is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at 2026-11-26 08:00 UTC.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)} }

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
