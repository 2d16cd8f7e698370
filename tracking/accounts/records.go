package accounts

import (
	"time"

	"siaga112/tracking"
)

// Every change to users, tokens and sessions is one tracking.Change of
// records, written by the store before memory takes it: a change the store
// refuses leaves memory as it was. Memory takes a record only when it is
// newer than what it holds (tracking.Versions), from this instance's own
// commits and from what the store reads back of the others' (Absorb);
// nothing is cleared and refilled, so a read made a moment before a local
// change never undoes it.

// commit writes one change of records r, by actor at at, and applies it to
// memory once the store has it (at its version; 0 while it is queued for
// an unreachable database).
func (s *Service) commit(action, actor string, at time.Time, rs ...tracking.Record) error {
	v, err := s.journal.Commit(tracking.Change{Audit: tracking.Audit{Action: action, Actor: actor, At: at}, At: at, Records: rs})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rs {
		r.Version = v
		s.applyLocked(r)
	}
	return nil
}

// touch records a token's last use, without waiting: the request goes on,
// and memory takes it once the store has (a revoked token stays revoked).
func (s *Service) touch(t tracking.Token, at time.Time) {
	t.LastUsed = &at
	r := tracking.Record{Kind: tracking.RecordToken, Key: t.ID, Token: &t}
	c := tracking.Change{At: at, Records: []tracking.Record{r}} // no action: a use is not an act for the trail
	var version int64
	c.Committed = func(v int64) { version = v }
	s.store.Submit(c, func(err error) {
		if err != nil && err != tracking.ErrQueued {
			s.log.Warn("token use not recorded", "token", t.ID, "err", err)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		r.Version = version
		s.applyLocked(r)
	})
}

// expire has the store remove the sessions expired now, without waiting
// (memory drops them by time: every instance's clock ends them).
func (s *Service) expire() {
	at := s.now()
	c := tracking.Change{Audit: tracking.Audit{Action: "session.expired", Actor: "system", At: at}, At: at, ExpireSessions: at}
	s.store.Submit(c, func(err error) {
		if err != nil && err != tracking.ErrQueued {
			s.log.Warn("expired sessions not removed from the store", "err", err)
		}
	})
}

// expect sizes memory for a restart's records before they are absorbed.
func (s *Service) expect(rs []tracking.Record) {
	n := map[tracking.RecordKind]int{}
	for _, r := range rs {
		n[r.Kind]++
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = make(map[string]tracking.User, n[tracking.RecordUser])
	s.tokens = make(map[string]tracking.Token, n[tracking.RecordToken])
	s.tokenIDs = make(map[string]string, n[tracking.RecordToken])
	s.sessions = make(map[string]tracking.Session, n[tracking.RecordSession])
	s.versions.Expect(len(rs))
}

// absorbChunk is how many records Absorb applies under one hold of the
// lock: a restart's 10,000 tokens never keep a sign-in waiting long.
const absorbChunk = 256

// Absorb takes records read back from the store: another instance's
// changes (its notice said which version), or everything at start. Each
// applies only if newer than what memory holds, so applying them a chunk
// at a time, with requests served in between, is as good as at once. upTo
// is the version the read was complete up to: tombstones older than it
// are no longer needed (0: keep them).
func (s *Service) Absorb(rs []tracking.Record, upTo int64) {
	for len(rs) > 0 {
		n := min(len(rs), absorbChunk)
		s.mu.Lock()
		for _, r := range rs[:n] {
			s.applyLocked(r)
		}
		s.mu.Unlock()
		rs = rs[n:]
	}
	if upTo > 0 {
		s.mu.Lock()
		s.versions.Forget(upTo)
		s.mu.Unlock()
	}
}

// applyLocked applies one record to memory if it is newer than what
// memory holds. A deleted user or token ends its sessions, and so does a
// user saved with EndSessions. Caller holds s.mu.
func (s *Service) applyLocked(r tracking.Record) {
	switch r.Kind {
	case tracking.RecordUser, tracking.RecordToken, tracking.RecordSession:
	default:
		return
	}
	if !r.Deleted && r.User == nil && r.Token == nil && r.Session == nil {
		return
	}
	if !s.versions.Take(r) {
		return
	}
	switch r.Kind {
	case tracking.RecordUser:
		if r.Deleted {
			delete(s.users, r.Key)
		} else {
			s.users[r.Key] = *r.User
		}
		if r.Deleted || r.EndSessions {
			s.endSessionsLocked(func(se tracking.Session) bool { return se.User == r.Key })
		}
		s.signalEnded() // a role, a state or a password changed: live connections recheck
	case tracking.RecordToken:
		if r.Deleted {
			delete(s.tokens, s.tokenIDs[r.Key])
			delete(s.tokenIDs, r.Key)
			delete(s.touched, r.Key)
			s.endSessionsLocked(func(se tracking.Session) bool { return se.TokenID == r.Key })
			return
		}
		t := *r.Token
		if old, ok := s.tokens[t.Hash]; ok && old.LastUsed != nil && (t.LastUsed == nil || old.LastUsed.After(*t.LastUsed)) {
			t.LastUsed = old.LastUsed // the latest use stands
		}
		s.tokens[t.Hash], s.tokenIDs[t.ID] = t, t.Hash
	case tracking.RecordSession:
		if r.Deleted {
			delete(s.sessions, r.Key)
			s.signalEnded()
			return
		}
		if s.now().Before(r.Session.ExpiresAt) {
			s.sessions[r.Key] = *r.Session
		}
	}
}

// endSessionsLocked drops the sessions match selects and wakes the
// holders of Ended. Caller holds s.mu.
func (s *Service) endSessionsLocked(match func(tracking.Session) bool) {
	for h, se := range s.sessions {
		if match(se) {
			delete(s.sessions, h)
		}
	}
	s.signalEnded()
}
