package app

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/dispatch"
)

// The demo's synthetic data: a year of past incidents for the planners and
// a call every minute or two for the dispatchers. Seeded, so every demo
// shows the same history; marked synthetic in the data (tracking.
// SyntheticIDPrefix, tracking.SyntheticMark).

// DemoHistorySeed makes the synthetic history the same on every run.
const DemoHistorySeed = 112

// demoHistoryPerDay is the synthetic history's mean daily incidents.
const demoHistoryPerDay = 18

// syntheticHistory invents a year of incidents up to now: places around the
// kelurahan of the city (busier near the centre), categories of the plans
// that send vehicles, more calls by day than by night, and call
// processing and travel times that grow with distance from the centre, so
// the planners' heatmaps have a shape to show.
func syntheticHistory(seed uint64, now time.Time, plans *dispatch.Plans, loc tracking.Locator) []tracking.HistoryRecord {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var cats []tracking.Category
	for _, p := range plans.All() {
		if len(p.Needs) > 0 {
			cats = append(cats, p.Category)
		}
	}
	if len(cats) == 0 {
		return nil
	}
	kel := mapdata.Serang().Kelurahan
	centre := orb.Point{106.1503, -6.1200} // Serang's alun-alun
	start := now.Add(-365 * 24 * time.Hour).Truncate(24 * time.Hour)
	var out []tracking.HistoryRecord
	for day := start; day.Before(now); day = day.Add(24 * time.Hour) {
		n := demoHistoryPerDay/2 + rng.IntN(demoHistoryPerDay+1)
		for range n {
			k := kel[rng.IntN(len(kel))]
			// Within ~600 m of the kelurahan's point (degrees: 0.0055° ≈ 600 m here).
			p := orb.Point{k.Point[0] + (rng.Float64()-0.5)*0.011, k.Point[1] + (rng.Float64()-0.5)*0.011}
			l, err := tracking.Locate(loc, p)
			if err != nil {
				continue // jittered over the city's edge
			}
			hour := diurnalHour(rng)
			received := day.Add(time.Duration(hour*float64(time.Hour)) + time.Duration(rng.IntN(3600))*time.Second)
			if received.After(now) {
				continue
			}
			km := geo.Distance(centre, p) / 1000
			callS := 45 + rng.ExpFloat64()*60                           // median ~1.5 min
			travelS := (240 + km*70) * math.Exp(rng.NormFloat64()*0.35) // ~4 min + 70 s/km, spread
			closeS := 1800 + rng.Float64()*3600                         // on scene 30–90 min
			dispatched := received.Add(time.Duration(callS * float64(time.Second)))
			onScene := dispatched.Add(time.Duration(travelS * float64(time.Second)))
			closed := onScene.Add(time.Duration(closeS * float64(time.Second)))
			r := tracking.HistoryRecord{
				Category: cats[rng.IntN(len(cats))], Lat: p[1], Lon: p[0],
				KecamatanCode: l.Kecamatan.Code, KelurahanCode: l.Kelurahan.Code,
				ReceivedAt: received.UTC(), DispatchedAt: &dispatched, OnSceneAt: &onScene, ClosedAt: &closed,
			}
			if rng.IntN(50) == 0 {
				r.OnSceneAt = nil // a few lack a stamp, as real exports do
			}
			out = append(out, r)
		}
	}
	for i := range out {
		out[i].ID = fmt.Sprintf("%s%06d", tracking.SyntheticIDPrefix, i+1)
	}
	return out
}

// diurnalHour draws an hour of the day, busier from 07:00 to 22:00.
func diurnalHour(rng *rand.Rand) float64 {
	for {
		h := rng.Float64() * 24
		weight := 0.35
		if h >= 7 && h < 22 {
			weight = 1
		}
		if rng.Float64() < weight {
			return math.Floor(h)
		}
	}
}

// seedDemoHistory stores the synthetic history (a store that already holds
// it keeps it: ids are stable).
func (a *App) seedDemoHistory(ctx context.Context, plans *dispatch.Plans, loc tracking.Locator) error {
	rs := syntheticHistory(DemoHistorySeed, a.cfg.Now(), plans, loc)
	added, err := a.History.SaveHistory(ctx, rs)
	if err != nil {
		return fmt.Errorf("demo history: %w", err)
	}
	a.log.Info("synthetic incident history seeded for the demo", "incidents", len(rs), "new", added)
	return nil
}

// DemoCallEvery bounds the pause between two synthetic calls.
var DemoCallEvery = [2]time.Duration{60 * time.Second, 120 * time.Second}

// demoCaller is the synthetic calls' number (a reserved-looking one no
// real caller has).
const demoCaller = "0800112000"

// raiseSyntheticCalls records a synthetic call every minute or two through
// the same service path as a call-taker (CreateIncident), dispatches the
// plan's units, and clears and closes its incidents once their units have
// been on scene a while, so the map shows intake, recommendation and the
// whole flow unattended. It returns when ctx ends.
func (a *App) raiseSyntheticCalls(ctx context.Context, rng *rand.Rand) {
	for {
		wait := DemoCallEvery[0] + time.Duration(rng.Int64N(int64(DemoCallEvery[1]-DemoCallEvery[0])+1))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		a.closeSyntheticOnScene(ctx)
		if _, err := a.syntheticCall(ctx, rng); err != nil {
			a.log.Warn("synthetic call not raised", "err", err)
		}
	}
}

// syntheticCall raises one synthetic incident and dispatches its plan.
func (a *App) syntheticCall(ctx context.Context, rng *rand.Rand) (tracking.Incident, error) {
	plans := a.Dispatch.Plans().All()
	var withUnits []dispatch.Plan
	for _, p := range plans {
		if len(p.Needs) > 0 {
			withUnits = append(withUnits, p)
		}
	}
	if len(withUnits) == 0 {
		return tracking.Incident{}, fmt.Errorf("no plan sends vehicles")
	}
	plan := withUnits[rng.IntN(len(withUnits))]
	kel := mapdata.Serang().Kelurahan
	k := kel[rng.IntN(len(kel))]
	in, recs, err := a.Dispatch.CreateIncident(ctx, dispatch.NewIncident{
		Category: plan.Category, Lat: k.Point[1], Lon: k.Point[0], Caller: demoCaller,
		Description: fmt.Sprintf("%s demo call: %s in %s (not a real emergency)", tracking.SyntheticMark, plan.Label, k.Name),
	}, "demo")
	if err != nil {
		return in, err
	}
	a.log.Info("synthetic call raised", "incident", in.ID, "category", in.Category, "recommended", len(recs))
	if len(recs) > 0 {
		res, err := a.Dispatch.Dispatch(ctx, in.ID, nil, "demo")
		if err != nil {
			a.log.Info("synthetic call not dispatched", "incident", in.ID, "err", err)
			return in, nil
		}
		in = res.Incident
	}
	return in, nil
}

// syntheticOnScene is how long the demo's units stay on scene.
const syntheticOnScene = 3 * time.Minute

// closeSyntheticOnScene clears the units of synthetic incidents on scene
// for a while and closes them; one left without units for long is closed too.
func (a *App) closeSyntheticOnScene(ctx context.Context) {
	now := a.cfg.Now()
	for _, in := range a.Dispatch.List(dispatch.Filter{Status: tracking.IncidentOpen}) {
		if !in.IsSynthetic() {
			continue
		}
		done := in.OnSceneAt != nil && now.Sub(*in.OnSceneAt) > syntheticOnScene
		stale := now.Sub(in.ReceivedAt) > 30*time.Minute
		if !done && !stale {
			continue
		}
		for _, as := range in.Assignments {
			if as.Open() {
				if _, err := a.Dispatch.SetAssignmentStatus(ctx, in.ID, as.UnitID, tracking.AssignCleared, "demo"); err != nil {
					a.log.Info("synthetic assignment not cleared", "incident", in.ID, "unit", as.UnitID, "err", err)
				}
			}
		}
		if _, err := a.Dispatch.Close(ctx, in.ID, "demo"); err != nil {
			a.log.Info("synthetic incident not closed", "incident", in.ID, "err", err)
		}
	}
}
