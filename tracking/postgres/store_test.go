package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
	"siaga112/tracking/postgres/pgtest"
	"siaga112/tracking/storetest"
)

var testURL = pgtest.URL

func openTest(t testing.TB, dbURL string, cfg Config) *Store {
	t.Helper()
	s, err := Open(context.Background(), dbURL, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) tracking.Store { return openTest(t, testURL(t), Config{}) })
}

func TestETATrips(t *testing.T) {
	storetest.RunETATrips(t, func(t *testing.T) storetest.ETATripStores {
		s := openTest(t, testURL(t), Config{})
		return storetest.ETATripStores{Store: s, Positions: s, Trips: s}
	})
}

func TestMigrationsAreIdempotent(t *testing.T) {
	u := testURL(t)
	first := openTest(t, u, Config{})
	second := openTest(t, u, Config{}) // applies nothing the second time
	files, _ := migrations.ReadDir("migrations")
	var n int
	if err := second.Pool().QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(files) {
		t.Fatalf("schema_migrations has %d rows (%v)", n, err)
	}
	again, err := migrate(context.Background(), first.Pool())
	if err != nil || len(again) != 0 {
		t.Fatalf("migrating again applied %v (%v)", again, err)
	}
}

// A migration numbered below one already applied (written on a branch that
// merged later) still runs.
func TestMigrationMergedLaterStillRuns(t *testing.T) {
	u := testURL(t)
	s := openTest(t, u, Config{})
	ctx := context.Background()
	files, _ := migrations.ReadDir("migrations")
	if len(files) < 2 {
		t.Skip("needs two migrations")
	}
	var lowest int
	if err := s.Pool().QueryRow(ctx, `SELECT min(version) FROM schema_migrations WHERE version > 1`).Scan(&lowest); err != nil {
		t.Fatal(err)
	}
	// Forget that it ran. Its SQL is not meant to run twice, so running it
	// again fails naming it: that shows it was picked up (the old rule,
	// "above the highest", skipped it silently).
	if _, err := s.Pool().Exec(ctx, `DELETE FROM schema_migrations WHERE version = $1`, lowest); err != nil {
		t.Fatal(err)
	}
	applied, err := migrate(ctx, s.Pool())
	if !slices.Contains(applied, lowest) && (err == nil || !strings.Contains(err.Error(), fmt.Sprintf("migration %03d_", lowest))) {
		t.Fatalf("migration %d, missing below higher ones, was not run again (applied %v, err %v)", lowest, applied, err)
	}
}

// QGIS lists PostGIS layers from geometry_columns.
func TestLayersInGeometryColumns(t *testing.T) {
	s := openTest(t, testURL(t), Config{})
	// The day partitions of unit_positions are layers too; a user opens the
	// parent.
	rows, err := s.Pool().Query(context.Background(), `SELECT f_table_name, type, srid FROM geometry_columns g
		JOIN pg_class c ON c.relname = g.f_table_name AND c.relnamespace = current_schema()::regnamespace
		WHERE f_table_schema = current_schema() AND NOT c.relispartition ORDER BY f_table_name`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var table, typ string
		var srid int
		err := r.Scan(&table, &typ, &srid)
		return fmt.Sprintf("%s %s %d", table, typ, srid), err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"geofences GEOMETRY 4326", "incident_history POINT 4326", "incidents POINT 4326", "places POINT 4326", "region_events POINT 4326", "unit_positions POINT 4326", "units POINT 4326"}
	if !slices.Equal(got, want) {
		t.Fatalf("geometry_columns: %v, want %v", got, want)
	}
}

func TestAuditTrail(t *testing.T) {
	s := openTest(t, testURL(t), Config{})
	ctx := context.Background()
	in := tracking.Incident{ID: "20261126-000001", Category: "medical", Lat: -6.11, Lon: 106.17, Kecamatan: tracking.Place{Code: "36.73.01", Name: "Serang"},
		Kelurahan: tracking.Place{Code: "36.73.01.1010", Name: "Kaligandu"}, Caller: "0811", Status: tracking.IncidentOpen, LeadAgency: "dinkes",
		ReceivedAt: time.Now(), AgencyDueAt: time.Now().Add(72 * time.Hour)}
	tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "incident.created", Actor: "call-taker Sari"}, Incident: &in})
	tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "caller.prank", Actor: "call-taker Sari"}, Caller: ptr(tracking.Caller{Number: "0811"})})
	rows, _ := s.Pool().Query(ctx, `SELECT action || ' ' || actor || ' ' || subject FROM events ORDER BY id`)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	want := []string{"incident.created call-taker Sari 20261126-000001", "caller.prank call-taker Sari 0811"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("events %v (%v), want %v", got, err, want)
	}
}

func TestOutageQueuesInOrderAndDrains(t *testing.T) {
	direct := testURL(t)
	u, _ := url.Parse(direct)
	p := pgtest.StartProxy(t, u.Host)
	u.Host = p.Addr()
	s := openTest(t, u.String(), Config{WriteTimeout: time.Second})
	ctx := context.Background()
	caller := func(i int) tracking.Caller {
		at := time.Date(2026, 11, 26, 8, i, 0, 0, time.UTC)
		return tracking.Caller{Number: fmt.Sprintf("08%02d", i%3), PrankCalls: []time.Time{at}, BlockedUntil: &at}
	}
	if err := tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "w0", Actor: "t"}, Caller: ptr(caller(0))}); err != nil {
		t.Fatal(err)
	}
	tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "unit", Actor: "t"}, Units: []tracking.Unit{tracking.Unit{ID: "A1", Callsign: "A1", Type: tracking.Ambulance, Agency: "dinkes", Status: tracking.Available}}})

	p.Cut()
	for i := 1; i <= 20; i++ {
		err := tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: fmt.Sprintf("w%d", i), Actor: "t"}, Caller: ptr(caller(i))})
		if !errors.Is(err, tracking.ErrQueued) {
			t.Fatalf("write %d during the outage: %v, want ErrQueued", i, err)
		}
	}
	s.Append("A1", tracking.Position{Lon: 106.1, Lat: -6.1, At: time.Now(), Battery: -1}, time.Now())
	if s.Healthy() == nil || s.Queued() != 20 {
		t.Fatalf("during the outage: healthy %v, queued %d", s.Healthy(), s.Queued())
	}
	s.Flush(ctx) // fails; the fix stays buffered

	p.Restore()
	deadline := time.Now().Add(15 * time.Second)
	for s.Queued() > 0 || s.Healthy() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained: %d left, %v", s.Queued(), s.Healthy())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	db, err := pgx.Connect(ctx, direct)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	rows, _ := db.Query(ctx, `SELECT action FROM events WHERE action LIKE 'w%' ORDER BY id`)
	got, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	if len(got) != 21 {
		t.Fatalf("%d writes reached the database, want 21: %v", len(got), got)
	}
	for i, a := range got {
		if a != fmt.Sprintf("w%d", i) {
			t.Fatalf("writes out of order: %v", got)
		}
	}
	var last time.Time
	db.QueryRow(ctx, `SELECT blocked_until FROM callers WHERE number = '0802'`).Scan(&last)
	if !last.Equal(*caller(20).BlockedUntil) {
		t.Fatalf("the last write did not win: %v", last)
	}
	var n int
	db.QueryRow(ctx, `SELECT count(*) FROM unit_positions`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d positions written after the outage, want 1", n)
	}
}

func BenchmarkCopyPositions(b *testing.B) {
	s := openTest(b, testURL(b), Config{})
	ctx := context.Background()
	const batch = 10_000
	now := time.Now()
	b.ResetTimer()
	start := time.Now()
	rows := 0
	for i := range b.N {
		for j := range batch {
			s.Append(fmt.Sprintf("U%04d", j%2000), tracking.Position{Lon: 106.1 + float64(j)*1e-6, Lat: -6.1, At: now.Add(time.Duration(i*batch+j) * time.Millisecond), SpeedKmh: tracking.Some(40), Battery: 80}, now)
		}
		if err := s.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		rows += batch
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkDispatchCommit: one dispatch is one transaction (incident, three
// assignments, audit row). Reports the p99 commit latency.
func BenchmarkDispatchCommit(b *testing.B) {
	s := openTest(b, testURL(b), Config{})
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		in := tracking.Incident{ID: fmt.Sprintf("20261126-%06d", i), Category: "fire", Lat: -6.11, Lon: 106.17, Caller: "0811",
			Status: tracking.IncidentOpen, LeadAgency: "damkar", ReceivedAt: time.Now(), AgencyDueAt: time.Now()}
		for k := range 3 {
			in.Assignments = append(in.Assignments, tracking.Assignment{UnitID: fmt.Sprintf("U%d-%d", i, k), UnitType: tracking.FireTruck,
				Status: tracking.AssignDispatched, DispatchedAt: time.Now()})
		}
		start := time.Now()
		if err := tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "incident.dispatched", Actor: "bench"}, Incident: &in}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

func TestPhoneContract(t *testing.T) {
	storetest.RunPhone(t, func(t *testing.T) storetest.Phoner { return openTest(t, testURL(t), Config{}) })
}
