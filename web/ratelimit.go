package web

import (
	"sync"

	"golang.org/x/time/rate"

	"siaga112/tracking"
)

// DefaultIncidentRate is how many incidents one principal may create per
// minute: far above any call-taker (a busy one records a few a minute),
// far below a runaway script (one token once created 50,000 in 23 s).
const DefaultIncidentRate = 600

// DefaultCallRate is how many calls (POST /api/calls and the prank
// shortcut) one principal may log per minute: a call-taker logs a few a
// minute, a gateway in front of the phones at a busy hour tens.
const DefaultCallRate = 600

// perPrincipal is a token bucket per principal name: perMinute sustained,
// bursts of up to perMinute. The map grows with the accounts, which are few.
type perPrincipal struct {
	perMinute int
	what      string
	flag      string // the flag that sets perMinute, named in the refusal
	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
}

func newPerPrincipal(perMinute, def int, what, flag string) *perPrincipal {
	if perMinute <= 0 {
		perMinute = def
	}
	return &perPrincipal{perMinute: perMinute, what: what, flag: flag, buckets: map[string]*rate.Limiter{}}
}

// allow takes a token of name's bucket, or says how fast it may go.
func (p *perPrincipal) allow(name string) error {
	p.mu.Lock()
	l, ok := p.buckets[name]
	if !ok {
		l = rate.NewLimiter(rate.Limit(float64(p.perMinute)/60), p.perMinute)
		p.buckets[name] = l
	}
	p.mu.Unlock()
	if r := l.Reserve(); !r.OK() || r.Delay() > 0 {
		wait := r.Delay()
		r.Cancel() // refused: the token is not taken
		return tracking.TooMany(wait, "%s creates more than %d %s a minute; slow down (the limit is %s)", name, p.perMinute, p.what, p.flag)
	}
	return nil
}
