package mqtt

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/mochi-mqtt/server/v2/packets"
)

// LoginProperty is the MQTT user property the embedded broker puts on every
// message and will of a device: the number of the login (session) it came
// from. Whatever a device sends under this name is replaced. The ingest
// reads it to hold a message's login while applying it (a rotation waits)
// and to tell a will from an older login from a newer login's fixes.
const LoginProperty = "siaga112-login"

// logins is the broker's own record of device logins, by unit: every
// session a password opened, takeovers included, until it ends. The
// broker's client list is not enough: when two logins take over one
// client id at once, it keeps only one of them.
type logins struct {
	next   atomic.Uint64
	mu     sync.Mutex
	byUnit map[string]map[*session]struct{}
	byNum  sync.Map // login → *session, read on every message without a lock
}

// add numbers s and records it. The caller holds s.unit's lock.
func (l *logins) add(s *session) {
	s.login = l.next.Add(1)
	s.tag = []packets.UserProperty{{Key: LoginProperty, Val: strconv.FormatUint(s.login, 10)}}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byUnit == nil {
		l.byUnit = map[string]map[*session]struct{}{}
	}
	m := l.byUnit[s.unit]
	if m == nil {
		m = map[*session]struct{}{}
		l.byUnit[s.unit] = m
	}
	m[s] = struct{}{}
	l.byNum.Store(s.login, s)
}

func (l *logins) remove(s *session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := l.byUnit[s.unit]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(l.byUnit, s.unit)
		}
	}
	l.byNum.Delete(s.login)
}

// take removes and returns every login of unit.
func (l *logins) take(unit string) []*session {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.byUnit[unit]
	out := make([]*session, 0, len(m))
	for s := range m {
		out = append(out, s)
		l.byNum.Delete(s.login)
	}
	delete(l.byUnit, unit)
	return out
}

func (l *logins) get(n uint64) *session {
	if v, ok := l.byNum.Load(n); ok {
		return v.(*session)
	}
	return nil
}

// live counts the unit's recorded logins that are not revoked.
func (l *logins) live(unit string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for s := range l.byUnit[unit] {
		if !s.isRevoked() {
			n++
		}
	}
	return n
}

func (s *session) isRevoked() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.revoked
}

// revoke marks s revoked once no message of it is being applied.
func (s *session) revoke() {
	s.mu.Lock()
	s.revoked = true
	s.mu.Unlock()
}

// hold keeps s from being revoked until release; false when it is
// revoked already.
func (s *session) hold() (release func(), ok bool) {
	s.mu.RLock()
	if s.revoked {
		s.mu.RUnlock()
		return nil, false
	}
	return s.mu.RUnlock, true
}

// revokeUnit closes every login of a unit whose credentials changed: from
// the broker's own record, under the unit's lock, so a login whose password
// check passed before the change is recorded and closed here, and one
// checked after it saw the new password. It returns once every message of
// those logins being applied is done; nothing else of theirs is applied.
// It returns the logins whose connection was still open.
func (h *authHook) revokeUnit(unit string) []*session {
	lk := h.unitLock(unit)
	lk.Lock()
	ss := h.logins.take(unit)
	for _, s := range ss {
		s.revoke()
	}
	lk.Unlock()
	open := ss[:0]
	for _, s := range ss {
		if !s.cl.Closed() {
			open = append(open, s)
		}
		// Closing the connection is enough (and never waits on a client
		// that does not read, as writing a DISCONNECT could).
		s.cl.Stop(packets.ErrNotAuthorized)
	}
	return open
}

// holdLogin holds the login a message came from while it is applied (see
// session.hold); false when the login was revoked or is over.
func (h *authHook) holdLogin(n uint64) (release func(), ok bool) {
	s := h.logins.get(n)
	if s == nil {
		return nil, false
	}
	return s.hold()
}

// withLogin replaces any LoginProperty in props with s's login (none for
// the gateway user, or a client without a session).
func withLogin(props []packets.UserProperty, s *session) []packets.UserProperty {
	tagged := s != nil && !s.admin && s.login != 0
	if len(props) == 0 { // the usual case: no allocation
		if tagged {
			return s.tag
		}
		return nil
	}
	out := make([]packets.UserProperty, 0, len(props)+1)
	for _, p := range props {
		if p.Key != LoginProperty {
			out = append(out, p)
		}
	}
	if tagged {
		out = append(out, s.tag...)
	}
	return out
}

// loginOf reads LoginProperty; 0 when absent.
func loginOf(props []packets.UserProperty) uint64 {
	for _, p := range props {
		if p.Key == LoginProperty {
			n, _ := strconv.ParseUint(p.Val, 10, 64)
			return n
		}
	}
	return 0
}
