package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"siaga112/geo"
	"siaga112/geo/roads"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/fleet"
	"siaga112/tracking/memstore"
	"siaga112/tracking/trackingtest"
)

const townDir = "../../geo/roads/testdata"

// townRig is dispatch over the synthetic town of geo/roads, units snapped
// when their fix arrives, as the app wires it.
type townRig struct {
	svc   *Service
	fleet *fleet.Index
	clk   *trackingtest.Clock
	g     *roads.Graph
	nodes map[string][3]float64
	far   orb.Point
}

func newTownRig(t testing.TB, withRoads bool) *townRig {
	t.Helper()
	g, err := roads.Load(context.Background(), townDir+"/town.osm.pbf", roads.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(townDir + "/town.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Nodes  map[string][3]float64 `json:"nodes"`
		Places map[string][2]float64 `json:"places"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	clk := trackingtest.NewClock()
	fcfg := fleet.Config{Now: clk.Now}
	cfg := Config{Now: clk.Now, Store: memstore.New(), Locator: geo.NewApproxIndex(mapdata.Serang().Districts())}
	if withRoads {
		fcfg.Snap = func(p orb.Point) geo.RoadPoint { return g.Snap(p, roads.DefaultSnapM) }
		cfg.Roads = g
	}
	cfg.Fleet = fleet.New(fcfg)
	svc, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &townRig{svc: svc, fleet: cfg.Fleet, clk: clk, g: g, nodes: doc.Nodes, far: orb.Point(doc.Places["far"])}
}

func (r *townRig) at(key string) orb.Point {
	if key == "far" {
		return r.far
	}
	n, ok := r.nodes[key]
	if !ok {
		panic("no town node " + key)
	}
	return orb.Point{n[1], n[2]}
}

func (r *townRig) place(t testing.TB, id string, typ tracking.UnitType, p orb.Point) {
	t.Helper()
	if _, _, err := r.fleet.Register(tracking.Registration{ID: id, Type: typ, Agency: "dinkes"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.fleet.ApplyFix(id, tracking.Position{Lon: p[0], Lat: p[1], At: r.clk.Now(), Battery: -1}); err != nil {
		t.Fatal(err)
	}
}

func rowsOf(recs []Recommendation) string {
	var s []string
	for _, r := range recs {
		s = append(s, r.UnitID+"/"+r.EtaModel)
	}
	return strings.Join(s, " ")
}

// The river: a unit across it is near in a straight line and far by road.
func TestNearestByRoad(t *testing.T) {
	tests := []struct {
		name  string
		roads bool
		want  string
	}{
		{"with the road network", true, "AMB-S/road AMB-I/detour AMB-N/road AMB-F/detour"},
		{"without it", false, "AMB-N/detour AMB-S/detour AMB-I/detour AMB-F/detour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTownRig(t, tt.roads)
			r.place(t, "AMB-N", tracking.Ambulance, r.at("1000,1600"))
			r.place(t, "AMB-S", tracking.Ambulance, r.at("1000,0"))
			r.place(t, "AMB-F", tracking.Ambulance, r.at("far"))
			r.place(t, "AMB-I", tracking.Ambulance, r.at("2750,500"))
			r.place(t, "POL-1", tracking.Police, r.at("1000,1000"))
			recs, err := r.svc.NearestRouted(nil, r.at("1000,1000"), tracking.Ambulance, 10, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := rowsOf(recs); got != tt.want {
				t.Fatalf("ranked %s, want %s", got, tt.want)
			}
			for _, rec := range recs {
				line, ok := rec.Route.Coordinates.(orb.LineString)
				if !ok || len(line) < 2 || line[0] != rec.Position {
					t.Fatalf("%s: route %v", rec.UnitID, rec.Route)
				}
				if rec.EtaModel == ModelDetour && len(line) != 2 {
					t.Fatalf("%s: a detour row's route is the straight line, got %d points", rec.UnitID, len(line))
				}
			}
			if tt.roads {
				if n := testutil.ToFloat64(r.svc.metrics.fallbacks.WithLabelValues(FallbackNoPath)); n != 1 {
					t.Errorf("no_path fallbacks %v, want 1 (AMB-I)", n)
				}
				if n := testutil.ToFloat64(r.svc.metrics.fallbacks.WithLabelValues(FallbackUnitOffRoad)); n != 1 {
					t.Errorf("unit_off_road fallbacks %v, want 1 (AMB-F)", n)
				}
				// An incident far from every road: every pair is detour.
				recs, _ := r.svc.Nearest(nil, r.at("far"), tracking.Ambulance, 10)
				for _, rec := range recs {
					if rec.EtaModel != ModelDetour {
						t.Fatalf("incident off the road: %s", rowsOf(recs))
					}
				}
				if n := testutil.ToFloat64(r.svc.metrics.fallbacks.WithLabelValues(FallbackIncidentOffRoad)); n != 4 {
					t.Errorf("incident_off_road fallbacks %v, want 4", n)
				}
			}
		})
	}
}

// The early stop never changes the answer: the k rows are the k smallest
// of every unit's own ETA, for random fleets and incidents.
func TestRoadRankIsTheKSmallest(t *testing.T) {
	r := newTownRig(t, true)
	rng := rand.New(rand.NewPCG(5, 5))
	o := r.at("0,0")
	k := geo.EarthRadius * math.Pi / 180
	town := func() orb.Point {
		return orb.Point{o[0] + (rng.Float64()*3400-300)/(k*math.Cos(o[1]*math.Pi/180)), o[1] + (rng.Float64()*3400-800)/k}
	}
	var ids []string
	for i := range 40 {
		id := fmt.Sprintf("AMB-%02d", i)
		r.place(t, id, tracking.Ambulance, town())
		ids = append(ids, id)
	}
	for q := range 60 {
		p := town()
		for _, limit := range []int{1, 5, 40} {
			got, err := r.svc.Nearest(nil, p, tracking.Ambulance, limit)
			if err != nil {
				t.Fatal(err)
			}
			var all []float64
			for _, id := range ids {
				u, _ := r.fleet.Get(id)
				eta, _ := r.svc.unitETA(u, p)
				all = append(all, eta)
			}
			slices.Sort(all)
			if len(got) != limit {
				t.Fatalf("query %d limit %d: %d rows", q, limit, len(got))
			}
			for i, rec := range got {
				if math.Abs(rec.ETASeconds-all[i]) > 1 {
					t.Fatalf("query %d limit %d: row %d %s at %.0f s, but the %d-th smallest ETA is %.0f s (%s)", q, limit, i, rec.UnitID, rec.ETASeconds, i+1, all[i], rowsOf(got))
				}
			}
		}
	}
}

// Dispatching by the plan sends the unit first by road, and the
// assignment keeps the model behind its ETA.
func TestPlanDispatchByRoad(t *testing.T) {
	for _, withRoads := range []bool{true, false} {
		t.Run(fmt.Sprint("roads=", withRoads), func(t *testing.T) {
			r := newTownRig(t, withRoads)
			r.place(t, "AMB-N", tracking.Ambulance, r.at("1000,1600"))
			r.place(t, "AMB-S", tracking.Ambulance, r.at("1000,0"))
			p := r.at("1000,1000")
			in, _, err := r.svc.CreateIncident(context.Background(), NewIncident{Category: "medical", Lat: p[1], Lon: p[0], Caller: "081234567890"}, "test")
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.svc.Dispatch(context.Background(), in.ID, nil, "test")
			if err != nil {
				t.Fatal(err)
			}
			a := res.Assigned[0]
			want, model := "AMB-N", ModelDetour
			if withRoads {
				want, model = "AMB-S", ModelRoad
			}
			if a.UnitID != want || a.EtaModel != model || a.ETASeconds <= 0 {
				t.Fatalf("assigned %+v, want %s by %s", a, want, model)
			}
		})
	}
}

func TestIsochronesRefuse(t *testing.T) {
	r := newTownRig(t, true)
	for _, tt := range []struct {
		name    string
		typ     tracking.UnitType
		minutes []float64
		want    string
	}{
		{"unknown type", "tank", []float64{3}, "unit type"},
		{"no minutes", tracking.Ambulance, nil, "minutes"},
		{"seven values", tracking.Ambulance, []float64{1, 2, 3, 4, 5, 6, 7}, "minutes"},
		{"zero", tracking.Ambulance, []float64{0}, "minutes"},
		{"past an hour", tracking.Ambulance, []float64{61}, "minutes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := r.svc.Isochrones(tt.typ, tt.minutes); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want one naming %s", err, tt.want)
			}
		})
	}
	isos, err := r.svc.Isochrones(tracking.Ambulance, []float64{6, 3})
	if err != nil || len(isos) != 2 || isos[0].Units != 0 || isos[0].Minutes != 6 {
		t.Fatalf("no unit: %+v %v", isos, err)
	}
	if mp, ok := isos[0].Area.(orb.MultiPolygon); !ok || len(mp) != 0 {
		t.Fatalf("no unit: area %#v, want an empty MultiPolygon", isos[0].Area)
	}
}
