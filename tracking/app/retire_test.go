package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/fleet"
	"siaga112/tracking/postgres/pgtest"
)

// Issue 22 (15) on PostgreSQL with two instances: disabling, enabling and
// deleting a unit on one is one change each (one trail row, migration
// 017's columns), read back by the other, and by an instance started
// later; the deleted unit's positions stay.
func TestRetiredUnitsAcrossInstances(t *testing.T) {
	db := pgtest.URL(t)
	ctx := context.Background()
	start := func() *app.App {
		a, err := app.New(ctx, app.Config{NoMQTT: true, OpenAPI: true, DB: db}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.Close)
		return a
	}
	a, b := start(), start()
	eventually := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 5 s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for _, id := range []string{"PG-R1", "PG-R2"} {
		if _, _, err := a.Units.Register(ctx, tracking.Registration{ID: id, Type: tracking.Ambulance, Agency: "dinkes"}, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	secret, err := a.Units.IssueDeviceSecret(ctx, "PG-R1", "admin")
	if err != nil {
		t.Fatal(err)
	}
	eventually("B knows both units and the secret", func() bool {
		_, ok := b.Units.CheckDevice("PG-R1", secret)
		return ok && b.Units.Has("PG-R2")
	})
	// Both instances hear every fix (a shared broker would give them both).
	p := orb.Point{106.15, -6.12}
	for i, id := range []string{"PG-R1", "PG-R2"} {
		for _, x := range []*app.App{a, b} {
			if _, err := x.Units.ApplyFix(id, tracking.Position{Lon: p[0] + 0.001*float64(i+1), Lat: p[1], At: time.Now(), Battery: -1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	nearest := func(x *app.App) (out []string) {
		for u := range x.Fleet.Nearest(p, fleet.Filter{Types: []tracking.UnitType{tracking.Ambulance}, Statuses: []tracking.Status{tracking.Available}}) {
			out = append(out, u.ID)
		}
		return out
	}
	conn := pgtest.Conn(t, db)
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	events := b.Units.Bus().Subscribe(1024)
	defer b.Units.Bus().Unsubscribe(events)

	for range 2 {
		if _, err := a.Units.SetDisabled(ctx, "PG-R1", true, "fleet-admin"); err != nil {
			t.Fatal(err)
		}
	}
	eventually("B sees PG-R1 disabled", func() bool {
		u, err := b.Units.Get("PG-R1")
		return err == nil && u.Disabled
	})
	if got := nearest(b); len(got) != 1 || got[0] != "PG-R2" {
		t.Fatalf("B's nearest: %v", got)
	}
	if _, ok := b.Units.CheckDevice("PG-R1", secret); ok {
		t.Fatal("B still takes the disabled unit's password")
	}
	if n := count(`SELECT count(*) FROM events WHERE subject = 'PG-R1' AND action = 'unit.disabled' AND actor = 'fleet-admin'`); n != 1 {
		t.Fatalf("%d unit.disabled rows, want 1", n)
	}
	if n := count(`SELECT count(*) FROM units WHERE id = 'PG-R1' AND disabled`); n != 1 {
		t.Fatal("units.disabled is not set")
	}
	time.Sleep(200 * time.Millisecond) // B's read-back has published by now
	published := 0
	for len(events.C) > 0 {
		if e := <-events.C; e.Unit != nil && e.Unit.ID == "PG-R1" && e.Action == "disabled" {
			published++
		}
	}
	if published != 1 {
		t.Fatalf("B published %d disabled events, want 1", published)
	}

	if _, err := a.Units.SetDisabled(ctx, "PG-R1", false, "fleet-admin"); err != nil {
		t.Fatal(err)
	}
	eventually("B sees PG-R1 enabled and back in nearest", func() bool {
		_, ok := b.Units.CheckDevice("PG-R1", secret)
		return ok && len(nearest(b)) == 2
	})
	if _, err := a.Units.SetDisabled(ctx, "PG-R2", true, "fleet-admin"); err != nil {
		t.Fatal(err)
	}
	eventually("positions of PG-R1 written", func() bool {
		return count(`SELECT count(*) FROM unit_positions WHERE unit_id = 'PG-R1'`) > 0
	})
	if err := a.Units.Delete(ctx, "PG-R1", "fleet-admin"); err != nil {
		t.Fatal(err)
	}
	eventually("B forgets PG-R1", func() bool { return !b.Units.Has("PG-R1") })
	if _, ok := b.Units.CheckDevice("PG-R1", secret); ok {
		t.Fatal("B takes a deleted unit's password")
	}
	if n := count(`SELECT count(*) FROM events WHERE subject = 'PG-R1' AND action = 'unit.deleted'`); n != 1 {
		t.Fatalf("%d unit.deleted rows", n)
	}
	if n := count(`SELECT count(*) FROM unit_positions WHERE unit_id = 'PG-R1'`); n == 0 {
		t.Fatal("the deleted unit's positions are gone")
	}
	if n := count(`SELECT count(*) FROM unit_credentials WHERE unit_id = 'PG-R1'`); n != 0 {
		t.Fatal("the deleted unit's credentials are kept")
	}

	// An instance started now: PG-R1 is gone, PG-R2 still disabled.
	c := start()
	if c.Units.Has("PG-R1") {
		t.Fatal("a new instance loads the deleted unit")
	}
	if u, err := c.Units.Get("PG-R2"); err != nil || !u.Disabled {
		t.Fatalf("PG-R2 on a new instance: %+v %v", u, err)
	}
	if n := count(`SELECT count(*) FROM dead_letters`); n != 0 {
		t.Fatalf("%d changes refused by the database", n)
	}
}
