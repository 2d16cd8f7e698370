package fleet

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
	"siaga112/tracking/trackingtest"
)

type clock = trackingtest.Clock

var newClock = trackingtest.NewClock

func fixAt(lon, lat float64, at time.Time) tracking.Position {
	return tracking.Position{Lon: lon, Lat: lat, At: at, Battery: -1}
}

func mustRegister(t testing.TB, ix *Index, id string, typ tracking.UnitType) {
	t.Helper()
	if _, _, err := ix.Register(tracking.Registration{ID: id, Type: typ, Agency: "dinkes"}); err != nil {
		t.Fatal(err)
	}
}

func TestRegisterValidation(t *testing.T) {
	tests := []struct {
		name string
		reg  tracking.Registration
		want tracking.Code
	}{
		{"ok", tracking.Registration{ID: "AMB-01", Type: tracking.Ambulance, Agency: "dinkes"}, ""},
		{"unknown type", tracking.Registration{ID: "X1", Type: "tank", Agency: "tni"}, tracking.CodeInvalid},
		{"empty id", tracking.Registration{ID: "", Type: tracking.Police, Agency: "polres"}, tracking.CodeInvalid},
		{"wildcard in id", tracking.Registration{ID: "a+b", Type: tracking.Police, Agency: "polres"}, tracking.CodeInvalid},
		{"slash in agency", tracking.Registration{ID: "P1", Type: tracking.Police, Agency: "pol/res"}, tracking.CodeInvalid},
		{"empty agency", tracking.Registration{ID: "P1", Type: tracking.Police}, tracking.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := New(Config{}).Register(tt.reg)
			if got := tracking.CodeOf(err); got != tt.want {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.want, err)
			}
		})
	}
}

func TestRegisterKeepsStateAndDefaults(t *testing.T) {
	clk := newClock()
	ix := New(Config{Now: clk.Now})
	u, created, err := ix.Register(tracking.Registration{ID: "AMB-01", Type: tracking.Ambulance, Agency: "dinkes"})
	if err != nil || !created {
		t.Fatalf("first register: created=%v err=%v", created, err)
	}
	if u.Status != tracking.Available || u.Callsign != "AMB-01" || u.Liveness != tracking.Offline {
		t.Fatalf("new unit = %+v, want available, callsign = id, offline until it reports", u)
	}
	if _, err := ix.ApplyFix("AMB-01", fixAt(106.15, -6.12, clk.Now())); err != nil {
		t.Fatal(err)
	}
	u, created, err = ix.Register(tracking.Registration{ID: "AMB-01", Callsign: "Ambulans 1", Type: tracking.Rescue, Agency: "bpbd"})
	if err != nil || created {
		t.Fatalf("re-register: created=%v err=%v", created, err)
	}
	if u.Type != tracking.Rescue || u.Callsign != "Ambulans 1" || u.Position.Lon != 106.15 || u.Liveness != tracking.Live {
		t.Fatalf("re-registered unit = %+v", u)
	}
	// The unit moved trees with its type.
	if got := nearestID(ix, orb.Point{106.15, -6.12}, tracking.Rescue); got != "AMB-01" {
		t.Fatalf("nearest available rescue = %q, want AMB-01", got)
	}
	if got := nearestID(ix, orb.Point{106.15, -6.12}, tracking.Ambulance); got != "" {
		t.Fatalf("nearest available ambulance = %q, want none", got)
	}
}

func nearestID(ix *Index, p orb.Point, typ tracking.UnitType) string {
	for u := range ix.Nearest(p, Filter{Types: []tracking.UnitType{typ}, Statuses: []tracking.Status{tracking.Available}, Liveness: []tracking.Liveness{tracking.Live}}) {
		return u.ID
	}
	return ""
}

func TestApplyFixOrdering(t *testing.T) {
	clk := newClock()
	t0 := clk.Now()
	tests := []struct {
		name    string
		fixes   []tracking.Position
		want    []Outcome
		wantLon float64
	}{
		{"newer moves", []tracking.Position{fixAt(106.10, -6.1, t0), fixAt(106.20, -6.1, t0.Add(time.Second))}, []Outcome{Applied, Applied}, 106.20},
		{"older never moves back", []tracking.Position{fixAt(106.10, -6.1, t0.Add(time.Minute)), fixAt(106.20, -6.1, t0)}, []Outcome{Applied, History}, 106.10},
		{"same time is a duplicate", []tracking.Position{fixAt(106.10, -6.1, t0), fixAt(106.20, -6.1, t0)}, []Outcome{Applied, History}, 106.10},
		{"sub-second order counts", []tracking.Position{fixAt(106.10, -6.1, t0), fixAt(106.20, -6.1, t0.Add(time.Millisecond))}, []Outcome{Applied, Applied}, 106.20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := New(Config{Now: clk.Now})
			mustRegister(t, ix, "A1", tracking.Ambulance)
			for i, f := range tt.fixes {
				got, err := ix.ApplyFix("A1", f)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want[i] {
					t.Fatalf("fix %d: outcome %v, want %v", i, got, tt.want[i])
				}
			}
			u, _ := ix.Get("A1")
			if u.Position.Lon != tt.wantLon {
				t.Fatalf("lon = %v, want %v", u.Position.Lon, tt.wantLon)
			}
			// The tree agrees with the record.
			for nu, d := range ix.Nearest(orb.Point{tt.wantLon, -6.1}, Filter{}) {
				if nu.ID != "A1" || d > 0.001 {
					t.Fatalf("tree has A1 at distance %v from its recorded position", d)
				}
				break
			}
		})
	}
}

func TestApplyFixErrors(t *testing.T) {
	now := newClock().Now()
	tests := []struct {
		name string
		id   string
		fix  tracking.Position
		want tracking.Code
	}{
		{"unregistered", "NOPE", fixAt(106.1, -6.1, now), tracking.CodeNotFound},
		{"lat out of range", "A1", fixAt(106.1, -91, now), tracking.CodeInvalid},
		{"lon out of range", "A1", fixAt(181, -6.1, now), tracking.CodeInvalid},
		{"NaN", "A1", fixAt(math.NaN(), -6.1, now), tracking.CodeInvalid},
		{"no time", "A1", fixAt(106.1, -6.1, time.Time{}), tracking.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := New(Config{})
			mustRegister(t, ix, "A1", tracking.Ambulance)
			_, err := ix.ApplyFix(tt.id, tt.fix)
			if got := tracking.CodeOf(err); got != tt.want {
				t.Fatalf("code %q, want %q (%v)", got, tt.want, err)
			}
		})
	}
}

func TestLiveness(t *testing.T) {
	tests := []struct {
		name    string
		elapsed time.Duration
		lwt     bool
		want    tracking.Liveness
	}{
		{"fresh", 10 * time.Second, false, tracking.Live},
		{"at the stale limit", 60 * time.Second, false, tracking.Live},
		{"stale", 61 * time.Second, false, tracking.Stale},
		{"silent five minutes", 5*time.Minute + time.Second, false, tracking.Offline},
		{"last will", 0, true, tracking.Offline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			ix := New(Config{Now: clk.Now})
			mustRegister(t, ix, "A1", tracking.Ambulance)
			if _, err := ix.ApplyFix("A1", fixAt(106.1, -6.1, clk.Now())); err != nil {
				t.Fatal(err)
			}
			if tt.lwt {
				if err := ix.MarkOffline("A1"); err != nil {
					t.Fatal(err)
				}
			}
			clk.Add(tt.elapsed)
			u, _ := ix.Get("A1")
			if u.Liveness != tt.want {
				t.Fatalf("liveness %q, want %q", u.Liveness, tt.want)
			}
			if got := ix.CountByLiveness()[tt.want]; got != 1 {
				t.Fatalf("CountByLiveness[%q] = %d, want 1", tt.want, got)
			}
		})
	}
}

func TestLastWillClearedByNewerFix(t *testing.T) {
	clk := newClock()
	ix := New(Config{Now: clk.Now})
	mustRegister(t, ix, "A1", tracking.Ambulance)
	ix.ApplyFix("A1", fixAt(106.1, -6.1, clk.Now()))
	ix.MarkOffline("A1")
	if got := nearestID(ix, orb.Point{106.1, -6.1}, tracking.Ambulance); got != "" {
		t.Fatalf("offline unit %q recommended", got)
	}
	ix.ApplyFix("A1", fixAt(106.1, -6.1, clk.Now())) // same time: history, still offline
	if u, _ := ix.Get("A1"); u.Liveness != tracking.Offline {
		t.Fatalf("a replayed fix revived the unit: %q", u.Liveness)
	}
	clk.Add(time.Second)
	ix.ApplyFix("A1", fixAt(106.1, -6.1, clk.Now()))
	if got := nearestID(ix, orb.Point{106.1, -6.1}, tracking.Ambulance); got != "A1" {
		t.Fatalf("unit back online not found: %q", got)
	}
}

func TestSetStatus(t *testing.T) {
	clk := newClock()
	t0 := clk.Now()
	ix := New(Config{Now: clk.Now})
	mustRegister(t, ix, "A1", tracking.Ambulance)
	ix.ApplyFix("A1", fixAt(106.1, -6.1, t0))
	steps := []struct {
		name   string
		status tracking.Status
		at     time.Time
		want   Outcome
		code   tracking.Code
		avail  bool
	}{
		{"dispatched", tracking.Dispatched, t0.Add(time.Second), Applied, "", false},
		{"older report is history", tracking.Available, t0, History, "", false},
		{"unknown status", "sleeping", t0.Add(2 * time.Second), History, tracking.CodeInvalid, false},
		{"back available", tracking.Available, t0.Add(3 * time.Second), Applied, "", true},
	}
	for _, s := range steps {
		got, err := ix.SetStatus("A1", s.status, s.at)
		if tracking.CodeOf(err) != s.code || got != s.want {
			t.Fatalf("%s: outcome %v err %v", s.name, got, err)
		}
		if avail := nearestID(ix, orb.Point{106.1, -6.1}, tracking.Ambulance) == "A1"; avail != s.avail {
			t.Fatalf("%s: in available tree = %v, want %v", s.name, avail, s.avail)
		}
	}
	if _, err := ix.SetStatus("NOPE", tracking.Available, t0); tracking.CodeOf(err) != tracking.CodeNotFound {
		t.Fatalf("unregistered: %v", err)
	}
}

// randomFleet registers n units at random points of Kota Serang's box, with
// about `availShare` of them available, and reports them all live.
func randomFleet(tb testing.TB, n int, availShare float64, rng *rand.Rand, clk *clock) *Index {
	tb.Helper()
	ix := New(Config{Now: clk.Now})
	statuses := []tracking.Status{tracking.Dispatched, tracking.EnRoute, tracking.OnScene, tracking.Returning, tracking.OutOfService}
	for i := range n {
		id := fmt.Sprintf("U%05d", i)
		typ := tracking.UnitTypes[i%len(tracking.UnitTypes)]
		mustRegister(tb, ix, id, typ)
		if _, err := ix.ApplyFix(id, fixAt(randomLon(rng), randomLat(rng), clk.Now())); err != nil {
			tb.Fatal(err)
		}
		if rng.Float64() >= availShare {
			ix.SetStatus(id, statuses[rng.IntN(len(statuses))], clk.Now())
		}
	}
	return ix
}

func randomLon(rng *rand.Rand) float64 { return 106.07 + rng.Float64()*0.18 }
func randomLat(rng *rand.Rand) float64 { return -6.21 + rng.Float64()*0.19 }

// scanNearest is the brute-force baseline: every unit, one by one, ranked by
// the same squared chord the index uses (so the comparison is of search
// shape, not of distance formula).
func scanNearest(ix *Index, p orb.Point, f Filter) (string, float64) {
	m := f.compile()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	now := ix.cfg.Now()
	best, bestD := "", math.Inf(1)
	pv := geo.ToVector(p)
	for _, e := range ix.units {
		if e.unit.Position.At.IsZero() || !ix.matches(m, e, now) {
			continue
		}
		d := geo.ChordSq(pv, e.vec)
		if d < bestD || (d == bestD && e.unit.ID < best) {
			best, bestD = e.unit.ID, d
		}
	}
	if best == "" {
		return "", bestD
	}
	return best, geo.ChordSqMetres(bestD)
}

func TestNearestMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	clk := newClock()
	ix := randomFleet(t, 3000, 0.3, rng, clk)
	// Make some units stale and some offline, so the liveness filter matters.
	clk.Add(2 * time.Minute)
	for i := 0; i < 3000; i += 3 {
		ix.ApplyFix(fmt.Sprintf("U%05d", i), fixAt(randomLon(rng), randomLat(rng), clk.Now()))
	}
	for i := 1; i < 3000; i += 7 {
		ix.MarkOffline(fmt.Sprintf("U%05d", i))
	}
	avail := []tracking.Status{tracking.Available}
	live := []tracking.Liveness{tracking.Live}
	filters := []struct {
		name string
		f    Filter
	}{
		{"available live ambulance", Filter{Types: []tracking.UnitType{tracking.Ambulance}, Statuses: avail, Liveness: live}},
		{"available live fire truck", Filter{Types: []tracking.UnitType{tracking.FireTruck}, Statuses: avail, Liveness: live}},
		{"available any liveness police", Filter{Types: []tracking.UnitType{tracking.Police}, Statuses: avail}},
		{"any unit", Filter{}},
		{"stale rescue", Filter{Types: []tracking.UnitType{tracking.Rescue}, Liveness: []tracking.Liveness{tracking.Stale}}},
		{"two types busy", Filter{Types: []tracking.UnitType{tracking.Hearse, tracking.Ambulance}, Statuses: []tracking.Status{tracking.OnScene, tracking.EnRoute}}},
	}
	for _, tf := range filters {
		t.Run(tf.name, func(t *testing.T) {
			for q := range 2000 {
				// Queries inside the city and up to ~20 km beyond it.
				p := orb.Point{105.95 + rng.Float64()*0.4, -6.35 + rng.Float64()*0.45}
				wantID, wantD := scanNearest(ix, p, tf.f)
				gotID, gotD := "", math.Inf(1)
				for u, d := range ix.Nearest(p, tf.f) {
					gotID, gotD = u.ID, d
					break
				}
				if gotID != wantID && math.Abs(gotD-wantD) > 1e-6 {
					t.Fatalf("query %d at %v: index %q (%.3f m), scan %q (%.3f m)", q, p, gotID, gotD, wantID, wantD)
				}
			}
		})
	}
}

func TestNearestIsOrderedAndFiltered(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	clk := newClock()
	ix := randomFleet(t, 2000, 0.3, rng, clk)
	p := orb.Point{106.15, -6.12}
	f := Filter{Types: []tracking.UnitType{tracking.Ambulance}, Statuses: []tracking.Status{tracking.Available}}
	prev, n := -1.0, 0
	for u, d := range ix.Nearest(p, f) {
		if d < prev {
			t.Fatalf("distance went down: %v after %v", d, prev)
		}
		if u.Type != tracking.Ambulance || u.Status != tracking.Available {
			t.Fatalf("filter let through %+v", u)
		}
		prev, n = d, n+1
	}
	want := 0
	for _, u := range ix.List() {
		if u.Type == tracking.Ambulance && u.Status == tracking.Available {
			want++
		}
	}
	if n != want || n == 0 {
		t.Fatalf("iterated %d units, want all %d", n, want)
	}
}

func TestConcurrentUse(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	clk := newClock()
	ix := randomFleet(t, 500, 0.3, rng, clk)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for i := range 2000 {
				id := fmt.Sprintf("U%05d", r.IntN(500))
				at := clk.Now().Add(time.Duration(i+1) * time.Millisecond)
				ix.ApplyFix(id, fixAt(randomLon(r), randomLat(r), at))
				if i%50 == 0 {
					ix.SetStatus(id, tracking.Statuses[r.IntN(len(tracking.Statuses))], at)
				}
			}
		}()
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 10))
			for range 2000 {
				for range ix.Nearest(orb.Point{randomLon(r), randomLat(r)}, Filter{Types: []tracking.UnitType{tracking.Ambulance}, Statuses: []tracking.Status{tracking.Available}}) {
					break
				}
			}
		}()
	}
	wg.Wait()
	// Every unit with a position is in the all-tree exactly once.
	if got := ix.all.Len(); got != 500 {
		t.Fatalf("all-tree holds %d items, want 500", got)
	}
	availInTrees := 0
	for i := range ix.avail {
		availInTrees += ix.avail[i].Len()
	}
	availUnits := 0
	for _, u := range ix.List() {
		if u.Status == tracking.Available {
			availUnits++
		}
	}
	if availInTrees != availUnits {
		t.Fatalf("available trees hold %d, %d units are available", availInTrees, availUnits)
	}
}

func TestGetUnknown(t *testing.T) {
	_, err := New(Config{}).Get("nope")
	var e *tracking.Error
	if !errors.As(err, &e) || e.Code != tracking.CodeNotFound {
		t.Fatalf("err = %v", err)
	}
}

// Reservations race straight on the index, with no lock above it: a unit is
// taken once, and every available unit is taken.
func TestReserveNearestRace(t *testing.T) {
	clk := newClock()
	ix := New(Config{Now: clk.Now})
	for i := range 10 {
		id := fmt.Sprintf("A%02d", i)
		mustRegister(t, ix, id, tracking.Ambulance)
		ix.ApplyFix(id, fixAt(106.15+float64(i)*0.001, -6.12, clk.Now()))
	}
	var mu sync.Mutex
	taken := map[string]int{}
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			var got []Reserved
			if g%2 == 0 {
				got = ix.ReserveNearest(orb.Point{106.15, -6.12}, tracking.Ambulance, 1, clk.Now())
			} else if r, err := ix.Reserve([]string{fmt.Sprintf("A%02d", g%10)}, orb.Point{106.15, -6.12}, clk.Now()); err == nil {
				got = r
			} else if tracking.CodeOf(err) != tracking.CodeConflict {
				t.Errorf("reserve: %v", err)
			}
			mu.Lock()
			for _, r := range got {
				taken[r.Unit.ID]++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	for id, n := range taken {
		if n != 1 {
			t.Fatalf("%s taken %d times", id, n)
		}
	}
	if len(taken) != 10 {
		t.Fatalf("%d of 10 units taken by 32 callers", len(taken))
	}
	for _, u := range ix.List() {
		if u.Status != tracking.Dispatched {
			t.Fatalf("%s is %s", u.ID, u.Status)
		}
	}
}

func TestReserveAllOrNothing(t *testing.T) {
	clk := newClock()
	ix := New(Config{Now: clk.Now})
	mustRegister(t, ix, "A1", tracking.Ambulance)
	mustRegister(t, ix, "A2", tracking.Ambulance)
	ix.SetStatus("A2", tracking.OnScene, clk.Now())
	_, err := ix.Reserve([]string{"A1", "A2"}, orb.Point{}, clk.Now())
	if tracking.CodeOf(err) != tracking.CodeConflict || !strings.Contains(err.Error(), "A2") {
		t.Fatalf("err = %v", err)
	}
	if u, _ := ix.Get("A1"); u.Status != tracking.Available {
		t.Fatalf("A1 taken although the call failed: %s", u.Status)
	}
	if _, err := ix.Reserve([]string{"A1", "A1"}, orb.Point{}, clk.Now()); tracking.CodeOf(err) != tracking.CodeInvalid {
		t.Fatalf("same unit twice: %v", err)
	}
	if _, err := ix.Reserve([]string{"NOPE"}, orb.Point{}, clk.Now()); tracking.CodeOf(err) != tracking.CodeNotFound {
		t.Fatalf("unknown unit: %v", err)
	}
}

func TestRestore(t *testing.T) {
	clk := newClock()
	ix := New(Config{Now: clk.Now})
	heard := clk.Now().Add(-2 * time.Minute)
	u := tracking.Unit{ID: "A1", Callsign: "A 1", Type: tracking.Ambulance, Agency: "dinkes", Status: tracking.Available,
		StatusAt: heard, Position: fixAt(106.15, -6.12, heard), LastSeen: heard}
	if err := ix.Restore(u); err != nil {
		t.Fatal(err)
	}
	got, _ := ix.Get("A1")
	if got.Liveness != tracking.Stale || got.Position.Lon != 106.15 || !got.LastSeen.Equal(heard) {
		t.Fatalf("restored %+v", got)
	}
	// In the available tree, but not recommended while stale.
	if id := nearestID(ix, orb.Point{106.15, -6.12}, tracking.Ambulance); id != "" {
		t.Fatalf("stale restored unit recommended: %s", id)
	}
	ix.ApplyFix("A1", fixAt(106.15, -6.12, clk.Now()))
	if id := nearestID(ix, orb.Point{106.15, -6.12}, tracking.Ambulance); id != "A1" {
		t.Fatalf("unit live again not found: %q", id)
	}
	u.Status = "asleep"
	if err := ix.Restore(u); tracking.CodeOf(err) != tracking.CodeInvalid {
		t.Fatalf("bad status restored: %v", err)
	}
}
