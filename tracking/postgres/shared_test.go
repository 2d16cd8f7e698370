package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/postgres/pgtest"
)

// twoStores opens two stores on one schema: two instances' views of one
// database.
func twoStores(t *testing.T) (*Store, *Store) {
	u := testURL(t)
	return openTest(t, u, Config{}), openTest(t, u, Config{})
}

func testIncident(id string, units ...string) *tracking.Incident {
	in := &tracking.Incident{ID: id, Category: "medical", Lat: -6.11, Lon: 106.17, Kecamatan: tracking.Place{Code: "36.73.01", Name: "Serang"},
		Caller: "0811", Status: tracking.IncidentOpen, LeadAgency: "dinkes", ReceivedAt: time.Now(), AgencyDueAt: time.Now()}
	for _, u := range units {
		in.Assignments = append(in.Assignments, tracking.Assignment{UnitID: u, UnitType: tracking.Ambulance, Status: tracking.AssignDispatched, DispatchedAt: time.Now()})
	}
	return in
}

// A unit another instance assigned first: the second dispatch is a
// conflict naming the unit, not a dead letter (an answer, not a fault).
func TestUnitTakenByAnotherInstance(t *testing.T) {
	s1, s2 := twoStores(t)
	dispatched := func(s *Store, in *tracking.Incident) error {
		return tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "incident.dispatched", Actor: "t"}, Incident: in})
	}
	if err := dispatched(s1, testIncident("20261127-000001", "AMB-1")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   *tracking.Incident
	}{
		{"another incident", testIncident("20261127-000002", "AMB-1")},
		// s2's memory had not seen s1's assignment: it numbers its own the same.
		{"the same incident, the same assignment number", testIncident("20261127-000001", "AMB-2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := dispatched(s2, tt.in)
			var taken *tracking.UnitTaken
			if !errors.As(err, &taken) || tracking.CodeOf(err) != tracking.CodeConflict {
				t.Fatalf("second dispatch: %v, want a UnitTaken conflict", err)
			}
			if taken.Incident != tt.in.ID {
				t.Fatalf("taken %+v", taken)
			}
		})
	}
	var n int
	s2.Pool().QueryRow(context.Background(), `SELECT count(*) FROM dead_letters`).Scan(&n)
	if n != 0 || s2.Healthy() != nil {
		t.Fatalf("%d dead letters, healthy %v: a lost race is no fault", n, s2.Healthy())
	}
	var unit string
	s2.Pool().QueryRow(context.Background(), `SELECT unit_id FROM assignments WHERE incident_id = '20261127-000001' AND seq = 0`).Scan(&unit)
	if unit != "AMB-1" {
		t.Fatalf("the first assignment now names %q", unit)
	}
}

// Two instances marking the same number at once: every mark counts, and
// the block and the proposal follow the true count.
func TestPrankMarksCountAcrossInstances(t *testing.T) {
	s1, s2 := twoStores(t)
	now := time.Now().Truncate(time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := []*Store{s1, s2}[i%2]
			at := now.Add(time.Duration(i) * time.Millisecond)
			// Each instance's memory knows only its own mark.
			c := tracking.Change{Audit: tracking.Audit{Action: "caller.prank", Actor: "t"}, Caller: &tracking.Caller{Number: "0812345", PrankCalls: []time.Time{at}},
				Prank: &tracking.PrankMark{At: at, Window: time.Hour, BlockFor: 24 * time.Hour, BlockAfter: 5, ProposeAfter: 10}}
			errs <- tracking.Apply(s, c)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := s1.Caller(context.Background(), "0812345")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.PrankCalls) != 12 || c.BlockedUntil == nil || !c.ProposedPermanentBlock {
		t.Fatalf("after 12 marks on two instances: %d calls, blocked until %v, proposed %v", len(c.PrankCalls), c.BlockedUntil, c.ProposedPermanentBlock)
	}
	// Marks outside the window do not count.
	old := now.Add(-2 * time.Hour)
	c2 := tracking.Change{Audit: tracking.Audit{Action: "caller.prank", Actor: "t"}, Caller: &tracking.Caller{Number: "0899"},
		Prank: &tracking.PrankMark{At: old, Window: time.Hour, BlockFor: 24 * time.Hour, BlockAfter: 0, ProposeAfter: 10}}
	if err := tracking.Apply(s1, c2); err != nil {
		t.Fatal(err)
	}
	c2.Prank.At = now
	if err := tracking.Apply(s2, c2); err != nil {
		t.Fatal(err)
	}
	if c, _ := s1.Caller(context.Background(), "0899"); c.BlockedUntil == nil || !c.BlockedUntil.Equal(now.Add(24*time.Hour)) {
		t.Fatalf("one mark in the window (BlockAfter 0): blocked until %v", c.BlockedUntil)
	}
}

// Positions are written by one instance; when it goes, the other writes,
// what the first had not written and nothing twice.
func TestOnePositionWriter(t *testing.T) {
	u := testURL(t)
	ctx := context.Background()
	s1, err := Open(ctx, u, Config{OneWriter: true}) // closed by the test, mid-way
	if err != nil {
		t.Fatal(err)
	}
	s2 := openTest(t, u, Config{OneWriter: true})
	unit := tracking.Unit{ID: "AMB-1", Callsign: "AMB-1", Type: tracking.Ambulance, Agency: "dinkes", Status: tracking.Available}
	if err := tracking.Apply(s1, tracking.Change{Audit: tracking.Audit{Action: "unit", Actor: "t"}, Units: []tracking.Unit{unit}}); err != nil {
		t.Fatal(err)
	}
	s1.Flush(ctx) // s1 takes the lock first
	s2.Flush(ctx)
	if !s1.Leading() || s2.Leading() {
		t.Fatalf("leading: s1 %v, s2 %v; want s1 only", s1.Leading(), s2.Leading())
	}
	t0 := time.Now().Truncate(time.Millisecond)
	fix := func(i int) tracking.Position {
		return tracking.Position{Lon: 106.1, Lat: -6.1, At: t0.Add(time.Duration(i) * time.Second), Battery: -1}
	}
	for i := range 3 { // both instances hear every fix
		s1.Append("AMB-1", fix(i), time.Now())
		s2.Append("AMB-1", fix(i), time.Now())
	}
	s1.Flush(ctx)
	s2.Flush(ctx)
	count := func() int {
		var n int
		s2.Pool().QueryRow(ctx, `SELECT count(*) FROM unit_positions`).Scan(&n)
		return n
	}
	if n := count(); n != 3 {
		t.Fatalf("%d rows for 3 fixes heard by two instances", n)
	}
	s1.Close(ctx) // the writer goes (its session, and so its lock, with it)
	s2.Append("AMB-1", fix(3), time.Now())
	// The old session ends a moment after its connection closes: s2 takes
	// the lock at one of its next ticks.
	for deadline := time.Now().Add(5 * time.Second); !s2.Leading(); time.Sleep(100 * time.Millisecond) {
		if err := s2.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("s2 did not take over within 5 s")
		}
	}
	s2.Flush(ctx)
	if n := count(); n != 4 {
		t.Fatalf("%d rows after the takeover, want 4 (the 3 the first wrote are not written again)", n)
	}
}

// A change committed on one instance reaches the other as a notice; its
// own notices come too, marked with its instance.
func TestNoticesReachTheOtherInstance(t *testing.T) {
	s1, s2 := twoStores(t)
	got := make(chan tracking.Notice, 16)
	ready := make(chan struct{})
	var once sync.Once
	s2.Listen(func(n tracking.Notice) { got <- n }, func(context.Context) { once.Do(func() { close(ready) }) })
	<-ready
	in := testIncident("20261127-000009", "AMB-9")
	c := tracking.Change{Audit: tracking.Audit{Action: "incident.dispatched", Actor: "t"}, Action: "dispatched", Incident: in,
		Units: []tracking.Unit{{ID: "AMB-9", Callsign: "AMB-9", Type: tracking.Ambulance, Agency: "dinkes", Status: tracking.Dispatched}}}
	if err := tracking.Apply(s1, c); err != nil {
		t.Fatal(err)
	}
	want := []tracking.Notice{
		{Origin: s1.Instance(), Kind: "incident", ID: in.ID, Action: "dispatched"},
		{Origin: s1.Instance(), Kind: "unit", ID: "AMB-9", Action: "dispatched"},
	}
	for _, w := range want {
		select {
		case n := <-got:
			if n != w {
				t.Fatalf("notice %+v, want %+v", n, w)
			}
		case <-time.After(time.Second):
			t.Fatalf("no notice within 1 s, want %+v", w)
		}
	}
	read, err := s2.Incident(context.Background(), in.ID)
	if err != nil || len(read.Assignments) != 1 || read.Assignments[0].UnitID != "AMB-9" {
		t.Fatalf("read back: %+v, %v", read, err)
	}
}

// Incident numbers from two instances never repeat.
func TestIncidentNumbersUniqueAcrossInstances(t *testing.T) {
	s1, s2 := twoStores(t)
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := []*Store{s1, s2}[i%2].NextIncidentNumber(context.Background())
			mu.Lock()
			defer mu.Unlock()
			if err != nil || seen[n] {
				t.Errorf("number %d (%v): given twice or failed", n, err)
			}
			seen[n] = true
		}()
	}
	wg.Wait()
}

// BenchmarkNoticeReadBack: a change committed by one instance, its notice
// heard by another, and the incident read back there — how far behind a
// second instance's memory runs.
func BenchmarkNoticeReadBack(b *testing.B) {
	u := testURL(b)
	s1, s2 := openTest(b, u, Config{}), openTest(b, u, Config{})
	heard := make(chan tracking.Notice, 64)
	ready := make(chan struct{})
	var once sync.Once
	s2.Listen(func(n tracking.Notice) {
		if n.Kind == "incident" {
			if _, err := s2.Incident(context.Background(), n.ID); err != nil {
				b.Error(err)
			}
			heard <- n
		}
	}, func(context.Context) { once.Do(func() { close(ready) }) })
	<-ready
	b.ResetTimer()
	for i := range b.N {
		in := testIncident(fmt.Sprintf("20261127-%06d", i+1), fmt.Sprintf("AMB-%d", i))
		if err := tracking.Apply(s1, tracking.Change{Audit: tracking.Audit{Action: "incident.dispatched", Actor: "t"}, Incident: in}); err != nil {
			b.Fatal(err)
		}
		<-heard
	}
}

// After an outage the listener reads everything back only once this
// instance's queued changes are written: the read must not take back what
// memory holds and the queue is about to write.
func TestResyncAfterTheQueueDrains(t *testing.T) {
	direct := testURL(t)
	u, _ := url.Parse(direct)
	p := pgtest.StartProxy(t, u.Host)
	u.Host = p.Addr()
	s := openTest(t, u.String(), Config{WriteTimeout: time.Second})
	type seen struct {
		queued int
		has    bool
	}
	resyncs := make(chan seen, 8)
	s.Listen(func(tracking.Notice) {}, func(ctx context.Context) {
		_, err := s.Incident(ctx, "20261127-000077")
		resyncs <- seen{s.Queued(), err == nil}
	})
	<-resyncs // the first, at start
	p.Cut()
	err := tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "incident.created", Actor: "t"}, Incident: testIncident("20261127-000077")})
	if !errors.Is(err, tracking.ErrQueued) {
		t.Fatalf("during the outage: %v, want ErrQueued", err)
	}
	time.Sleep(1500 * time.Millisecond) // the listener has lost its session and is retrying
	p.Restore()
	select {
	case r := <-resyncs:
		if r.queued != 0 || !r.has {
			t.Fatalf("read back with %d changes still queued (incident in the database: %v)", r.queued, r.has)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no read-back within 10 s of the database's return")
	}
}

// A writer that stops hearing the fixes (its broker connection is down)
// gives the lock up, and another instance takes it.
func TestDeafWriterGivesTheLockUp(t *testing.T) {
	u := testURL(t)
	ctx := context.Background()
	var hears atomic.Bool
	hears.Store(true)
	s1 := openTest(t, u, Config{OneWriter: true, CanLead: hears.Load})
	s2 := openTest(t, u, Config{OneWriter: true})
	s1.Flush(ctx)
	s2.Flush(ctx)
	if !s1.Leading() || s2.Leading() {
		t.Fatalf("leading: s1 %v, s2 %v; want s1", s1.Leading(), s2.Leading())
	}
	hears.Store(false)
	s1.Flush(ctx)
	if s1.Leading() {
		t.Fatal("a deaf instance still writes positions")
	}
	for deadline := time.Now().Add(5 * time.Second); !s2.Leading(); time.Sleep(100 * time.Millisecond) {
		s2.Flush(ctx)
		if time.Now().After(deadline) {
			t.Fatal("s2 did not take over within 5 s")
		}
	}
}
