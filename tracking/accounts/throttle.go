package accounts

import (
	"net/netip"
	"sync"
	"time"

	"siaga112/tracking"
)

// Policy is how a throttle answers repeated failures: the first Free
// failures cost nothing; each one after waits twice as long as the one
// before, from Base up to Max. A key quiet for Forget starts afresh.
type Policy struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// wait is how long after the last of n failures the next attempt waits.
func (p Policy) wait(n int) time.Duration {
	if n <= p.Free {
		return 0
	}
	d := p.Base
	for i := p.Free + 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// Throttling defaults.
var (
	// LoginPolicy is per (name, address): a person who mistypes three
	// times waits 1 s, then 2 s, 4 s… at most 15 minutes.
	LoginPolicy = Policy{Free: 3, Base: time.Second, Max: 15 * time.Minute, Forget: 15 * time.Minute}
	// AddressCeiling is per address across names: a shared NAT with a
	// hundred failures in 15 minutes is someone guessing names.
	AddressCeiling = Policy{Free: 100, Base: time.Minute, Max: 15 * time.Minute, Forget: 15 * time.Minute}
	// SecretPolicy is per address for bearer tokens and the MQTT gateway
	// password: machines do not mistype often.
	SecretPolicy = Policy{Free: 10, Base: time.Second, Max: 15 * time.Minute, Forget: 15 * time.Minute}
)

// maxKeys bounds the throttle's memory under a flood of addresses.
const maxKeys = 100_000

type strikes struct {
	n    int
	last time.Time
}

// throttle counts failures by key. Safe for concurrent use.
type throttle struct {
	mu   sync.Mutex
	keys map[string]*strikes
}

func newThrottle() *throttle { return &throttle{keys: map[string]*strikes{}} }

// retryAfter is how long key must still wait (0: it may try now).
func (t *throttle) retryAfter(key string, p Policy, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.keys[key]
	if !ok {
		return 0
	}
	if now.Sub(s.last) >= p.Forget {
		delete(t.keys, key)
		return 0
	}
	return max(0, s.last.Add(p.wait(s.n)).Sub(now))
}

// fail records a failure; it returns how many key has now.
func (t *throttle) fail(key string, p Policy, now time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.keys[key]
	if !ok || now.Sub(s.last) >= p.Forget {
		if len(t.keys) >= maxKeys {
			t.prune(now, p.Forget)
		}
		s = &strikes{}
		t.keys[key] = s
	}
	s.n++
	s.last = now
	return s.n
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}

// prune drops quiet keys, then (under a flood) the oldest half. Caller
// holds t.mu.
func (t *throttle) prune(now time.Time, forget time.Duration) {
	for k, s := range t.keys {
		if now.Sub(s.last) >= forget {
			delete(t.keys, k)
		}
	}
	if len(t.keys) < maxKeys {
		return
	}
	cut := now.Add(-forget / 2)
	for k, s := range t.keys {
		if s.last.Before(cut) || len(t.keys) >= maxKeys {
			delete(t.keys, k)
		}
	}
}

// addrKey is the throttled unit of an address: the host, or its /64 for
// IPv6 (one machine gets a whole /64).
func addrKey(addr string) string {
	// A bare address first: the web layer passes the host without its port,
	// and a failed ParseAddrPort costs an error per request.
	a, err := netip.ParseAddr(addr)
	if err != nil {
		ap, perr := netip.ParseAddrPort(addr)
		if perr != nil {
			return addr
		}
		a = ap.Addr()
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// logFailure logs the first failures of a key and then every tenth, so a
// flood is visible without flooding the log.
func (s *Service) logFailure(n int, p Policy, msg string, args ...any) {
	if n <= p.Free+1 || n%10 == 0 {
		s.log.Warn(msg, args...)
	}
}

func tooMany(wait time.Duration) error {
	return tracking.TooMany(wait, "too many failed attempts from this address; try again in %s", wait.Round(time.Second)+time.Second)
}
