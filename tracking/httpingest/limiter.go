package httpingest

import (
	"sync"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per unit (golang.org/x/time/rate). Only
// authenticated or resolved units get one, so the map is bounded by the
// fleet; it is cleared if it ever grows past maxEntries anyway.
type limiter struct {
	every rate.Limit
	burst int
	mu    sync.Mutex
	units map[string]*rate.Limiter
}

const maxEntries = 100_000

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{every: rate.Limit(perSecond), burst: burst, units: map[string]*rate.Limiter{}}
}

func (l *limiter) allow(unit string) bool {
	l.mu.Lock()
	lim, ok := l.units[unit]
	if !ok {
		if len(l.units) >= maxEntries {
			clear(l.units)
		}
		lim = rate.NewLimiter(l.every, l.burst)
		l.units[unit] = lim
	}
	l.mu.Unlock()
	return lim.Allow()
}
