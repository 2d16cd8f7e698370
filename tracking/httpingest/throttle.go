package httpingest

import (
	"net/netip"
	"sync"
	"time"
)

// Throttle defaults for failed OsmAnd keys: an address with
// DefaultFailureLimit failures within DefaultFailureWindow waits out the
// rest of the window (429), whatever it sends.
const (
	DefaultFailureLimit  = 10
	DefaultFailureWindow = 15 * time.Minute
)

// maxThrottled bounds the throttle's memory under a flood of addresses.
const maxThrottled = 100_000

// addrThrottle counts failed keys per source address in fixed windows: the
// first failure opens a window; an address that reaches the limit within
// it is refused until the window ends, even with a right key, so a guesser
// gets at most limit tries per window and address. Other addresses are
// unaffected. Safe for concurrent use.
// Addresses are counted as connlimit.SourceOf counts them: IPv4 addresses,
// IPv6 /64s.
type addrThrottle struct {
	limit  int
	window time.Duration
	mu     sync.Mutex
	addrs  map[netip.Prefix]*failures
}

type failures struct {
	n     int
	start time.Time
}

func newAddrThrottle(limit int, window time.Duration) *addrThrottle {
	return &addrThrottle{limit: limit, window: window, addrs: map[netip.Prefix]*failures{}}
}

// wait is how long the address must still wait; 0: it may try.
func (t *addrThrottle) wait(a netip.Prefix, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.addrs[a]
	if !ok {
		return 0
	}
	end := f.start.Add(t.window)
	if !now.Before(end) {
		delete(t.addrs, a)
		return 0
	}
	if f.n < t.limit {
		return 0
	}
	return end.Sub(now)
}

// fail records a failure of the address.
func (t *addrThrottle) fail(a netip.Prefix, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.addrs[a]
	if !ok || !now.Before(f.start.Add(t.window)) {
		if len(t.addrs) >= maxThrottled {
			t.prune(now)
		}
		f = &failures{start: now}
		t.addrs[a] = f
	}
	f.n++
}

// prune drops ended windows, then (under a flood of addresses) any entries
// until a quarter of the room is free. Caller holds t.mu.
func (t *addrThrottle) prune(now time.Time) {
	for a, f := range t.addrs {
		if !now.Before(f.start.Add(t.window)) {
			delete(t.addrs, a)
		}
	}
	for a := range t.addrs {
		if len(t.addrs) < maxThrottled*3/4 {
			break
		}
		delete(t.addrs, a)
	}
}
