package dispatch

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
)

// With the detour model, recommendations read only the nearest units (its
// ETA grows with the distance), and they are the plan's best available
// live units by ETA, as a scan of every unit finds them.
func TestRecommendMatchesScan(t *testing.T) {
	router := tracking.DefaultTravel()
	r := newRig(t, Config{Router: router})
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range 300 {
		r.unit(t, fmt.Sprintf("U%03d", i), tracking.UnitTypes[i%len(tracking.UnitTypes)], rng.Float64()*8000-4000)
	}
	plan := Plan{Needs: []Need{{Type: tracking.Ambulance, Count: 1}, {Type: tracking.FireTruck, Count: 2}}}
	for q := range 50 {
		p := geo.Destination(kaligandu, rng.Float64()*360, rng.Float64()*3000)
		var want []Recommendation
		for _, need := range plan.Needs {
			var all []Recommendation
			for _, u := range r.fleet.List() {
				if u.Type != need.Type {
					continue
				}
				pos := orb.Point{u.Position.Lon, u.Position.Lat}
				route, err := router.Route(pos, p, string(u.Type))
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, Recommendation{UnitID: u.ID, DistanceM: math.Round(geo.Distance(p, pos)), ETASeconds: route.Duration.Seconds()})
			}
			slices.SortFunc(all, func(a, b Recommendation) int {
				return cmp.Or(cmp.Compare(a.ETASeconds, b.ETASeconds), cmp.Compare(a.DistanceM, b.DistanceM))
			})
			want = append(want, all[:MaxRecommendations]...)
		}
		got := r.svc.Recommend(p, plan)
		if len(got) != len(want) {
			t.Fatalf("query %d: %d recommendations, want %d", q, len(got), len(want))
		}
		for i := range want {
			if got[i].ETASeconds != want[i].ETASeconds {
				t.Fatalf("query %d, row %d: %s with ETA %g s, want %s with %g s", q, i, got[i].UnitID, got[i].ETASeconds, want[i].UnitID, want[i].ETASeconds)
			}
		}
	}
}
