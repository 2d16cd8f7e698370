// Package storetest is the contract every tracking.Store passes: the
// in-memory store and the PostgreSQL store run the same suite.
package storetest

import (
	"context"
	"testing"
	"time"

	"siaga112/tracking"
)

// Flusher is implemented by stores that write positions in the background.
type Flusher interface {
	Flush(ctx context.Context) error
}

// t0 has whole microseconds, as PostgreSQL keeps them.
var t0 = time.Date(2026, 11, 26, 8, 0, 0, 123456000, time.UTC)

func ptr[T any](v T) *T { return &v }

func sampleIncident(id string, units ...string) tracking.Incident {
	in := tracking.Incident{
		ID: id, Category: "fire", Lat: -6.110699, Lon: 106.177791,
		Kecamatan: tracking.Place{Code: "36.73.01", Name: "Serang"}, Kelurahan: tracking.Place{Code: "36.73.01.1010", Name: "Kaligandu"},
		Caller: "081234567890", Description: "rumah terbakar", Status: tracking.IncidentOpen, LeadAgency: "damkar",
		ReceivedAt: t0, AgencyDueAt: t0.Add(72 * time.Hour), DispatchedAt: ptr(t0.Add(time.Minute)),
		Assignments: []tracking.Assignment{},
	}
	for _, u := range units {
		in.Assignments = append(in.Assignments, tracking.Assignment{
			UnitID: u, UnitType: tracking.FireTruck, Status: tracking.AssignDispatched,
			DistanceM: 812, ETASeconds: 117, EtaModel: "detour", DispatchedAt: t0.Add(time.Minute), DispatchedBy: "Budi",
		})
	}
	return in
}

func unit(id string) tracking.Unit {
	return tracking.Unit{ID: id, Callsign: "Damkar " + id, Type: tracking.FireTruck, Agency: "damkar", Status: tracking.Available, StatusAt: t0}
}

var audit = tracking.Audit{Action: "test", Actor: "storetest"}

// Run runs the contract against fresh, empty stores made by open.
func Run(t *testing.T, open func(t *testing.T) tracking.Store) {
	ctx := context.Background()

	t.Run("units round trip", func(t *testing.T) {
		s := open(t)
		u := unit("DMK-1")
		if err := saveUnit(s, u, audit); err != nil {
			t.Fatal(err)
		}
		u.Status, u.StatusAt, u.Callsign, u.SecretHash = tracking.OnScene, t0.Add(time.Hour), "Damkar Satu", "sha256:00ff"
		if err := saveUnit(s, u, audit); err != nil {
			t.Fatal(err)
		}
		got, err := s.Units(ctx)
		if err != nil || len(got) != 1 {
			t.Fatalf("units %v, %v", got, err)
		}
		g := got[0]
		if g.ID != u.ID || g.Callsign != "Damkar Satu" || g.SecretHash != "sha256:00ff" || g.Type != u.Type || g.Agency != u.Agency || g.Status != tracking.OnScene || !g.StatusAt.Equal(u.StatusAt) || g.HasPosition() {
			t.Fatalf("got %+v, want %+v", g, u)
		}
	})

	t.Run("last position", func(t *testing.T) {
		s := open(t)
		log, ok := s.(tracking.PositionLog)
		if !ok {
			t.Skip("this store keeps no positions")
		}
		if err := saveUnit(s, unit("DMK-1"), audit); err != nil {
			t.Fatal(err)
		}
		newest := tracking.Position{Lon: 106.16, Lat: -6.11, At: t0.Add(2 * time.Second), SpeedKmh: tracking.Some(40), Heading: tracking.Some(90), AccuracyM: tracking.Some(5), Battery: 70}
		log.Append("DMK-1", tracking.Position{Lon: 106.15, Lat: -6.12, At: t0.Add(time.Second), Battery: -1}, t0.Add(time.Second))
		log.Append("DMK-1", newest, t0.Add(3*time.Second))
		if f, ok := s.(Flusher); ok {
			if err := f.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// A registration change keeps the position.
		if err := saveUnit(s, unit("DMK-1"), audit); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Units(ctx)
		same := func(a, b tracking.Position) bool {
			a.At, b.At = a.At.UTC(), b.At.UTC()
			return a == b
		}
		if len(got) != 1 || !same(got[0].Position, newest) || !got[0].LastSeen.Equal(t0.Add(3*time.Second)) {
			t.Fatalf("got %+v, want position %+v", got, newest)
		}
	})

	t.Run("incidents round trip", func(t *testing.T) {
		s := open(t)
		in := sampleIncident("20261126-000007", "DMK-1", "DMK-2")
		if err := saveIncident(s, in, audit); err != nil {
			t.Fatal(err)
		}
		in.Assignments[0].Status, in.Assignments[0].EnRouteAt = tracking.AssignEnRoute, ptr(t0.Add(2*time.Minute))
		in.Assignments[1].Status, in.Assignments[1].ClearedAt = tracking.AssignCleared, ptr(t0.Add(3*time.Minute))
		in.Assignments[0].OnSceneDetected = true
		in.AgencyActedAt = ptr(t0.Add(time.Minute))
		if err := saveIncident(s, in, audit); err != nil {
			t.Fatal(err)
		}
		got, err := s.Incidents(ctx)
		if err != nil || len(got) != 1 {
			t.Fatalf("incidents %v, %v", got, err)
		}
		sameIncident(t, got[0], in)
		last, err := s.LastIncidentID(ctx)
		if err != nil || last != in.ID {
			t.Fatalf("last id %q, %v", last, err)
		}
	})

	t.Run("one open assignment per unit", func(t *testing.T) {
		s := open(t)
		if err := saveIncident(s, sampleIncident("20261126-000001", "DMK-1"), audit); err != nil {
			t.Fatal(err)
		}
		err := saveIncident(s, sampleIncident("20261126-000002", "DMK-1"), audit)
		if tracking.CodeOf(err) != tracking.CodeConflict {
			t.Fatalf("a unit open on two incidents: %v", err)
		}
		// Once cleared on the first, the unit may go to another.
		first := sampleIncident("20261126-000001", "DMK-1")
		first.Assignments[0].Status, first.Assignments[0].ClearedAt = tracking.AssignCleared, ptr(t0.Add(time.Hour))
		if err := saveIncident(s, first, audit); err != nil {
			t.Fatal(err)
		}
		if err := saveIncident(s, sampleIncident("20261126-000002", "DMK-1"), audit); err != nil {
			t.Fatalf("after clearing: %v", err)
		}
	})

	t.Run("a change is whole", func(t *testing.T) {
		// A dispatch is one change: when its incident is refused, the
		// units' statuses in it are not written either.
		s := open(t)
		if err := saveIncident(s, sampleIncident("20261126-000001", "DMK-1"), audit); err != nil {
			t.Fatal(err)
		}
		second := sampleIncident("20261126-000002", "DMK-1")
		busy := unit("DMK-2")
		busy.Status = tracking.Dispatched
		err := tracking.Apply(s, tracking.Change{Audit: audit, Incident: &second, Units: []tracking.Unit{busy}})
		if tracking.CodeOf(err) != tracking.CodeConflict {
			t.Fatalf("refused change: %v", err)
		}
		us, err := s.Units(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			if u.ID == "DMK-2" {
				t.Fatalf("half a change was written: %+v", u)
			}
		}
		ins, _ := s.Incidents(ctx)
		for _, in := range ins {
			if in.ID == second.ID {
				t.Fatalf("the refused incident was written")
			}
		}
	})

	t.Run("callers round trip", func(t *testing.T) {
		s := open(t)
		c := tracking.Caller{Number: "0811", PrankCalls: []time.Time{t0, t0.Add(time.Minute)}, BlockedUntil: ptr(t0.Add(24 * time.Hour)),
			ProposedPermanentBlock: true, Lifts: []tracking.BlockLift{{At: t0.Add(time.Hour), By: "Ani", Reason: "verified"}}}
		if err := saveCaller(s, c, audit); err != nil {
			t.Fatal(err)
		}
		c.BlockedUntil = nil
		if err := saveCaller(s, c, audit); err != nil {
			t.Fatal(err)
		}
		got, err := s.Callers(ctx)
		if err != nil || len(got) != 1 {
			t.Fatalf("callers %v, %v", got, err)
		}
		g := got[0]
		if g.Number != c.Number || len(g.PrankCalls) != 2 || !g.PrankCalls[1].Equal(c.PrankCalls[1]) || g.BlockedUntil != nil ||
			!g.ProposedPermanentBlock || len(g.Lifts) != 1 || g.Lifts[0].By != "Ani" || !g.Lifts[0].At.Equal(c.Lifts[0].At) {
			t.Fatalf("got %+v, want %+v", g, c)
		}
	})

	t.Run("history import is whole and idempotent", func(t *testing.T) {
		s := open(t)
		hs, ok := s.(tracking.HistoryStore)
		if !ok {
			t.Skip("this store keeps no history")
		}
		rs := []tracking.HistoryRecord{
			{ID: "H1", Category: "fire", Lat: -6.11, Lon: 106.17, KecamatanCode: "36.73.01", KelurahanCode: "36.73.01.1010", ReceivedAt: t0, DispatchedAt: ptr(t0.Add(time.Minute))},
			{ID: "H2", Category: "medical", Lat: -6.06, Lon: 106.18, KecamatanCode: "36.73.02", KelurahanCode: "36.73.02.1001", ReceivedAt: t0.Add(time.Hour)},
		}
		if n, err := hs.SaveHistory(ctx, rs); err != nil || n != 2 {
			t.Fatalf("first import: %d, %v", n, err)
		}
		if n, err := hs.SaveHistory(ctx, rs); err != nil || n != 0 {
			t.Fatalf("re-import: %d, %v", n, err)
		}
		got, err := hs.History(ctx)
		if err != nil || len(got) != 2 || got[0].ID != "H1" || !got[0].DispatchedAt.Equal(*rs[0].DispatchedAt) || got[1].OnSceneAt != nil || got[1].KelurahanCode != "36.73.02.1001" {
			t.Fatalf("history %+v, %v", got, err)
		}
	})

	t.Run("empty store", func(t *testing.T) {
		s := open(t)
		if last, err := s.LastIncidentID(ctx); err != nil || last != "" {
			t.Fatalf("last id %q, %v", last, err)
		}
		if in, err := s.Incidents(ctx); err != nil || len(in) != 0 {
			t.Fatalf("incidents %v, %v", in, err)
		}
	})
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

func sameIncident(t *testing.T, got, want tracking.Incident) {
	t.Helper()
	if got.ID != want.ID || got.Category != want.Category || got.Lat != want.Lat || got.Lon != want.Lon ||
		got.Kecamatan != want.Kecamatan || got.Kelurahan != want.Kelurahan || got.Caller != want.Caller ||
		got.Description != want.Description || got.Status != want.Status || got.LeadAgency != want.LeadAgency ||
		!got.ReceivedAt.Equal(want.ReceivedAt) || !got.AgencyDueAt.Equal(want.AgencyDueAt) ||
		!sameTime(got.DispatchedAt, want.DispatchedAt) || !sameTime(got.AgencyActedAt, want.AgencyActedAt) ||
		!sameTime(got.ClosedAt, want.ClosedAt) || len(got.Assignments) != len(want.Assignments) {
		t.Fatalf("incident\n got %+v\nwant %+v", got, want)
	}
	for i, a := range want.Assignments {
		g := got.Assignments[i]
		if g.UnitID != a.UnitID || g.UnitType != a.UnitType || g.Status != a.Status || g.DistanceM != a.DistanceM ||
			g.ETASeconds != a.ETASeconds || g.EtaModel != a.EtaModel || !g.DispatchedAt.Equal(a.DispatchedAt) || !sameTime(g.EnRouteAt, a.EnRouteAt) ||
			!sameTime(g.ClearedAt, a.ClearedAt) || g.OnSceneDetected != a.OnSceneDetected || g.DispatchedBy != a.DispatchedBy {
			t.Fatalf("assignment %d\n got %+v\nwant %+v", i, g, a)
		}
	}
}

func saveUnit(s tracking.Store, u tracking.Unit, a tracking.Audit) error {
	return tracking.Apply(s, tracking.Change{Audit: a, Units: []tracking.Unit{u}})
}

func saveIncident(s tracking.Store, in tracking.Incident, a tracking.Audit) error {
	return tracking.Apply(s, tracking.Change{Audit: a, Incident: &in})
}

func saveCaller(s tracking.Store, c tracking.Caller, a tracking.Audit) error {
	return tracking.Apply(s, tracking.Change{Audit: a, Caller: &c})
}
