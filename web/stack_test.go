package web

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/analytics"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/fleet"
	"siaga112/tracking/memstore"
	"siaga112/tracking/trackingtest"
)

// stack is a whole server as cmd wires it, in memory, on a fake clock.
type stack struct {
	url   string
	ts    *httptest.Server
	srv   *Server
	fleet *fleet.Index
	svc   *dispatch.Service
	store *memstore.Store
	clk   *trackingtest.Clock
}

// newStack builds one; tweak (optional) adds to the web config.
func newStack(t *testing.T, tweak func(*stack, *Config)) *stack {
	t.Helper()
	st := &stack{clk: trackingtest.NewClock(), store: memstore.New()}
	st.fleet = fleet.New(fleet.Config{Now: st.clk.Now})
	districts := geo.NewApproxIndex(mapdata.Serang().Districts())
	svc, err := dispatch.New(context.Background(), dispatch.Config{Fleet: st.fleet, Locator: districts, Store: st.store, Now: st.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	st.svc = svc
	cfg := Config{Fleet: st.fleet, Districts: districts, Dispatch: svc}
	if tweak != nil {
		tweak(st, &cfg)
	}
	if st.srv, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.srv.Close)
	st.ts = httptest.NewServer(st.srv)
	t.Cleanup(st.ts.Close)
	st.url = st.ts.URL
	return st
}

// withAnalytics adds the planners' endpoints, as cmd wires them.
func withAnalytics(st *stack, c *Config) {
	c.Analytics = &Analytics{
		Index: analytics.NewIndex(), Store: st.store, Router: geo.DefaultDetourModel(),
		CityBound: orb.Bound{Min: orb.Point{106.07, -6.21}, Max: orb.Point{106.25, -6.02}},
		Importer: analytics.Importer{Known: func(cat tracking.Category) bool { _, err := st.svc.Plans().Plan(cat); return err == nil },
			Locator: c.Districts},
		Live: func() []tracking.Incident { return st.svc.List(dispatch.Filter{}) },
		Nearest: func(tp tracking.UnitType) analytics.Nearest {
			return func(p orb.Point) (tracking.Unit, float64, bool) {
				for u, d := range st.fleet.Nearest(p, fleet.Filter{Types: []tracking.UnitType{tp}, Statuses: []tracking.Status{tracking.Available}, Liveness: []tracking.Liveness{tracking.Live}}) {
					return u, d, true
				}
				return tracking.Unit{}, 0, false
			}
		},
	}
}

// withLive adds the live feed.
func withLive(st *stack, c *Config) { c.Bus = st.svc.Bus() }
