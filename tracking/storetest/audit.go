package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
)

// RunAudit is the contract of the audit trail: every change and every
// account change is one entry, at the change's time, with its actor and
// the subject after it (never a hash), read back by subject, time range
// and page. open returns a fresh store; it must be a tracking.AuditLog.
func RunAudit(t *testing.T, open func(t *testing.T) tracking.Store) {
	ctx := context.Background()
	s := open(t)
	log, ok := s.(tracking.AuditLog)
	if !ok {
		t.Fatalf("%T keeps no readable audit trail", s)
	}
	in := sampleIncident("20261126-000001")
	steps := []func() error{
		func() error {
			return tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "incident.created", Actor: "sari"}, At: t0, Incident: &in})
		},
		func() error {
			in2 := sampleIncident(in.ID, "DMK-1")
			u := unit("DMK-1")
			return tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "incident.dispatched", Actor: "cad-bridge"}, At: t0.Add(time.Minute), Incident: &in2, Units: []tracking.Unit{u}})
		},
		func() error {
			return tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "unit.registered", Actor: "admin"}, At: t0.Add(2 * time.Minute), Units: []tracking.Unit{unit("DMK-2")}})
		},
		func() error {
			u := tracking.User{Name: "budi", Role: tracking.RolePlanner, PasswordHash: "$2a$10$secret-hash", CreatedAt: t0, UpdatedAt: t0}
			return tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "user.created", Actor: "admin"}, At: t0.Add(3 * time.Minute),
				Records: []tracking.Record{{Kind: tracking.RecordUser, Key: u.Name, User: &u}}})
		},
		func() error {
			tok := tracking.Token{ID: "t9", Name: "cad-bridge", Role: tracking.RoleDispatcher, Hash: "token-hash-secret", CreatedAt: t0}
			return tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "token.issued", Actor: "admin"}, At: t0.Add(4 * time.Minute),
				Records: []tracking.Record{{Kind: tracking.RecordToken, Key: tok.ID, Token: &tok}}})
		},
		func() error {
			return tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "user.deleted", Actor: "root-token"}, At: t0.Add(5 * time.Minute),
				Records: []tracking.Record{{Kind: tracking.RecordUser, Key: "budi", Deleted: true}}})
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	all, err := log.AuditTrail(ctx, tracking.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, actor, subject string }{
		{"incident.created", "sari", in.ID},
		{"incident.dispatched", "cad-bridge", in.ID},
		{"unit.registered", "admin", "DMK-2"},
		{"user.created", "admin", "user:budi"},
		{"token.issued", "admin", "token:t9"},
		{"user.deleted", "root-token", "user:budi"},
	}
	if len(all) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(all), len(want), all)
	}
	for i, w := range want {
		e := all[i]
		if e.Action != w.action || e.Actor != w.actor || e.Subject != w.subject || !e.At.Equal(t0.Add(time.Duration(i)*time.Minute)) {
			t.Fatalf("entry %d: %+v, want %+v at %s", i, e, w, t0.Add(time.Duration(i)*time.Minute))
		}
		if i > 0 && e.Seq <= all[i-1].Seq {
			t.Fatalf("seq does not grow: %d after %d", e.Seq, all[i-1].Seq)
		}
		if strings.Contains(string(e.Data), "hash") || strings.Contains(string(e.Data), "secret") {
			t.Fatalf("the trail keeps a hash: %s", e.Data)
		}
	}
	var dispatched tracking.Incident
	if err := json.Unmarshal(all[1].Data, &dispatched); err != nil || len(dispatched.Assignments) != 1 || dispatched.Assignments[0].UnitID != "DMK-1" {
		t.Fatalf("the dispatched incident's data: %s (%v)", all[1].Data, err)
	}

	for _, tc := range []struct {
		name string
		q    tracking.AuditQuery
		want []int // indexes into all
	}{
		{"by subject", tracking.AuditQuery{Subject: in.ID}, []int{0, 1}},
		{"a user's", tracking.AuditQuery{Subject: "user:budi"}, []int{3, 5}},
		{"from, to", tracking.AuditQuery{From: t0.Add(time.Minute), To: t0.Add(3 * time.Minute)}, []int{1, 2}},
		{"after and limit", tracking.AuditQuery{After: all[1].Seq, Limit: 2}, []int{2, 3}},
		{"subject after", tracking.AuditQuery{Subject: in.ID, After: all[0].Seq}, []int{1}},
		{"nothing", tracking.AuditQuery{Subject: "nobody"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := log.AuditTrail(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d entries, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, j := range tc.want {
				if got[i].Seq != all[j].Seq {
					t.Fatalf("entry %d is seq %d, want %d", i, got[i].Seq, all[j].Seq)
				}
			}
		})
	}
}
