package dispatch

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/fleet"
	"siaga112/tracking/memstore"
	"siaga112/tracking/trackingtest"
	"siaga112/tracking/units"
)

// kaligandu is a point inside Kelurahan Kaligandu, Kecamatan Serang.
var kaligandu = orb.Point{106.177791, -6.110699}

type rig struct {
	svc   *Service
	units *units.Service
	fleet *fleet.Index
	clk   *trackingtest.Clock
	ctx   context.Context
}

func newRig(t testing.TB, cfg Config) *rig {
	t.Helper()
	clk := trackingtest.NewClock()
	ix := fleet.New(fleet.Config{Now: clk.Now})
	cfg.Fleet, cfg.Now = ix, clk.Now
	if cfg.Store == nil {
		cfg.Store = memstore.New()
	}
	cfg.Locator = geo.NewApproxIndex(mapdata.Serang().Districts())
	if cfg.Bus == nil {
		cfg.Bus = tracking.NewBus()
	}
	us, err := units.New(context.Background(), units.Config{Fleet: ix, Store: cfg.Store, Bus: cfg.Bus, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	us.Follow(svc)
	return &rig{svc: svc, units: us, fleet: ix, clk: clk, ctx: context.Background()}
}

// unit registers a unit and reports it live at p, metres east of kaligandu.
func (r *rig) unit(t testing.TB, id string, typ tracking.UnitType, eastM float64) {
	t.Helper()
	if _, _, err := r.fleet.Register(tracking.Registration{ID: id, Type: typ, Agency: "dinkes"}); err != nil {
		t.Fatal(err)
	}
	p := geo.Destination(kaligandu, 90, eastM)
	if _, err := r.units.ApplyFix(id, tracking.Position{Lon: p[0], Lat: p[1], At: r.clk.Now(), Battery: -1}); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) incident(t testing.TB, cat tracking.Category) tracking.Incident {
	t.Helper()
	in, _, err := r.svc.CreateIncident(r.ctx, NewIncident{Category: cat, Lat: kaligandu[1], Lon: kaligandu[0], Caller: "081234567890"}, "call-taker")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestCreateIncident(t *testing.T) {
	r := newRig(t, Config{})
	r.unit(t, "AMB-far", tracking.Ambulance, 3000)
	r.unit(t, "AMB-near", tracking.Ambulance, 500)
	r.unit(t, "DMK-1", tracking.FireTruck, 1000)
	r.unit(t, "AMB-stale", tracking.Ambulance, 100)
	r.clk.Add(2 * time.Minute) // everyone stale …
	for _, id := range []string{"AMB-far", "AMB-near", "DMK-1"} {
		p, _ := r.fleet.Get(id) // … but these three report again
		p.Position.At = r.clk.Now()
		r.units.ApplyFix(id, p.Position)
	}
	in, recs, err := r.svc.CreateIncident(r.ctx, NewIncident{Category: "fire", Lat: kaligandu[1], Lon: kaligandu[0], Caller: "+62 812-3456-7890", Description: "rumah terbakar"}, "call-taker")
	if err != nil {
		t.Fatal(err)
	}
	if in.Kelurahan.Name != "Kaligandu" || in.Kecamatan.Name != "Serang" || in.LeadAgency != "damkar" || in.Caller != "081234567890" || in.Status != tracking.IncidentOpen {
		t.Fatalf("incident %+v", in)
	}
	if !in.AgencyDueAt.Equal(in.ReceivedAt.Add(72 * time.Hour)) {
		t.Fatalf("agency due %v, received %v", in.AgencyDueAt, in.ReceivedAt)
	}
	var got []string
	for _, rc := range recs {
		got = append(got, rc.UnitID)
	}
	// Fire trucks, then ambulances nearest first; the stale ambulance is left out.
	if fmt.Sprint(got) != "[DMK-1 AMB-near AMB-far]" {
		t.Fatalf("recommendations %v", got)
	}
	if recs[1].DistanceM < 495 || recs[1].DistanceM > 505 || recs[1].ETASeconds != 63 {
		// 500 m × 1.4 at 40 km/h = 63 s
		t.Fatalf("recommendation %+v", recs[1])
	}
}

func TestCreateIncidentRefusals(t *testing.T) {
	r := newRig(t, Config{})
	tests := []struct {
		name string
		req  NewIncident
		code tracking.Code
	}{
		{"outside the city", NewIncident{Category: "medical", Lat: -6.2088, Lon: 106.8456, Caller: "0811"}, tracking.CodeOutsideArea},
		{"unknown category", NewIncident{Category: "ufo", Lat: kaligandu[1], Lon: kaligandu[0], Caller: "0811"}, tracking.CodeInvalid},
		{"bad number", NewIncident{Category: "medical", Lat: kaligandu[1], Lon: kaligandu[0], Caller: "call me"}, tracking.CodeInvalid},
		{"no number", NewIncident{Category: "medical", Lat: kaligandu[1], Lon: kaligandu[0]}, tracking.CodeInvalid},
		{"latitude out of range", NewIncident{Category: "medical", Lat: -100, Lon: kaligandu[0], Caller: "0811"}, tracking.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := r.svc.CreateIncident(r.ctx, tt.req, "call-taker")
			if tracking.CodeOf(err) != tt.code {
				t.Fatalf("err %v, want code %s", err, tt.code)
			}
		})
	}
}

func TestPrankThresholds(t *testing.T) {
	tests := []struct {
		name         string
		pranks       int
		window       time.Duration
		spacing      time.Duration
		wantBlocked  bool
		wantProposed bool
	}{
		{"5 is not blocked", 5, 0, time.Minute, false, false},
		{"6 is blocked", 6, 0, time.Minute, true, false},
		{"10 is not proposed", 10, 0, time.Minute, true, false},
		{"11 is proposed", 11, 0, time.Minute, true, true},
		{"6 spread beyond a 1 h window are not blocked", 6, time.Hour, 30 * time.Minute, false, false},
		{"no window counts them all", 6, 0, 30 * time.Minute, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Config{PrankWindow: tt.window})
			var v CallerView
			var err error
			for range tt.pranks {
				if v, err = r.svc.RecordPrank(r.ctx, "0811-111-222", "call-taker"); err != nil {
					t.Fatal(err)
				}
				r.clk.Add(tt.spacing)
			}
			r.clk.Add(-tt.spacing)
			if (v.BlockedUntil != nil) != tt.wantBlocked || v.ProposedPermanentBlock != tt.wantProposed {
				t.Fatalf("after %d: %+v", tt.pranks, v)
			}
			_, _, err = r.svc.CreateIncident(r.ctx, NewIncident{Category: "medical", Lat: kaligandu[1], Lon: kaligandu[0], Caller: "0811111222"}, "call-taker")
			if blocked := tracking.CodeOf(err) == tracking.CodeForbidden; blocked != tt.wantBlocked {
				t.Fatalf("incident from the number: %v", err)
			}
			listed := len(r.svc.Callers(true)) == 1
			if listed != tt.wantProposed {
				t.Fatalf("ministry list has it: %v", listed)
			}
		})
	}
}

func TestBlockExpiresAndLifts(t *testing.T) {
	r := newRig(t, Config{})
	for range 6 {
		r.svc.RecordPrank(r.ctx, "0811", "call-taker")
	}
	r.clk.Add(23 * time.Hour)
	if v, _ := r.svc.Caller("0811"); v.BlockedUntil == nil {
		t.Fatal("unblocked before 24 h")
	}
	r.clk.Add(time.Hour + time.Second)
	if v, _ := r.svc.Caller("0811"); v.BlockedUntil != nil {
		t.Fatalf("still blocked after 24 h: %v", v.BlockedUntil)
	}
	r.svc.RecordPrank(r.ctx, "0811", "call-taker") // the 7th blocks again
	if _, err := r.svc.LiftBlock(r.ctx, "0811", "", "x"); tracking.CodeOf(err) != tracking.CodeInvalid {
		t.Fatalf("lift without a name: %v", err)
	}
	v, err := r.svc.LiftBlock(r.ctx, "0811", "supervisor Ani", "caller's child; parents warned")
	if err != nil || v.BlockedUntil != nil || len(v.Lifts) != 1 || v.Lifts[0].By != "supervisor Ani" || v.PrankCalls != 7 {
		t.Fatalf("lift: %+v, %v", v, err)
	}
	if _, err := r.svc.LiftBlock(r.ctx, "0811", "x", "y"); tracking.CodeOf(err) != tracking.CodeConflict {
		t.Fatalf("lifting an unblocked number: %v", err)
	}
}

func TestDeadlineAndOverdue(t *testing.T) {
	r := newRig(t, Config{})
	r.unit(t, "AMB-1", tracking.Ambulance, 200)
	ignored := r.incident(t, "stunting")
	acked := r.incident(t, "stunting")
	dispatched := r.incident(t, "medical")
	if _, err := r.svc.Dispatch(r.ctx, dispatched.ID, nil, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Ack(r.ctx, acked.ID, "dispatcher"); err != nil {
		t.Fatal(err)
	}
	r.clk.Add(72 * time.Hour)
	if n := len(r.svc.List(Filter{Overdue: true})); n != 0 {
		t.Fatalf("%d overdue at exactly 72 h", n)
	}
	r.clk.Add(time.Second)
	over := r.svc.List(Filter{Overdue: true})
	if len(over) != 1 || over[0].ID != ignored.ID {
		t.Fatalf("overdue: %v", over)
	}
}

func TestLifecycle(t *testing.T) {
	r := newRig(t, Config{})
	r.unit(t, "AMB-1", tracking.Ambulance, 300)
	in := r.incident(t, "medical")
	res, err := r.svc.Dispatch(r.ctx, in.ID, nil, "dispatcher Budi")
	if err != nil || len(res.Assigned) != 1 || res.Assigned[0].UnitID != "AMB-1" || len(res.Shortfall) != 0 {
		t.Fatalf("dispatch: %+v, %v", res, err)
	}
	if a := res.Assigned[0]; a.EtaModel != "detour" || !(a.ETASeconds > 0) {
		t.Fatalf("the assignment's ETA %g s by model %q, want a detour estimate", a.ETASeconds, a.EtaModel)
	}
	steps := []struct {
		st       tracking.AssignmentStatus
		code     tracking.Code
		unit     tracking.Status
		incident tracking.IncidentStatus
	}{
		{tracking.AssignEnRoute, "", tracking.EnRoute, tracking.IncidentOpen},
		{tracking.AssignDispatched, tracking.CodeInvalid, tracking.EnRoute, tracking.IncidentOpen},
		{tracking.AssignOnScene, "", tracking.OnScene, tracking.IncidentOpen},
		{tracking.AssignEnRoute, tracking.CodeConflict, tracking.OnScene, tracking.IncidentOpen},
		{tracking.AssignTransporting, "", tracking.Transporting, tracking.IncidentOpen},
		{tracking.AssignAtHospital, "", tracking.AtHospital, tracking.IncidentOpen},
		{tracking.AssignCleared, "", tracking.Available, tracking.IncidentClosed},
	}
	for _, s := range steps {
		r.clk.Add(time.Minute)
		_, err := r.svc.SetAssignmentStatus(r.ctx, in.ID, "AMB-1", s.st, "dispatcher")
		if tracking.CodeOf(err) != s.code {
			t.Fatalf("%s: %v", s.st, err)
		}
		u, _ := r.fleet.Get("AMB-1")
		got, _ := r.svc.Get(in.ID)
		if u.Status != s.unit || got.Status != s.incident {
			t.Fatalf("after %s: unit %s, incident %s", s.st, u.Status, got.Status)
		}
	}
	got, _ := r.svc.Get(in.ID)
	t0 := got.ReceivedAt
	if got.DispatchedAt.Sub(t0) != 0 || got.EnRouteAt.Sub(t0) != time.Minute || got.OnSceneAt.Sub(t0) != 3*time.Minute || got.ClearedAt.Sub(t0) != 7*time.Minute || got.ClosedAt == nil {
		t.Fatalf("stamps: %+v", got)
	}
	if _, err := r.svc.Dispatch(r.ctx, in.ID, nil, "x"); tracking.CodeOf(err) != tracking.CodeConflict {
		t.Fatalf("dispatch to a closed incident: %v", err)
	}
}

func TestCrewStatusAndClose(t *testing.T) {
	r := newRig(t, Config{})
	r.unit(t, "AMB-1", tracking.Ambulance, 300)
	r.unit(t, "AMB-2", tracking.Ambulance, 600)
	in := r.incident(t, "medical")
	if _, err := r.svc.Dispatch(r.ctx, in.ID, []string{"AMB-1", "AMB-2"}, "x"); err != nil {
		t.Fatal(err)
	}
	// The crew reports over MQTT.
	r.clk.Add(time.Minute)
	r.units.SetStatus("AMB-1", tracking.EnRoute, r.clk.Now())
	r.clk.Add(time.Minute)
	r.units.SetStatus("AMB-1", tracking.Returning, r.clk.Now())
	got, _ := r.svc.Get(in.ID)
	if got.Assignments[0].Status != tracking.AssignCleared || got.Status != tracking.IncidentOpen {
		t.Fatalf("after the crew's reports: %+v", got)
	}
	if u, _ := r.fleet.Get("AMB-1"); u.Status != tracking.Returning {
		t.Fatalf("unit status %s, want returning", u.Status)
	}
	closed, err := r.svc.Close(r.ctx, in.ID, "dispatcher")
	if err != nil || closed.Status != tracking.IncidentClosed || closed.Assignments[1].Status != tracking.AssignCleared {
		t.Fatalf("close: %+v %v", closed, err)
	}
	if u, _ := r.fleet.Get("AMB-2"); u.Status != tracking.Available {
		t.Fatalf("AMB-2 is %s after the close", u.Status)
	}
}

func TestDispatchConflictsAndShortfall(t *testing.T) {
	r := newRig(t, Config{})
	r.unit(t, "DMK-1", tracking.FireTruck, 300)
	r.unit(t, "AMB-1", tracking.Ambulance, 300)
	a := r.incident(t, "fire")
	res, err := r.svc.Dispatch(r.ctx, a.ID, nil, "x")
	if err != nil || len(res.Assigned) != 2 || len(res.Shortfall) != 1 || res.Shortfall[0] != (Need{tracking.FireTruck, 1}) {
		t.Fatalf("fire with one truck: %+v %v", res, err)
	}
	b := r.incident(t, "medical")
	_, err = r.svc.Dispatch(r.ctx, b.ID, []string{"AMB-1"}, "x")
	if tracking.CodeOf(err) != tracking.CodeConflict || !strings.Contains(err.Error(), "AMB-1") {
		t.Fatalf("taking a busy unit: %v", err)
	}
	if _, err = r.svc.Dispatch(r.ctx, b.ID, nil, "x"); tracking.CodeOf(err) != tracking.CodeConflict {
		t.Fatalf("no ambulance left: %v", err)
	}
	st := r.incident(t, "stunting")
	if _, err = r.svc.Dispatch(r.ctx, st.ID, nil, "x"); tracking.CodeOf(err) != tracking.CodeConflict || !strings.Contains(err.Error(), "routed to dinkes") {
		t.Fatalf("stunting: %v", err)
	}
	if _, err = r.svc.Dispatch(r.ctx, "nope", nil, "x"); tracking.CodeOf(err) != tracking.CodeNotFound {
		t.Fatalf("unknown incident: %v", err)
	}
}

func contains(s, sub string) bool {
	return len(s) >= len(sub) && (s == sub || len(sub) == 0 || indexOf(s, sub) >= 0)
}
func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// 40 dispatchers race for 10 ambulances: every unit is taken exactly once.
func TestDispatchRace(t *testing.T) {
	for _, mode := range []string{"by plan", "by name"} {
		t.Run(mode, func(t *testing.T) {
			r := newRig(t, Config{})
			for i := range 10 {
				r.unit(t, fmt.Sprintf("AMB-%02d", i), tracking.Ambulance, float64(100+i*150))
			}
			var ins []tracking.Incident
			for range 40 {
				ins = append(ins, r.incident(t, "medical"))
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins, conflicts := 0, 0
			for g := range 40 {
				wg.Go(func() {
					var ids []string
					if mode == "by name" {
						ids = []string{fmt.Sprintf("AMB-%02d", rand.IntN(10))}
					}
					_, err := r.svc.Dispatch(r.ctx, ins[g].ID, ids, "race")
					mu.Lock()
					defer mu.Unlock()
					switch tracking.CodeOf(err) {
					case "":
						wins++
					case tracking.CodeConflict:
						conflicts++
					default:
						t.Errorf("unexpected: %v", err)
					}
				})
			}
			wg.Wait()
			owner := map[string]string{}
			for _, in := range r.svc.List(Filter{}) {
				for _, a := range in.Assignments {
					if a.Open() {
						if prev, dup := owner[a.UnitID]; dup {
							t.Fatalf("%s assigned to %s and %s", a.UnitID, prev, in.ID)
						}
						owner[a.UnitID] = in.ID
					}
				}
			}
			if mode == "by plan" && (len(owner) != 10 || wins != 10 || conflicts != 30) {
				t.Fatalf("%d units used, %d wins, %d conflicts; want 10, 10, 30", len(owner), wins, conflicts)
			}
			if mode == "by name" && len(owner) != wins {
				t.Fatalf("%d units assigned, %d wins", len(owner), wins)
			}
		})
	}
}

func TestArrivalDetection(t *testing.T) {
	type fix struct {
		after time.Duration // since dispatch
		eastM float64       // from the incident
	}
	tests := []struct {
		name     string
		fixes    []fix
		onScene  bool
		arriveAt time.Duration
	}{
		{"stays 15 s within 100 m", []fix{{10 * time.Second, 500}, {20 * time.Second, 90}, {30 * time.Second, 40}, {35 * time.Second, 20}}, true, 20 * time.Second},
		{"only 14 s so far", []fix{{20 * time.Second, 90}, {34 * time.Second, 20}}, false, 0},
		{"drives past", []fix{{20 * time.Second, 90}, {25 * time.Second, 150}, {36 * time.Second, 80}, {45 * time.Second, 60}}, false, 0},
		{"drives past, then stops", []fix{{20 * time.Second, 90}, {25 * time.Second, 150}, {36 * time.Second, 80}, {51 * time.Second, 60}}, true, 36 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Config{})
			r.unit(t, "AMB-1", tracking.Ambulance, 2000)
			in := r.incident(t, "medical")
			if _, err := r.svc.Dispatch(r.ctx, in.ID, nil, "x"); err != nil {
				t.Fatal(err)
			}
			t0 := r.clk.Now()
			for _, f := range tt.fixes {
				r.clk.Add(t0.Add(f.after).Sub(r.clk.Now())) // a fix arrives after it is taken, never before
				p := geo.Destination(kaligandu, 90, f.eastM)
				if _, err := r.units.ApplyFix("AMB-1", tracking.Position{Lon: p[0], Lat: p[1], At: t0.Add(f.after), Battery: -1}); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := r.svc.Get(in.ID)
			a := got.Assignments[0]
			if (a.Status == tracking.AssignOnScene) != tt.onScene {
				t.Fatalf("assignment %s, want on scene %v", a.Status, tt.onScene)
			}
			if tt.onScene && (!a.OnSceneDetected || !a.OnSceneAt.Equal(t0.Add(tt.arriveAt)) || !got.OnSceneAt.Equal(t0.Add(tt.arriveAt))) {
				t.Fatalf("on scene at %v (detected %v), want %v", a.OnSceneAt, a.OnSceneDetected, t0.Add(tt.arriveAt))
			}
		})
	}
}

func TestStateSurvivesInStore(t *testing.T) {
	r := newRig(t, Config{})
	r.unit(t, "AMB-1", tracking.Ambulance, 300)
	in := r.incident(t, "medical")
	r.svc.Dispatch(r.ctx, in.ID, nil, "x")
	r.svc.RecordPrank(r.ctx, "0899", "call-taker")
	again, err := New(r.ctx, r.svc.cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := again.Get(in.ID)
	if err != nil || len(got.Assignments) != 1 {
		t.Fatalf("reloaded: %+v %v", got, err)
	}
	if v, _ := again.Caller("0899"); v.PrankCalls != 1 {
		t.Fatalf("caller reloaded: %+v", v)
	}
	next := r.incident(t, "medical")
	if next.ID == in.ID {
		t.Fatal("ids repeat after a reload")
	}
}

func TestBusDropsSlowSubscriber(t *testing.T) {
	r := newRig(t, Config{})
	slow := r.svc.Bus().Subscribe(2)
	fast := r.svc.Bus().Subscribe(100)
	for range 5 {
		r.incident(t, "stunting")
	}
	if _, open := <-drain(slow.C, 3); open {
		t.Fatal("slow subscriber not dropped")
	}
	if n := len(fast.C); n != 5 {
		t.Fatalf("fast subscriber has %d events, want 5", n)
	}
	if r.svc.Bus().Dropped() != 1 {
		t.Fatalf("dropped = %d", r.svc.Bus().Dropped())
	}
}

// drain reads up to n events and returns the channel for a last receive.
func drain(c <-chan tracking.Event, n int) <-chan tracking.Event {
	for range n {
		if _, ok := <-c; !ok {
			break
		}
	}
	return c
}

func BenchmarkRecommend(b *testing.B) {
	r := newRig(b, Config{})
	rng := rand.New(rand.NewPCG(1, 2))
	statuses := []tracking.Status{tracking.Available, tracking.Available, tracking.Available, tracking.EnRoute, tracking.OnScene, tracking.Returning, tracking.OutOfService, tracking.Dispatched, tracking.AtHospital, tracking.Transporting}
	for i := range 10_000 {
		id := fmt.Sprintf("U%05d", i)
		r.fleet.Register(tracking.Registration{ID: id, Type: tracking.UnitTypes[i%5], Agency: "x"})
		r.fleet.ApplyFix(id, tracking.Position{Lon: 106.07 + rng.Float64()*0.18, Lat: -6.21 + rng.Float64()*0.19, At: r.clk.Now()})
		r.fleet.SetStatus(id, statuses[rng.IntN(len(statuses))], r.clk.Now())
	}
	plan, _ := r.svc.Plans().Plan("fire") // 2 types: the heaviest default plan
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		p := orb.Point{106.07 + float64(i%100)*0.0018, -6.21 + float64(i%97)*0.00195}
		if len(r.svc.Recommend(p, plan)) == 0 {
			b.Fatal("no recommendation")
		}
	}
}

func TestDeviceSecrets(t *testing.T) {
	r := newRig(t, Config{})
	r.unit(t, "AMB-1", tracking.Ambulance, 100)
	if _, ok := r.units.CheckDevice("AMB-1", ""); ok {
		t.Fatal("a unit without a secret let in")
	}
	first, err := r.units.IssueDeviceSecret(r.ctx, "AMB-1", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if agency, ok := r.units.CheckDevice("AMB-1", first); !ok || agency != "dinkes" {
		t.Fatalf("the issued secret: %q %v", agency, ok)
	}
	second, _ := r.units.IssueDeviceSecret(r.ctx, "AMB-1", "admin")
	if _, ok := r.units.CheckDevice("AMB-1", first); ok {
		t.Fatal("the rotated-out secret still works")
	}
	if _, ok := r.units.CheckDevice("AMB-1", second); !ok {
		t.Fatal("the new secret does not work")
	}
	if _, err := r.units.IssueDeviceSecret(r.ctx, "NOPE", "admin"); tracking.CodeOf(err) != tracking.CodeNotFound {
		t.Fatalf("unknown unit: %v", err)
	}
}

// One number, however written: prank calls recorded under one spelling
// count and block under every other, and the blocked caller cannot open an
// incident under any of them (issue 13, item 8).
func TestBlockHoldsInEveryNumberForm(t *testing.T) {
	forms := []string{"081355556666", "6281355556666", "+62 813-5555-6666", "006281355556666", "(0813) 5555-6666"}
	for _, marked := range forms {
		t.Run(marked, func(t *testing.T) {
			r := newRig(t, Config{})
			for i := range BlockAfter + 1 {
				// Each prank call comes in a different spelling.
				if _, err := r.svc.RecordPrank(r.ctx, forms[(i+1)%len(forms)], "ani"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := r.svc.RecordPrank(r.ctx, marked, "ani"); err != nil {
				t.Fatal(err)
			}
			for _, f := range forms {
				v, err := r.svc.Caller(f)
				if err != nil || v.Number != "081355556666" || v.PrankCalls != BlockAfter+2 || v.BlockedUntil == nil {
					t.Fatalf("lookup as %q: %+v %v", f, v, err)
				}
				_, _, err = r.svc.CreateIncident(r.ctx, NewIncident{Category: "medical", Lat: kaligandu[1], Lon: kaligandu[0], Caller: f}, "ani")
				if tracking.CodeOf(err) != tracking.CodeForbidden {
					t.Fatalf("incident from %q: %v, want forbidden", f, err)
				}
			}
			if n := len(r.svc.Callers(false)); n != 1 {
				t.Fatalf("%d caller records, want 1", n)
			}
		})
	}
}

// An incident's caller is stored in the canonical form.
func TestIncidentCallerIsCanonical(t *testing.T) {
	r := newRig(t, Config{})
	in, _, err := r.svc.CreateIncident(r.ctx, NewIncident{Category: "medical", Lat: kaligandu[1], Lon: kaligandu[0], Caller: "+62 813-5555-6666"}, "ani")
	if err != nil || in.Caller != "081355556666" {
		t.Fatalf("caller %q (%v)", in.Caller, err)
	}
}

// Records kept under an older spelling (before one rule) join the
// canonical one when the service loads them.
func TestLegacyCallerSpellingsMerge(t *testing.T) {
	r := newRig(t, Config{})
	t0 := r.clk.Now()
	for i, n := range []string{"6281355556666", "006281355556666", "081355556666"} {
		c := tracking.Caller{Number: n, PrankCalls: []time.Time{t0.Add(time.Duration(i) * time.Minute), t0.Add(time.Duration(i)*time.Minute + time.Second)}}
		if i == 1 {
			until := t0.Add(BlockFor)
			c.BlockedUntil = &until
		}
		if err := tracking.Apply(r.svc.cfg.Store, tracking.Change{Audit: tracking.Audit{Action: "caller.prank", Actor: "old"}, Caller: &c}); err != nil {
			t.Fatal(err)
		}
	}
	again, err := New(r.ctx, r.svc.cfg)
	if err != nil {
		t.Fatal(err)
	}
	v, err := again.Caller("+62 813 5555 6666")
	if err != nil || v.PrankCalls != 6 || v.BlockedUntil == nil || len(again.Callers(false)) != 1 {
		t.Fatalf("merged: %+v %v (%d records)", v, err, len(again.Callers(false)))
	}
}
