package units_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/fleet"
	"siaga112/tracking/memstore"
	"siaga112/tracking/trackingtest"
	"siaga112/tracking/units"
)

var kaligandu = orb.Point{106.177791, -6.110699}

// gateStore is a memstore behind a gate: while closed, changes wait (a
// database that does not answer); opening applies them in order.
type gateStore struct {
	*memstore.Store
	mu      sync.Mutex
	closed  bool
	waiting []func()
	changes []tracking.Change
}

func (g *gateStore) Submit(c tracking.Change, done func(error)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.changes = append(g.changes, c)
	if g.closed {
		g.waiting = append(g.waiting, func() { g.Store.Submit(c, done) })
		return
	}
	g.Store.Submit(c, done)
}

func (g *gateStore) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, f := range g.waiting {
		f()
	}
	g.waiting, g.closed = nil, false
}

type rig struct {
	store *gateStore
	fleet *fleet.Index
	units *units.Service
	disp  *dispatch.Service
	clk   *trackingtest.Clock
}

func newRig(t testing.TB) *rig {
	t.Helper()
	r := &rig{store: &gateStore{Store: memstore.New()}, clk: trackingtest.NewClock()}
	r.fleet = fleet.New(fleet.Config{Now: r.clk.Now})
	bus := tracking.NewBus()
	var err error
	if r.units, err = units.New(context.Background(), units.Config{Fleet: r.fleet, Store: r.store, Bus: bus, Now: r.clk.Now}); err != nil {
		t.Fatal(err)
	}
	r.disp, err = dispatch.New(context.Background(), dispatch.Config{Fleet: r.fleet, Store: r.store, Bus: bus, Now: r.clk.Now,
		Locator: geo.NewApproxIndex(mapdata.Serang().Districts()), ArrivalDwell: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r.units.Follow(r.disp)
	return r
}

// dispatched registers AMB-1 500 m from an incident and sends it there.
func (r *rig) dispatched(t *testing.T) tracking.Incident {
	t.Helper()
	ctx := context.Background()
	if _, _, err := r.units.Register(ctx, tracking.Registration{ID: "AMB-1", Type: tracking.Ambulance, Agency: "dinkes"}, "admin"); err != nil {
		t.Fatal(err)
	}
	p := geo.Destination(kaligandu, 90, 500)
	r.units.ApplyFix("AMB-1", tracking.Position{Lon: p[0], Lat: p[1], At: r.clk.Now(), Battery: -1})
	in, _, err := r.disp.CreateIncident(ctx, dispatch.NewIncident{Category: "medical", Lat: kaligandu[1], Lon: kaligandu[0], Caller: "0811"}, "call-taker")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.disp.Dispatch(ctx, in.ID, []string{"AMB-1"}, "dispatcher"); err != nil {
		t.Fatal(err)
	}
	return in
}

// within fails the test when f does not return in time (it waits for
// something that never answers).
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s waited for the store", what)
	}
}

// With the store not answering at all, fixes, crew status, arrival on
// scene and last wills are applied in memory at once; the changes reach the
// store, in order, when it answers again. Before, crew status and arrival
// wrote to the database on the ingest goroutine, under the dispatch lock.
func TestIngestNeverWaitsForTheStore(t *testing.T) {
	r := newRig(t)
	in := r.dispatched(t)
	r.store.mu.Lock()
	r.store.closed = true
	r.store.mu.Unlock()

	within(t, "crew status", func() { r.units.SetStatus("AMB-1", tracking.EnRoute, r.clk.Now()) })
	within(t, "fixes and arrival", func() {
		for i := range 3 { // inside the arrival radius for the dwell time
			r.clk.Add(time.Second)
			r.units.ApplyFix("AMB-1", tracking.Position{Lon: kaligandu[0], Lat: kaligandu[1] + float64(i)*1e-6, At: r.clk.Now(), Battery: -1})
		}
	})
	within(t, "last will", func() { r.units.MarkOffline("AMB-1") })
	if u, _ := r.fleet.Get("AMB-1"); u.Status != tracking.OnScene {
		t.Fatalf("unit %s, want on_scene in memory", u.Status)
	}

	r.store.open()
	stored, _ := r.store.Incidents(context.Background())
	if len(stored) != 1 || stored[0].ID != in.ID || stored[0].Assignments[0].Status != tracking.AssignOnScene || !stored[0].Assignments[0].OnSceneDetected {
		t.Fatalf("store after the gate opened: %+v", stored)
	}
	us, _ := r.store.Units(context.Background())
	if len(us) != 1 || us[0].Status != tracking.OnScene {
		t.Fatalf("unit in the store: %+v", us)
	}
}

// A crew's status on an assignment is one change: the assignment moves and
// the unit's status goes with it, in one Change.
func TestCrewStatusIsOneChange(t *testing.T) {
	r := newRig(t)
	in := r.dispatched(t)
	before := len(r.store.changes)
	r.units.SetStatus("AMB-1", tracking.EnRoute, r.clk.Now())
	got := r.store.changes[before:]
	if len(got) != 1 || got[0].Incident == nil || got[0].Incident.ID != in.ID || len(got[0].Units) != 1 ||
		got[0].Units[0].Status != tracking.EnRoute || got[0].Incident.Assignments[0].Status != tracking.AssignEnRoute || got[0].Audit.Actor != units.DeviceActor(got[0].Units[0].ID) {
		t.Fatalf("changes %+v", got)
	}
	// The dispatch before it was one change too: incident, assignment, unit.
	d := r.store.changes[before-1]
	if d.Audit.Action != "incident.dispatched" || d.Incident == nil || len(d.Units) != 1 || d.Units[0].Status != tracking.Dispatched || d.Audit.Actor != "dispatcher" {
		t.Fatalf("dispatch change %+v", d)
	}
}
