package storetest

import (
	"context"
	"testing"
	"time"

	"siaga112/tracking"
)

// RunRecords is the contract every tracking.RecordStore passes: records
// (users, tokens, sessions, geofences, agency contacts) written by
// changes, each change one version greater, read back whole or since a
// version, deletions as tombstones. reopen (optional) returns a store on
// the same data, as after a restart.
func RunRecords(t *testing.T, open func(t *testing.T) (s tracking.RecordStore, reopen func() tracking.RecordStore)) {
	user := tracking.User{Name: "sari", Role: tracking.RoleDispatcher, PasswordHash: "$2a$10$x", CreatedAt: t0, UpdatedAt: t0}
	used := t0.Add(time.Hour)
	token := tracking.Token{ID: "t1", Name: "cad-bridge", Role: tracking.RoleDispatcher, Hash: "ab12", CreatedAt: t0}
	userSession := tracking.Session{Hash: "s-user", User: "sari", Principal: tracking.Principal{Name: "sari", Role: tracking.RoleDispatcher},
		CSRF: "c1", CreatedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
	tokenSession := tracking.Session{Hash: "s-token", TokenID: "t1", Principal: tracking.Principal{Name: "cad-bridge", Role: tracking.RoleDispatcher, TokenID: "t1"},
		CSRF: "c2", CreatedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
	expired := tracking.Session{Hash: "s-old", User: "sari", Principal: tracking.Principal{Name: "sari", Role: tracking.RoleDispatcher}, CSRF: "c3",
		CreatedAt: t0.Add(-24 * time.Hour), ExpiresAt: t0.Add(-time.Hour)}
	fence := tracking.StoredGeofence{ID: "rs-1", Name: "RSUD", Kind: "hospital", RadiusM: 150, CreatedBy: "admin",
		Feature:  []byte(`{"type":"Feature","id":"rs-1","properties":{"name":"RSUD","kind":"hospital","radius_m":150},"geometry":{"type":"Point","coordinates":[106.15,-6.12]}}`),
		Geometry: []byte(`{"type":"Point","coordinates":[106.15,-6.12]}`)}
	contacts := []tracking.Contact{{Kind: tracking.ContactPhone, Value: "+6281234567890", Label: "piket"}}

	change := func(action string, rs ...tracking.Record) tracking.Change {
		return tracking.Change{Audit: tracking.Audit{Action: action, Actor: "admin", At: t0}, At: t0, Records: rs}
	}
	apply := func(t *testing.T, s tracking.RecordStore, c tracking.Change) int64 {
		t.Helper()
		var v int64
		c.Committed = func(got int64) { v = got }
		if err := tracking.Apply(s, c); err != nil {
			t.Fatalf("%s: %v", c.Audit.Action, err)
		}
		if v == 0 {
			t.Fatalf("%s: committed without a version", c.Audit.Action)
		}
		return v
	}
	seed := func(t *testing.T, s tracking.RecordStore) []int64 {
		t.Helper()
		u, tok, us, ts, ex := user, token, userSession, tokenSession, expired
		g := fence
		touched := token
		touched.LastUsed = &used
		return []int64{
			apply(t, s, change("user.created", tracking.Record{Kind: tracking.RecordUser, Key: u.Name, User: &u})),
			apply(t, s, change("token.issued", tracking.Record{Kind: tracking.RecordToken, Key: tok.ID, Token: &tok})),
			apply(t, s, change("session.opened", tracking.Record{Kind: tracking.RecordSession, Key: us.Hash, Session: &us})),
			apply(t, s, change("session.opened", tracking.Record{Kind: tracking.RecordSession, Key: ts.Hash, Session: &ts})),
			apply(t, s, change("session.opened", tracking.Record{Kind: tracking.RecordSession, Key: ex.Hash, Session: &ex})),
			apply(t, s, change("", tracking.Record{Kind: tracking.RecordToken, Key: touched.ID, Token: &touched})),
			apply(t, s, change("geofences.added", tracking.Record{Kind: tracking.RecordGeofence, Key: g.ID, Geofence: &g})),
			apply(t, s, change("agency.contacts", tracking.Record{Kind: tracking.RecordContacts, Key: "dinkes", Contacts: contacts})),
		}
	}
	read := func(t *testing.T, s tracking.RecordStore, since int64, kinds ...tracking.RecordKind) (map[string]tracking.Record, int64) {
		t.Helper()
		rs, upTo, err := s.Records(context.Background(), since, kinds...)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]tracking.Record{}
		last := int64(0)
		for _, r := range rs {
			if r.Version <= since || r.Version > upTo || r.Version < last {
				t.Fatalf("record %s:%s has version %d: want (%d, %d], in order", r.Kind, r.Key, r.Version, since, upTo)
			}
			last = r.Version
			out[string(r.Kind)+":"+r.Key] = r
		}
		return out, upTo
	}
	check := func(t *testing.T, s tracking.RecordStore, versions []int64) {
		t.Helper()
		got, upTo := read(t, s, 0)
		if upTo < versions[len(versions)-1] {
			t.Fatalf("complete up to %d, but %d was written", upTo, versions[len(versions)-1])
		}
		if u := got["user:sari"].User; u == nil || *u != user {
			t.Fatalf("user %+v, want %+v", u, user)
		}
		if tk := got["token:t1"].Token; tk == nil || tk.Hash != "ab12" || tk.LastUsed == nil || !tk.LastUsed.Equal(used) || got["token:t1"].Version != versions[5] {
			t.Fatalf("token %+v (version %d)", tk, got["token:t1"].Version)
		}
		for _, want := range []tracking.Session{userSession, tokenSession, expired} {
			se := got["session:"+want.Hash].Session
			if se == nil || se.User != want.User || se.TokenID != want.TokenID || se.Principal != want.Principal || se.CSRF != want.CSRF ||
				!se.ExpiresAt.Equal(want.ExpiresAt) {
				t.Fatalf("session %+v, want %+v", se, want)
			}
		}
		if g := got["geofence:rs-1"].Geofence; g == nil || g.Name != "RSUD" || g.Kind != "hospital" || g.RadiusM != 150 || g.CreatedBy != "admin" || len(g.Feature) == 0 {
			t.Fatalf("geofence %+v", g)
		}
		if cs := got["contacts:dinkes"].Contacts; len(cs) != 1 || cs[0] != contacts[0] {
			t.Fatalf("contacts %+v", cs)
		}
	}

	t.Run("round trip", func(t *testing.T) {
		s, reopen := open(t)
		versions := seed(t, s)
		for i := 1; i < len(versions); i++ {
			if versions[i] <= versions[i-1] {
				t.Fatalf("versions do not grow: %v", versions)
			}
		}
		check(t, s, versions)
		if reopen != nil {
			check(t, reopen(), versions)
		}
	})

	t.Run("since a version, by kind", func(t *testing.T) {
		s, _ := open(t)
		versions := seed(t, s)
		got, _ := read(t, s, versions[4])
		if len(got) != 3 || got["token:t1"].Token == nil || got["geofence:rs-1"].Geofence == nil || got["contacts:dinkes"].Contacts == nil {
			t.Fatalf("since %d: %v", versions[4], keys(got))
		}
		if got, _ := read(t, s, 0, tracking.RecordSession); len(got) != 3 {
			t.Fatalf("sessions only: %v", keys(got))
		}
		if got, upTo := read(t, s, versions[len(versions)-1]); len(got) != 0 || upTo != versions[len(versions)-1] {
			t.Fatalf("since the last: %v up to %d", keys(got), upTo)
		}
	})

	t.Run("deleting leaves tombstones and ends what hangs on it", func(t *testing.T) {
		tests := []struct {
			name  string
			r     tracking.Record
			gone  []string // keys that must read as tombstones
			alive []string // keys that must still be live
		}{
			{"user", tracking.Record{Kind: tracking.RecordUser, Key: "sari", Deleted: true},
				[]string{"user:sari", "session:s-user", "session:s-old"}, []string{"session:s-token", "token:t1"}},
			{"user saved, sessions ended", tracking.Record{Kind: tracking.RecordUser, Key: "sari", User: &user, EndSessions: true},
				[]string{"session:s-user", "session:s-old"}, []string{"user:sari", "session:s-token"}},
			{"token", tracking.Record{Kind: tracking.RecordToken, Key: "t1", Deleted: true},
				[]string{"token:t1", "session:s-token"}, []string{"session:s-user", "user:sari"}},
			{"one session", tracking.Record{Kind: tracking.RecordSession, Key: "s-user", Deleted: true},
				[]string{"session:s-user"}, []string{"session:s-token", "user:sari"}},
			{"a geofence", tracking.Record{Kind: tracking.RecordGeofence, Key: "rs-1", Deleted: true},
				[]string{"geofence:rs-1"}, []string{"user:sari"}},
			{"what is not there", tracking.Record{Kind: tracking.RecordUser, Key: "nobody", Deleted: true},
				[]string{"user:nobody"}, []string{"user:sari", "session:s-user", "session:s-token"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, reopen := open(t)
				versions := seed(t, s)
				v := apply(t, s, change("test", tt.r))
				if v <= versions[len(versions)-1] {
					t.Fatalf("version %d after %d", v, versions[len(versions)-1])
				}
				stores := []tracking.RecordStore{s}
				if reopen != nil {
					stores = append(stores, reopen())
				}
				for _, s := range stores {
					all, _ := read(t, s, 0)
					since, _ := read(t, s, versions[len(versions)-1])
					for _, k := range tt.gone {
						if r, ok := since[k]; !ok || !r.Deleted || r.Version != v {
							t.Fatalf("%s since the change: %+v %v, want a tombstone at %d (all since: %v)", k, r, ok, v, keys(since))
						}
						if r := all[k]; !r.Deleted {
							t.Fatalf("%s still live: %+v", k, r)
						}
					}
					for _, k := range tt.alive {
						if r, ok := all[k]; !ok || r.Deleted {
							t.Fatalf("%s is gone: %+v %v", k, r, ok)
						}
					}
				}
			})
		}
	})

	t.Run("a revoked token's late last use does not bring it back", func(t *testing.T) {
		s, _ := open(t)
		seed(t, s)
		apply(t, s, change("token.revoked", tracking.Record{Kind: tracking.RecordToken, Key: "t1", Deleted: true}))
		late := token
		at := t0.Add(2 * time.Hour)
		late.LastUsed = &at
		apply(t, s, change("", tracking.Record{Kind: tracking.RecordToken, Key: "t1", Token: &late}))
		if got, _ := read(t, s, 0, tracking.RecordToken); !got["token:t1"].Deleted {
			t.Fatalf("the token is back: %+v", got["token:t1"])
		}
	})

	t.Run("a user made again after its deletion is live", func(t *testing.T) {
		s, _ := open(t)
		seed(t, s)
		apply(t, s, change("user.deleted", tracking.Record{Kind: tracking.RecordUser, Key: "sari", Deleted: true}))
		again := user
		again.Role = tracking.RolePlanner
		v := apply(t, s, change("user.created", tracking.Record{Kind: tracking.RecordUser, Key: "sari", User: &again}))
		rs, _, err := s.Records(context.Background(), 0, tracking.RecordUser)
		if err != nil {
			t.Fatal(err)
		}
		last := rs[len(rs)-1] // records come in version order: the newest of a key wins
		if last.Key != "sari" || last.Deleted || last.Version != v || last.User.Role != tracking.RolePlanner {
			t.Fatalf("last user record %+v", last)
		}
	})

	t.Run("expired sessions are removed", func(t *testing.T) {
		s, _ := open(t)
		seed(t, s)
		if err := tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "session.expired", Actor: "system"}, At: t0, ExpireSessions: t0}); err != nil {
			t.Fatal(err)
		}
		got, _ := read(t, s, 0, tracking.RecordSession)
		if _, ok := got["session:s-old"]; ok || len(got) != 2 {
			t.Fatalf("sessions after the expiry: %v", keys(got))
		}
	})
}

func keys(m map[string]tracking.Record) []string {
	var out []string
	for k, r := range m {
		if r.Deleted {
			k += " (deleted)"
		}
		out = append(out, k)
	}
	return out
}
