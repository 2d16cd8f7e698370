package mqtt

import (
	"sync"
	"time"
)

// Default per-device message rate on the embedded broker: a tracker sends a
// fix every few seconds; 10 a second with a burst of 20 leaves room for a
// phone emptying its queue after a tunnel.
const (
	DefaultRate  = 10.0
	DefaultBurst = 20
)

// rateLimiter is a token bucket per device (authenticated username, so a
// device's sessions share one budget).
type rateLimiter struct {
	rate, burst float64
	buckets     sync.Map // unit → *bucket
}

type bucket struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64, burst int) *rateLimiter {
	if rate <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	return &rateLimiter{rate: rate, burst: float64(burst)}
}

// allow takes one token from unit's bucket at now, or reports false.
func (r *rateLimiter) allow(unit string, now time.Time) bool {
	if r == nil {
		return true
	}
	v, ok := r.buckets.Load(unit)
	if !ok {
		v, _ = r.buckets.LoadOrStore(unit, &bucket{tokens: r.burst, last: now})
	}
	b := v.(*bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(r.burst, b.tokens+dt*r.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
