package tracking

import (
	"context"
	"sync"
)

// Records are the state besides the fleet's and the incidents' that every
// instance keeps whole in memory: users, tokens, sessions, geofences made
// through the API, the contacts admins set for agencies and the place
// book's entries. They change
// only through a Change (its Records), like everything else, and memory
// follows the store by version:
//
//   - the store gives every change that carries records one version, from
//     one sequence, in commit order across every instance sharing it;
//   - a record in memory holds the version that wrote it, a deletion leaves
//     a tombstone with its version, and a copy of a record applies only
//     when it is newer than what memory holds (Versions);
//   - an instance hears another's changes by their notice and reads back
//     what changed since the last version it read (RecordStore.Records):
//     nothing is cleared and refilled.

// RecordKind names a kind of record.
type RecordKind string

const (
	RecordUser     RecordKind = "user"     // key: the user's name
	RecordToken    RecordKind = "token"    // key: the token's id
	RecordSession  RecordKind = "session"  // key: the session's hash
	RecordGeofence RecordKind = "geofence" // key: the fence's id
	RecordContacts RecordKind = "contacts" // key: the agency's code
	RecordPlace    RecordKind = "place"    // key: the book entry's id
)

// RecordKinds are every kind, in the order a store reads them.
var RecordKinds = []RecordKind{RecordUser, RecordToken, RecordSession, RecordGeofence, RecordContacts, RecordPlace}

// AccountKinds are the kinds the accounts service keeps.
var AccountKinds = []RecordKind{RecordUser, RecordToken, RecordSession}

// Reused says whether a key of this kind may be used again after its
// record was deleted (a user of the same name, a fence of the same id).
// Tokens, sessions and book entries have random keys: once deleted, never
// again, so a late write of one (a token's last use, a change racing a
// deletion) cannot bring it back.
func (k RecordKind) Reused() bool { return k != RecordToken && k != RecordSession && k != RecordPlace }

// lasting says whether memory keeps this kind's tombstones for good: a
// key never reused whose late write must stay refused (a session's ends
// with its expiry).
func (k RecordKind) lasting() bool { return !k.Reused() && k != RecordSession }

// Record is one record a Change saves or deletes, or one read back from
// the store.
type Record struct {
	Kind RecordKind `json:"kind"`
	Key  string     `json:"key"`
	// Deleted makes the record a tombstone. A deleted user or token ends
	// its sessions too.
	Deleted bool `json:"deleted,omitempty"`
	// Version is the version of the change that wrote it (set by the store;
	// 0 in a change being submitted).
	Version int64 `json:"version,omitempty"`
	// EndSessions, with a user saved, ends the user's sessions (a new
	// password, role or state).
	EndSessions bool `json:"end_sessions,omitempty"`

	// The record, by Kind (none when Deleted).
	User     *User           `json:"user,omitempty"`
	Token    *Token          `json:"token,omitempty"`
	Session  *Session        `json:"-"` // its hash and CSRF token are credentials
	Geofence *StoredGeofence `json:"geofence,omitempty"`
	Contacts []Contact       `json:"contacts,omitempty"`
	Place    *PlaceEntry     `json:"place,omitempty"`
}

// RecordStore keeps records: Submit takes changes (see Store), Records
// reads them back.
type RecordStore interface {
	Submit(c Change, done func(error))
	// Records returns the records of kinds (none: every kind) written
	// after version since, deletions as tombstones, and the version the
	// answer is complete up to: every change up to it is in, none after
	// it. Records(ctx, 0) loads everything at start. Sessions come expired
	// or not: the reader's clock says (a change with ExpireSessions
	// removes them).
	Records(ctx context.Context, since int64, kinds ...RecordKind) ([]Record, int64, error)
}

// AccountStore is where the accounts service keeps users, tokens and
// sessions.
type AccountStore = RecordStore

// SessionSubject names, in the trail, who a session is for: the user, or
// the token it was opened with.
func SessionSubject(s Session) string {
	if s.User != "" {
		return UserSubject(s.User)
	}
	return TokenSubject(s.TokenID)
}

// Commit records c and waits for the store's answer, whatever the
// request's context does (the store always answers: committed, queued
// during an outage, or refused; its writer bounds each attempt). It
// returns the version the store gave c's records: 0 when c is queued
// (ErrQueued is no error here: the change stands and is written when the
// database returns), or the refusal.
func (j Journal) Commit(c Change) (int64, error) {
	var mu sync.Mutex
	var version int64
	prev := c.Committed
	c.Committed = func(v int64) {
		mu.Lock()
		version = v
		mu.Unlock()
		if prev != nil {
			prev(v)
		}
	}
	err := <-j.Record(c)
	if err == ErrQueued {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	mu.Lock()
	defer mu.Unlock()
	return version, nil
}

type recordKey struct {
	kind RecordKind
	key  string
}

// Versions is what memory holds of each record's version, tombstones
// included. Not safe for concurrent use: the service's own lock guards it.
type Versions struct {
	held map[recordKey]int64
	gone map[recordKey]bool // tombstones
}

// Expect makes room for n records (a restart's read), so taking them does
// not grow the maps under the caller's lock.
func (v *Versions) Expect(n int) {
	if v.held == nil {
		v.held, v.gone = make(map[recordKey]int64, n), map[recordKey]bool{}
	}
}

// Take reports whether memory should apply r, and notes its version if so.
// A record of version 0 (a change this instance made that is queued for
// an unreachable database) applies over anything and keeps the version
// held: the read that follows its commit brings the version. Otherwise r
// applies only when newer than what memory holds, and a save never brings
// back a token or session that is gone.
func (v *Versions) Take(r Record) bool {
	if v.held == nil {
		v.held, v.gone = map[recordKey]int64{}, map[recordKey]bool{}
	}
	k := recordKey{r.Kind, r.Key}
	held, ok := v.held[k]
	if r.Version != 0 && ok && r.Version <= held {
		return false
	}
	if !r.Deleted && v.gone[k] && !r.Kind.Reused() {
		return false
	}
	if r.Version != 0 || !ok {
		v.held[k] = max(held, r.Version)
	}
	if r.Deleted {
		v.gone[k] = true
	} else {
		delete(v.gone, k)
	}
	return true
}

// Forget drops the tombstones up to version upTo, once every read to come
// is newer: the record is absent from those. Tokens' and book entries'
// stay (a token's late last use must never bring it back).
func (v *Versions) Forget(upTo int64) {
	for k := range v.gone {
		if !k.kind.lasting() && v.held[k] <= upTo {
			delete(v.gone, k)
			delete(v.held, k)
		}
	}
}

// RecordsAudit is the trail's subject and data for a change of records
// rs: the first record's, or the fences' ids when one change saves several.
// Never a hash, a secret or a session's CSRF token.
func RecordsAudit(rs []Record) (subject string, data any) {
	if len(rs) == 0 {
		return "", nil
	}
	r := rs[0]
	switch r.Kind {
	case RecordUser:
		if r.User != nil {
			data = UserAuditData(*r.User)
		}
		return UserSubject(r.Key), data
	case RecordToken:
		if r.Token != nil {
			data = TokenAuditData(*r.Token)
		}
		return TokenSubject(r.Key), data
	case RecordSession:
		if r.Session == nil {
			return "session", nil
		}
		if !r.Deleted {
			data = map[string]any{"expires_at": r.Session.ExpiresAt}
		}
		return SessionSubject(*r.Session), data
	case RecordGeofence:
		if len(rs) > 1 {
			ids := make([]string, len(rs))
			for i, x := range rs {
				ids[i] = x.Key
			}
			return "geofences", map[string]any{"ids": ids}
		}
		if g := r.Geofence; g != nil {
			data = map[string]any{"id": g.ID, "name": g.Name, "kind": g.Kind, "agency": g.Agency, "radius_m": g.RadiusM}
		}
		return "geofence:" + r.Key, data
	case RecordPlace:
		if r.Place != nil {
			data = *r.Place
		}
		return PlaceSubject(r.Key), data
	case RecordContacts:
		if r.Contacts == nil {
			return r.Key, []Contact{}
		}
		return r.Key, r.Contacts
	}
	return string(r.Kind) + ":" + r.Key, nil
}
