package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"siaga112/tracking"
)

// records are users, tokens, sessions, geofences, agency contacts and
// place-book entries (tracking.Record), each with the version of the change that wrote it;
// deletions leave tombstones. Guarded by Store.mu.
type records struct {
	version int64 // the last version given
	live    map[recordKey]tracking.Record
	gone    map[recordKey]int64 // tombstones: key → version
}

type recordKey struct {
	kind tracking.RecordKind
	key  string
}

var _ tracking.RecordStore = (*Store)(nil)

// NewAccounts returns an empty store for the accounts service alone (its
// users, tokens and sessions; tests of the HTTP API).
func NewAccounts() *Store { return New() }

// Accounts is s itself: account changes are changes like the others, in
// the same trail.
func (s *Store) Accounts() *Store { return s }

// applyRecords writes c's records at a new version and returns it, with
// how many sessions expired. Caller holds s.mu.
func (s *Store) applyRecords(c tracking.Change) (version int64, expired int) {
	rs := &s.records
	if rs.live == nil {
		rs.live, rs.gone = map[recordKey]tracking.Record{}, map[recordKey]int64{}
	}
	rs.version++
	v := rs.version
	end := func(match func(tracking.Session) bool) {
		for k, r := range rs.live {
			if k.kind == tracking.RecordSession && match(*r.Session) {
				delete(rs.live, k)
				rs.gone[k] = v
			}
		}
	}
	for _, r := range c.Records {
		k := recordKey{r.Kind, r.Key}
		if r.Deleted {
			delete(rs.live, k)
			rs.gone[k] = v
			switch r.Kind {
			case tracking.RecordUser:
				end(func(se tracking.Session) bool { return se.User == r.Key })
			case tracking.RecordToken:
				end(func(se tracking.Session) bool { return se.TokenID == r.Key })
			}
			continue
		}
		if _, gone := rs.gone[k]; gone && !r.Kind.Reused() {
			continue // a token's last use after its revocation
		}
		delete(rs.gone, k)
		r.Version = v
		rs.live[k] = copyRecord(r)
		if r.Kind == tracking.RecordUser && r.EndSessions {
			end(func(se tracking.Session) bool { return se.User == r.Key })
		}
	}
	if t := c.ExpireSessions; !t.IsZero() {
		for k, r := range rs.live {
			if k.kind == tracking.RecordSession && !t.Before(r.Session.ExpiresAt) {
				delete(rs.live, k)
				expired++
			}
		}
	}
	return v, expired
}

// copyRecord copies what r points to, so the store shares nothing with
// the caller.
func copyRecord(r tracking.Record) tracking.Record {
	if r.User != nil {
		u := *r.User
		r.User = &u
	}
	if r.Token != nil {
		t := *r.Token
		r.Token = &t
	}
	if r.Session != nil {
		se := *r.Session
		r.Session = &se
	}
	if r.Geofence != nil {
		g := *r.Geofence
		g.Feature, g.Geometry = slices.Clone(g.Feature), slices.Clone(g.Geometry)
		r.Geofence = &g
	}
	r.Contacts = slices.Clone(r.Contacts)
	if r.Place != nil {
		e := r.Place.Clone()
		r.Place = &e
	}
	r.EndSessions = false
	return r
}

// Records implements tracking.RecordStore.
func (s *Store) Records(_ context.Context, since int64, kinds ...tracking.RecordKind) ([]tracking.Record, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := func(k tracking.RecordKind) bool { return len(kinds) == 0 || slices.Contains(kinds, k) }
	var out []tracking.Record
	for k, r := range s.records.live {
		if r.Version > since && want(k.kind) {
			out = append(out, copyRecord(r))
		}
	}
	for k, v := range s.records.gone {
		if v > since && want(k.kind) {
			out = append(out, tracking.Record{Kind: k.kind, Key: k.key, Deleted: true, Version: v})
		}
	}
	slices.SortFunc(out, func(a, b tracking.Record) int {
		return cmp.Or(cmp.Compare(a.Version, b.Version), strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Key, b.Key))
	})
	return out, s.records.version, nil
}
