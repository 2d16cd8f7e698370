package mqtt

import (
	"sync/atomic"

	"siaga112/tracking"
	"siaga112/tracking/owntracks"
)

// noteFixLogin records that a fix of unit came from the embedded broker's
// login (0: not from one).
func (in *Ingest) noteFixLogin(unit string, login uint64) {
	if login == 0 {
		return
	}
	v, ok := in.fixLogins.Load(unit)
	if !ok {
		v, _ = in.fixLogins.LoadOrStore(unit, new(atomic.Uint64))
	}
	n := v.(*atomic.Uint64)
	for {
		cur := n.Load()
		if login <= cur || n.CompareAndSwap(cur, login) {
			return
		}
	}
}

// fixLogin is the newest login a fix of unit came from (0: none).
func (in *Ingest) fixLogin(unit string) uint64 {
	if v, ok := in.fixLogins.Load(unit); ok {
		return v.(*atomic.Uint64).Load()
	}
	return 0
}

// lastWill is the condition under which a unit's last will marks it
// offline: no fix newer than the will's connection has arrived. A tracker
// that reconnected (its old connection's death noticed late, or a session
// taken over) has sent fixes over a newer connection, and its old
// connection's will must not undo them; nor may a retained will an
// external broker replays on our (re)subscription.
//
//   - From a login of the embedded broker, exactly: the will marks the unit
//     unless a fix came from a later login of the unit.
//   - Otherwise (an external broker, the gateway user) no fix says which
//     connection it came over. The will's tst, which the OwnTracks apps set
//     to the time they connected, dates its connection, and a fix stamped
//     after it counts as newer: the unit then goes stale and offline by the
//     liveness clock (--stale-after, --offline-after) instead of at once.
//     Without a tst a live will marks the unit, and a replayed retained one
//     only a unit that has no fix at all.
//
// The condition is judged under the fleet's lock (Fleet.MarkOfflineIf); a
// fix records its login before it is applied, so no fix slips in between.
func (in *Ingest) lastWill(unit string, w owntracks.LastWill, from origin) func(tracking.Unit) bool {
	switch {
	case from.login != 0:
		return func(tracking.Unit) bool { return in.fixLogin(unit) <= from.login }
	case !w.ConnectedAt.IsZero():
		return func(u tracking.Unit) bool { return !u.Position.At.After(w.ConnectedAt) }
	case from.retained:
		return func(u tracking.Unit) bool { return !u.HasPosition() }
	}
	return nil
}
