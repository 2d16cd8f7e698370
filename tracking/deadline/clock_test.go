package deadline

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/postgres"
	"siaga112/tracking/postgres/pgtest"
	"siaga112/tracking/trackingtest"
)

func ptr[T any](v T) *T { return &v }

func kinds(fs []Firing) string {
	s := ""
	for _, f := range fs {
		s += f.IncidentID + ":" + string(f.Kind) + " "
	}
	return s
}

// A 72 h deadline: the warning at 48 h, overdue strictly after 72 h.
func TestCheckWithFakeClock(t *testing.T) {
	clock := trackingtest.NewClock()
	t0 := clock.Now()
	for _, tc := range []struct {
		name  string
		cs    Case
		steps []time.Duration // offsets from t0 at which Check runs, in order
		want  []string        // what each step fires
	}{
		{"warning then overdue", Case{IncidentID: "A", ReceivedAt: t0},
			[]time.Duration{47 * time.Hour, 48 * time.Hour, 60 * time.Hour, 72 * time.Hour, 72*time.Hour + time.Second, 100 * time.Hour},
			[]string{"", "A:warning ", "", "", "A:overdue ", ""}},
		{"acknowledged before the warning", Case{IncidentID: "B", ReceivedAt: t0, AckedAt: ptr(t0.Add(time.Hour))},
			[]time.Duration{48 * time.Hour, 73 * time.Hour}, []string{"", ""}},
		{"closed without acknowledgement", Case{IncidentID: "C", ReceivedAt: t0, Closed: true},
			[]time.Duration{48 * time.Hour, 73 * time.Hour}, []string{"", ""}},
		{"down past the deadline: only overdue", Case{IncidentID: "D", ReceivedAt: t0},
			[]time.Duration{80 * time.Hour, 90 * time.Hour}, []string{"D:overdue ", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(72*time.Hour, NewMemory())
			for i, off := range tc.steps {
				fs, err := c.Check(context.Background(), []Case{tc.cs}, t0.Add(off))
				if err != nil {
					t.Fatal(err)
				}
				if got := kinds(fs); got != tc.want[i] {
					t.Fatalf("at +%v fired %q, want %q", off, got, tc.want[i])
				}
			}
		})
	}
}

// An acknowledgement between the warning and the deadline stops the
// overdue.
func TestAcknowledgementStopsTheClock(t *testing.T) {
	clock := trackingtest.NewClock()
	cs := Case{IncidentID: "A", ReceivedAt: clock.Now()}
	c := New(72*time.Hour, NewMemory())
	clock.Add(50 * time.Hour)
	if fs, _ := c.Check(context.Background(), []Case{cs}, clock.Now()); kinds(fs) != "A:warning " {
		t.Fatalf("fired %q", kinds(fs))
	}
	cs.AckedAt = ptr(clock.Now())
	clock.Add(30 * time.Hour)
	if fs, _ := c.Check(context.Background(), []Case{cs}, clock.Now()); len(fs) != 0 {
		t.Fatalf("fired %q after the acknowledgement", kinds(fs))
	}
}

func TestNext(t *testing.T) {
	t0 := trackingtest.NewClock().Now()
	c := New(3*time.Hour, NewMemory())
	cases := []Case{{IncidentID: "A", ReceivedAt: t0}, {IncidentID: "B", ReceivedAt: t0.Add(-150 * time.Minute)}, {IncidentID: "C", ReceivedAt: t0.Add(-time.Hour), Closed: true}}
	for _, tc := range []struct {
		name string
		now  time.Time
		want time.Time
		ok   bool
	}{
		{"B overdue first", t0, t0.Add(30*time.Minute + time.Nanosecond), true},
		{"then A's warning", t0.Add(time.Hour), t0.Add(2 * time.Hour), true},
		{"then A's overdue", t0.Add(2 * time.Hour), t0.Add(3*time.Hour + time.Nanosecond), true},
		{"nothing left", t0.Add(4 * time.Hour), time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := c.Next(cases, tc.now)
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Fatalf("Next = %v %v, want %v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// The marks decide: a new clock (a restart) on the same marks fires what is
// due and was not fired, and nothing twice.
func TestRestartFiresDueNothingTwice(t *testing.T) {
	for _, tc := range []struct {
		name  string
		marks func(t *testing.T) func() tracking.DeadlineMarks // each call: the marks a new process sees
	}{
		{"memory", func(t *testing.T) func() tracking.DeadlineMarks {
			m := NewMemory()
			return func() tracking.DeadlineMarks { return m }
		}},
		{"postgres", func(t *testing.T) func() tracking.DeadlineMarks {
			u := pgtest.URL(t)
			return func() tracking.DeadlineMarks {
				st, err := postgres.Open(context.Background(), u, postgres.Config{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close(context.Background()) })
				return st.DeadlineMarks()
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marks := tc.marks(t)
			clock := trackingtest.NewClock()
			t0 := clock.Now()
			cases := []Case{
				{IncidentID: "A", ReceivedAt: t0},
				{IncidentID: "B", ReceivedAt: t0.Add(10 * time.Hour)},
			}
			first := New(72*time.Hour, marks())
			clock.Add(49 * time.Hour) // A's warning
			if fs, _ := first.Check(context.Background(), cases, clock.Now()); kinds(fs) != "A:warning " {
				t.Fatalf("first run fired %q", kinds(fs))
			}
			// Restart: a new clock, new store instance, same database.
			second := New(72*time.Hour, marks())
			if fs, _ := second.Check(context.Background(), cases, clock.Now()); len(fs) != 0 {
				t.Fatalf("restart fired again: %q", kinds(fs))
			}
			clock.Add(10 * time.Hour) // B's warning falls due while "down"
			third := New(72*time.Hour, marks())
			if fs, _ := third.Check(context.Background(), cases, clock.Now()); kinds(fs) != "B:warning " {
				t.Fatalf("after restart fired %q", kinds(fs))
			}
			clock.Add(30 * time.Hour) // both overdue
			fs, _ := third.Check(context.Background(), cases, clock.Now())
			if kinds(fs) != "A:overdue B:overdue " {
				t.Fatalf("fired %q", kinds(fs))
			}
			if fs, _ := New(72*time.Hour, marks()).Check(context.Background(), cases, clock.Now()); len(fs) != 0 {
				t.Fatalf("overdue fired twice: %q", kinds(fs))
			}
		})
	}
}

type failingMarks struct{ n int }

func (f *failingMarks) MarkFired(_ context.Context, m tracking.DeadlineMark) (bool, error) {
	f.n++
	if f.n == 1 {
		return false, errors.New("database down")
	}
	return true, nil
}

// A store error loses no alarm: it is tried again at the next Check.
func TestStoreErrorRetried(t *testing.T) {
	t0 := trackingtest.NewClock().Now()
	c := New(3*time.Hour, &failingMarks{})
	cases := []Case{{IncidentID: "A", ReceivedAt: t0}}
	if _, err := c.Check(context.Background(), cases, t0.Add(4*time.Hour)); err == nil {
		t.Fatal("no error")
	}
	if fs, err := c.Check(context.Background(), cases, t0.Add(4*time.Hour)); err != nil || kinds(fs) != "A:overdue " {
		t.Fatalf("retry fired %q (%v)", kinds(fs), err)
	}
}

// With a short deadline, Run raises warning then overdue, once each, in
// real time.
func TestRunShortDeadline(t *testing.T) {
	c := New(300*time.Millisecond, NewMemory())
	start := time.Now()
	cases := func(context.Context) ([]Case, error) { return []Case{{IncidentID: "A", ReceivedAt: start}}, nil }
	fired := make(chan Firing, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		c.Run(ctx, time.Now, cases, func(f Firing) { fired <- f }, nil, 50*time.Millisecond, func(err error) { t.Error(err) })
		close(done)
	}()
	var got []string
	timeout := time.After(5 * time.Second)
	for len(got) < 2 {
		select {
		case f := <-fired:
			got = append(got, string(f.Kind))
		case <-timeout:
			t.Fatalf("fired only %v", got)
		}
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	<-done
	if len(fired) != 0 || fmt.Sprint(got) != "[warning overdue]" {
		t.Fatalf("fired %v and %d more", got, len(fired))
	}
}

func BenchmarkCheck(b *testing.B) {
	t0 := trackingtest.NewClock().Now()
	c := New(72*time.Hour, NewMemory())
	cases := make([]Case, 10000)
	for i := range cases {
		cases[i] = Case{IncidentID: fmt.Sprint(i), ReceivedAt: t0.Add(-time.Duration(i) * time.Minute)}
	}
	now := t0
	c.Check(context.Background(), cases, now)
	b.ReportAllocs()
	for b.Loop() {
		c.Check(context.Background(), cases, now)
	}
}

func TestValidateDeadline(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    time.Duration
		ok   bool
	}{
		{"default", DefaultDeadline, true},
		{"short for tests", 2 * time.Second, true},
		{"zero", 0, false},
		{"negative", -time.Hour, false},
		{"a year", 365 * 24 * time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidateDeadline(tc.d); (err == nil) != tc.ok {
				t.Fatalf("ValidateDeadline(%v) = %v", tc.d, err)
			}
		})
	}
}
