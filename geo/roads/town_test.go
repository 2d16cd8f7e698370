package roads

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"siaga112/geo"
	"siaga112/tracking/trackingtest"
)

// The synthetic town (testdata/town.py; testdata/make.sh rebuilds it).
type town struct {
	g     *Graph
	nodes map[string]townNode // "x,y" in metres → OSM id and place
	far   orb.Point
}

type townNode struct {
	id int64
	p  orb.Point
}

var (
	townOnce sync.Once
	theTown  town
	townErr  error
)

func loadTown(t testing.TB) town {
	t.Helper()
	townOnce.Do(func() {
		theTown.g, townErr = Load(context.Background(), "testdata/town.osm.pbf", Options{})
		if townErr != nil {
			return
		}
		var raw struct {
			Nodes  map[string][3]float64 `json:"nodes"`
			Places map[string][2]float64 `json:"places"`
		}
		b, err := os.ReadFile("testdata/town.json")
		if err != nil {
			townErr = err
			return
		}
		if townErr = json.Unmarshal(b, &raw); townErr != nil {
			return
		}
		theTown.nodes = map[string]townNode{}
		for k, v := range raw.Nodes {
			theTown.nodes[k] = townNode{int64(v[0]), orb.Point{v[1], v[2]}}
		}
		theTown.far = orb.Point(raw.Places["far"])
	})
	if townErr != nil {
		t.Fatal(townErr)
	}
	return theTown
}

// at is the town's point x metres east and y north of its corner.
func (tw town) at(x, y float64) orb.Point {
	if n, ok := tw.nodes[fmt.Sprintf("%g,%g", x, y)]; ok {
		return n.p // the node's own place, as the extract rounds it
	}
	o := tw.nodes["0,0"].p
	k := geo.EarthRadius * math.Pi / 180
	return orb.Point{o[0] + x/(k*math.Cos(o[1]*math.Pi/180)), o[1] + y/k}
}

// trip is one road trip from a to b: its cost and route.
func (tw town) trip(t testing.TB, a, b orb.Point) (Cost, orb.LineString, bool) {
	t.Helper()
	s := tw.g.ToTarget(tw.g.Snap(b, DefaultSnapM))
	defer s.Release()
	from := tw.g.Snap(a, DefaultSnapM)
	if !s.Joins(from) {
		return Cost{}, nil, false
	}
	for i, c := range s.Closest([]geo.RoadPoint{from}) {
		return c, s.Route(i, a, b), true
	}
	t.Fatalf("Joins said yes but Closest found no road from %v to %v", a, b)
	return Cost{}, nil, false
}

// visits reports whether line passes the town's points in this order,
// one after the other.
func (tw town) visits(line orb.LineString, pts ...[2]float64) bool {
	for i := range line {
		ok := true
		for j, p := range pts {
			if i+j >= len(line) || geo.Distance(line[i+j], tw.at(p[0], p[1])) > 0.5 {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func lineLength(l orb.LineString) float64 {
	m := 0.0
	for i := 1; i < len(l); i++ {
		m += geo.Distance(l[i-1], l[i])
	}
	return m
}

func TestLoadTown(t *testing.T) {
	tw := loadTown(t)
	st := tw.g.Stats()
	if st.Restrictions != 2 || st.ViaWayRestrictions != 1 || st.RestrictionsIgnored != 1 {
		t.Errorf("restrictions obeyed %d (want 2), via-way %d (want 1), ignored %d (want 1: a missing member)", st.Restrictions, st.ViaWayRestrictions, st.RestrictionsIgnored)
	}
	if st.NodeCopies != 2 {
		t.Errorf("node copies %d, want 2 (one per restricted approach)", st.NodeCopies)
	}
	if tw.g.Nodes() != st.Nodes || tw.g.Edges() == 0 || tw.g.Bytes() <= 0 {
		t.Errorf("graph %d nodes %d edges %d bytes; stats %+v", tw.g.Nodes(), tw.g.Edges(), tw.g.Bytes(), st)
	}
}

// One case per rule of the issue.
func TestTownRules(t *testing.T) {
	tw := loadTown(t)
	type pt = [2]float64
	tests := []struct {
		name  string
		from  pt
		to    pt
		check func(c Cost, line orb.LineString) error
	}{
		{"the river is crossed only at the bridges", pt{1000, 1600}, pt{1000, 1000}, func(c Cost, line orb.LineString) error {
			if c.Metres < 2590 {
				return fmt.Errorf("%.0f m across the river: a bridge is 1000 m away on either side", c.Metres)
			}
			return nil
		}},
		{"an untagged motorway is driven east", pt{0, 0}, pt{2000, 0}, func(c Cost, line orb.LineString) error {
			if !tw.visits(line, pt{800, -400}, pt{1000, -400}) {
				return fmt.Errorf("the fast way east is the motorway; route %v", line)
			}
			return nil
		}},
		{"an untagged motorway is not driven west", pt{2000, 0}, pt{0, 0}, func(c Cost, line orb.LineString) error {
			if tw.visits(line, pt{1000, -400}) {
				return fmt.Errorf("drove the motorway against its direction")
			}
			return nil
		}},
		{"oneway=yes is driven along its drawing", pt{800, 200}, pt{1200, 200}, func(c Cost, line orb.LineString) error {
			if math.Abs(c.Metres-400) > 1 {
				return fmt.Errorf("%.0f m, want 400 along the one-way", c.Metres)
			}
			return nil
		}},
		{"oneway=yes is not driven against it", pt{1200, 200}, pt{800, 200}, func(c Cost, line orb.LineString) error {
			if c.Metres < 799 || tw.visits(line, pt{1200, 200}, pt{1000, 200}) {
				return fmt.Errorf("%.0f m: drove the one-way backwards", c.Metres)
			}
			return nil
		}},
		{"oneway=-1 is driven against its drawing", pt{1200, 400}, pt{800, 400}, func(c Cost, line orb.LineString) error {
			if math.Abs(c.Metres-400) > 1 {
				return fmt.Errorf("%.0f m, want 400 along oneway=-1", c.Metres)
			}
			return nil
		}},
		{"oneway=-1 is not driven along it", pt{800, 400}, pt{1200, 400}, func(c Cost, line orb.LineString) error {
			if c.Metres < 799 || tw.visits(line, pt{1000, 400}, pt{1200, 400}) {
				return fmt.Errorf("%.0f m: drove oneway=-1 along its drawing", c.Metres)
			}
			return nil
		}},
		{"a unit on a one-way leaves it forward", pt{900, 200}, pt{700, 200}, func(c Cost, line orb.LineString) error {
			if c.Metres < 1000 || !tw.visits(line, pt{900, 200}, pt{1000, 200}) {
				return fmt.Errorf("%.0f m; route %v: it must leave east", c.Metres, line)
			}
			return nil
		}},
		{"an incident on a one-way is reached forward", pt{1000, 200}, pt{900, 200}, func(c Cost, line orb.LineString) error {
			if c.Metres < 699 || !tw.visits(line, pt{800, 200}, pt{900, 200}) {
				return fmt.Errorf("%.0f m; route %v: it must come from the west", c.Metres, line)
			}
			return nil
		}},
		{"no_left_turn is obeyed", pt{800, 600}, pt{1000, 800}, func(c Cost, line orb.LineString) error {
			if tw.visits(line, pt{800, 600}, pt{1000, 600}, pt{1000, 800}) {
				return fmt.Errorf("turned left where it may not")
			}
			return nil
		}},
		{"only_straight_on is obeyed", pt{800, 2000}, pt{1000, 2200}, func(c Cost, line orb.LineString) error {
			if tw.visits(line, pt{800, 2000}, pt{1000, 2000}, pt{1000, 2200}) {
				return fmt.Errorf("turned where only straight on is allowed")
			}
			return nil
		}},
		{"the restricted turn is fine from elsewhere", pt{1000, 400}, pt{1000, 800}, func(c Cost, line orb.LineString) error {
			if math.Abs(c.Metres-400) > 1 {
				return fmt.Errorf("%.0f m, want 400 straight north", c.Metres)
			}
			return nil
		}},
	}
	for i, kind := range []string{"footway", "path", "cycleway", "pedestrian", "steps", "track", "access=no", "access=private", "motor_vehicle=no"} {
		x := float64(200 * (i + 1))
		tests = append(tests, struct {
			name  string
			from  pt
			to    pt
			check func(c Cost, line orb.LineString) error
		}{"no car across a " + kind + " bridge", pt{x, 1600}, pt{x, 1000}, func(c Cost, line orb.LineString) error {
			if want := 2*math.Min(x, 2000-x) + 600; c.Metres < want-1 {
				return fmt.Errorf("%.0f m, want at least %.0f by a bridge", c.Metres, want)
			}
			return nil
		}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := tw.at(tt.from[0], tt.from[1]), tw.at(tt.to[0], tt.to[1])
			c, line, ok := tw.trip(t, a, b)
			if !ok {
				t.Fatal("no road joins them")
			}
			if err := tt.check(c, line); err != nil {
				t.Fatal(err)
			}
			if l := lineLength(line); math.Abs(l-c.Metres) > 0.01*c.Metres+0.5 {
				t.Fatalf("route length %.1f m, route_m %.1f", l, c.Metres)
			}
		})
	}
}

func TestSnapFarAndIsolated(t *testing.T) {
	tw := loadTown(t)
	if rp := tw.g.Snap(tw.far, DefaultSnapM); rp.OnRoad() {
		t.Fatalf("a point 2 km from every road snapped to %+v", rp)
	}
	if rp := tw.g.Snap(tw.far, 5000); !rp.OnRoad() || rp.LegM < 2000 {
		t.Fatalf("with a 5 km limit it joins the motorway 2.1 km away: %+v", rp)
	}
	// The isolated street: on the road, but no road joins it to the town.
	s := tw.g.ToTarget(tw.g.Snap(tw.at(1000, 500), DefaultSnapM))
	defer s.Release()
	iso := tw.g.Snap(tw.at(2750, 510), DefaultSnapM)
	if !iso.OnRoad() || iso.LegM > 11 {
		t.Fatalf("the isolated street's point: %+v", iso)
	}
	if s.Joins(iso) {
		t.Fatal("Joins says a road joins the isolated street to the town")
	}
	for i := range s.Closest([]geo.RoadPoint{iso}) {
		t.Fatalf("Closest yielded the isolated source %d", i)
	}
}

// Snapping picks the nearest point of the nearest segment, not a node,
// and counts the straight leg.
func TestSnapToSegment(t *testing.T) {
	tw := loadTown(t)
	p := tw.at(500, 1040) // 40 m north of row 1000, between nodes 400 and 600
	rp := tw.g.Snap(p, DefaultSnapM)
	if !rp.OnRoad() || math.Abs(rp.LegM-40) > 0.5 || geo.Distance(rp.At, tw.at(500, 1000)) > 0.5 {
		t.Fatalf("snap %+v, want the road 40 m south at (500, 1000)", rp)
	}
}

// The oracle: networkx on the same extract (testdata/oracle.py), over
// random pairs of the town's nodes and the rules' pairs.
func TestRoutesAgreeWithNetworkx(t *testing.T) {
	tw := loadTown(t)
	trackingtest.PythonWith(t, "networkx") // the oracle
	keys := make([]string, 0, len(tw.nodes))
	for k := range tw.nodes {
		if k != "-200,1300" && k != "2200,1300" { // the river's ends
			keys = append(keys, k)
		}
	}
	slicesSort(keys)
	rng := rand.New(rand.NewPCG(24, 1))
	var pairs [][2]string
	for range 400 {
		pairs = append(pairs, [2]string{keys[rng.IntN(len(keys))], keys[rng.IntN(len(keys))]})
	}
	pairs = append(pairs, [2]string{"800,600", "1000,800"}, [2]string{"800,2000", "1000,2200"}, [2]string{"2000,0", "0,0"}, [2]string{"2750,500", "1000,500"})
	ids := make([][2]int64, len(pairs))
	for i, p := range pairs {
		ids[i] = [2]int64{tw.nodes[p[0]].id, tw.nodes[p[1]].id}
	}
	in, _ := json.Marshal(ids)
	cmd := exec.Command("/usr/bin/python3", "testdata/oracle.py", "testdata/town.osm")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.String())
	}
	var want []*struct {
		Secs, Metres float64
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, p := range pairs {
		a, b := tw.nodes[p[0]].p, tw.nodes[p[1]].p
		c, line, ok := tw.trip(t, a, b)
		switch {
		case want[i] == nil && ok:
			t.Errorf("%s → %s: networkx finds no path, we found %.1f s", p[0], p[1], c.Secs)
		case want[i] != nil && !ok:
			t.Errorf("%s → %s: networkx finds %.1f s, we found no path", p[0], p[1], want[i].Secs)
		case ok && (math.Abs(c.Secs-want[i].Secs) > 1e-3*want[i].Secs+1e-3 || math.Abs(c.Metres-want[i].Metres) > 1e-3*want[i].Metres+0.1):
			t.Errorf("%s → %s: %.3f s %.1f m, networkx %.3f s %.1f m; route %v", p[0], p[1], c.Secs, c.Metres, want[i].Secs, want[i].Metres, line)
		}
	}
}

// Closest yields cheapest first, every joined source once, and a unit on
// the incident's own spot costs nothing.
func TestClosestOrder(t *testing.T) {
	tw := loadTown(t)
	target := tw.at(1000, 600)
	rng := rand.New(rand.NewPCG(7, 7))
	var from []geo.RoadPoint
	var want []float64
	for range 60 {
		p := tw.at(rng.Float64()*2000, rng.Float64()*2400)
		rp := tw.g.Snap(p, DefaultSnapM)
		c, _, ok := tw.trip(t, p, target)
		if !ok {
			continue
		}
		from = append(from, rp)
		want = append(want, c.Secs)
	}
	from = append(from, tw.g.Snap(target, DefaultSnapM))
	want = append(want, 0)
	s := tw.g.ToTarget(tw.g.Snap(target, DefaultSnapM))
	defer s.Release()
	last, n := -1.0, 0
	seen := map[int]bool{}
	for i, c := range s.Closest(from) {
		if c.Secs < last || seen[i] || math.Abs(c.Secs-want[i]) > 1e-3*want[i]+1e-3 {
			t.Fatalf("source %d: %.3f s after %.3f (alone: %.3f), seen before %v", i, c.Secs, last, want[i], seen[i])
		}
		if n == 0 && (i != len(from)-1 || c.Secs > 1e-6) {
			t.Fatalf("first yielded %d at %.3f s; the unit on the incident's spot comes first at 0", i, c.Secs)
		}
		last, seen[i] = c.Secs, true
		n++
	}
	if n != len(from) {
		t.Fatalf("yielded %d of %d sources", n, len(from))
	}
}

// Isochrones hug the roads, grow with the time, and do not cross the river
// but at its bridges.
func TestTownIsochrones(t *testing.T) {
	tw := loadTown(t)
	unit := tw.at(1000, 1000) // south bank, opposite the footbridge
	origins := []Origin{{From: unit, Road: tw.g.Snap(unit, DefaultSnapM)}}
	limits := []float64{60, 120, 240}
	got := Isochrones(tw.g, origins, nil, limits)
	for k, mp := range got {
		if len(mp) == 0 {
			t.Fatalf("limit %v s: empty", limits[k])
		}
		if !planar.MultiPolygonContains(mp, unit) {
			t.Fatalf("limit %v s: the unit's own position is outside", limits[k])
		}
		if k > 0 && planar.Area(mp) < planar.Area(got[k-1]) {
			t.Fatalf("limit %v s is smaller than the one before", limits[k])
		}
	}
	// 60 s at 30 km/h is 500 m of road: along row 1000, not across the
	// river 600 m north (straight) but 2.6 km by road.
	if !planar.MultiPolygonContains(got[0], tw.at(1300, 1000)) {
		t.Error("300 m along the unit's road is outside the 1-minute area")
	}
	for k := range got {
		if planar.MultiPolygonContains(got[k], tw.at(1000, 1600)) {
			t.Errorf("limit %v s reaches across the river by the footbridge", limits[k])
		}
	}
	if planar.MultiPolygonContains(got[0], tw.at(1100, 900)) {
		t.Error("the middle of a block, 140 m from any road, is inside")
	}
}

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
