package roads

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// serangBox stands in for the city in these tests (the app passes the
// real boundary).
var serangBox = orb.Bound{Min: orb.Point{106.06, -6.22}, Max: orb.Point{106.26, -6.01}}

func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	pbf, err := os.ReadFile("testdata/town.osm.pbf")
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.osm.pbf")
	os.WriteFile(truncated, pbf[:len(pbf)*2/3], 0o644)
	empty := filepath.Join(dir, "empty.osm.pbf")
	os.WriteFile(empty, nil, 0o644)
	garbage := filepath.Join(dir, "garbage.pbf")
	os.WriteFile(garbage, []byte("\x00\x00\x00\x0e\n\tOSMHeader\x18\x99\xff\xff\xff\xff\xff\xff"), 0o644)
	inSerang := func(p orb.Point) bool { return serangBox.Contains(p) }
	tests := []struct {
		name, file string
		opt        Options
		want       string
	}{
		{"missing", filepath.Join(dir, "nope.osm.pbf"), Options{}, "does not exist"},
		{"a directory", dir, Options{}, "directory"},
		{"empty", empty, Options{}, "empty"},
		{"OSM XML named .osm", "testdata/town.osm", Options{}, "OSM XML, not a PBF"},
		{"text", "testdata/town.py", Options{}, "not an OpenStreetMap PBF"},
		{"truncated", truncated, Options{}, "truncated"},
		{"a broken blob", garbage, Options{}, "cannot be read"},
		{"footways only", "testdata/footways.osm.pbf", Options{}, "no drivable ways"},
		{"a town elsewhere in Java", "testdata/elsewhere.osm.pbf", Options{Inside: inSerang}, "inside the city"},
		{"a town elsewhere, cut to the city", "testdata/elsewhere.osm.pbf", Options{Inside: inSerang, Keep: serangBox}, "near the city"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := Load(context.Background(), tt.file, tt.opt)
			var le *Error
			if err == nil || !errors.As(err, &le) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.file) {
				t.Fatalf("Load = %v, %v; want an *Error naming %s and %q", g, err, tt.file, tt.want)
			}
		})
	}
}

// A large extract keeps only the ways near the city, cut where they leave.
func TestLoadKeepsNearTheCity(t *testing.T) {
	tw := loadTown(t)
	// Keep only the town's southern half.
	keep := orb.Bound{Min: tw.at(-300, -3000), Max: tw.at(3000, 1100)}
	g, err := Load(context.Background(), "testdata/town.osm.pbf", Options{Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	st := g.Stats()
	if st.WaysCut == 0 || g.Nodes() >= tw.g.Nodes() {
		t.Fatalf("kept %d of %d nodes, %d ways cut", g.Nodes(), tw.g.Nodes(), st.WaysCut)
	}
	if rp := g.Snap(tw.at(1000, 2000), DefaultSnapM); rp.OnRoad() {
		t.Fatal("a road of the northern half was kept")
	}
	// The restriction in the north lost its via node: ignored and counted.
	if st.Restrictions != 1 || st.RestrictionsIgnored != 2 {
		t.Fatalf("restrictions %d obeyed, %d ignored; want 1 and 2", st.Restrictions, st.RestrictionsIgnored)
	}
}

func TestParseSpeeds(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]float64
		err      string
	}{
		{"defaults", "", map[string]float64{"motorway": 80, "residential": 30}, ""},
		{"one changed", "primary=55, motorway=90", map[string]float64{"primary": 55, "motorway": 90, "trunk": 70}, ""},
		{"unknown class", "footway=5", nil, "not a drivable highway class"},
		{"not a number", "primary=fast", nil, "from 5 to 150"},
		{"too fast", "primary=500", nil, "from 5 to 150"},
		{"no equals", "primary", nil, "highway=km/h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSpeeds(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
	d := DefaultSpeedsKmh
	if d["motorway"] < 1.5*d["residential"] || d["trunk"] < 1.5*d["residential"] {
		t.Fatal("the defaults must keep motorway and trunk at least 1.5× residential")
	}
}

func TestMaxspeed(t *testing.T) {
	for in, want := range map[string]float64{"50": 50, "50 km/h": 50, "30 mph": 30 * 1.609344, "ID:urban": 0, "": 0, "none": 0, "-5": 0} {
		if got := maxspeedKmh(in); got != want {
			t.Errorf("maxspeedKmh(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzLoad: whatever the file holds, Load answers (an error or a graph)
// and does not panic.
func FuzzLoad(f *testing.F) {
	pbf, _ := os.ReadFile("testdata/town.osm.pbf")
	f.Add(pbf)
	f.Add(pbf[:len(pbf)/2])
	f.Add([]byte("<osm></osm>"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "f.pbf")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Skip(err)
		}
		Load(context.Background(), p, Options{})
	})
}
