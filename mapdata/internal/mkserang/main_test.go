package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"siaga112/mapdata"
	"siaga112/mapdata/internal/coverage"
	"siaga112/mapdata/mapdatatest"
)

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The embedded layer and its report are what this build makes of the
// committed source: rerunning it (go generate ./mapdata) changes nothing.
func TestCommittedIsBuilt(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the layer (seconds)")
	}
	layer, report, err := Build(read(t, SourcePath))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path string
		got  []byte
	}{{LayerPath, layer}, {ReportPath, report}} {
		if !bytes.Equal(f.got, read(t, f.path)) {
			t.Errorf("mapdata/%s is not what the build makes of %s: run go generate ./mapdata and commit", f.path, SourcePath)
		}
	}
}

// The report's measures agree with shapely's: the gaps and overlaps of the
// source, and each kelurahan's displacement, which can only exceed shapely's
// (that one measures from the vertices alone, this one also between them).
// The report measures the source with Banjarsari's spike removed: with it,
// simplefeatures' overlay takes Banjarsari to cover all of Sumur Pecung.
func TestMeasuresAgreeWithShapely(t *testing.T) {
	src := read(t, SourcePath)
	r := mapdatatest.Coverage(t, src)
	areas := sourceAreas(t, src)
	pl := coverage.PlaneFor(areas)
	despiked := make([]coverage.Area, len(areas))
	for i, a := range areas {
		despiked[i] = coverage.Area{Code: a.Code}
		despiked[i].Shape, _ = coverage.Despike(a.Shape, SpikeM, pl)
	}
	gaps, overlaps, err := coverage.Defects(despiked, pl, DefectM2)
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) != len(r.Kelurahan.Gaps) || len(overlaps) != len(r.Kelurahan.Overlaps) {
		t.Fatalf("%d gaps and %d overlapping pairs; shapely: %d and %d", len(gaps), len(overlaps), len(r.Kelurahan.Gaps), len(r.Kelurahan.Overlaps))
	}
	var shGaps, shOverlaps float64
	for _, g := range r.Kelurahan.Gaps {
		shGaps += g
	}
	for _, o := range r.Kelurahan.Overlaps {
		shOverlaps += o[2].(float64)
	}
	if !near(sum(gaps), shGaps) || !near(sum(overlaps), shOverlaps) {
		t.Fatalf("gaps %.0f m², overlaps %.0f m²; shapely %.0f and %.0f", sum(gaps), sum(overlaps), shGaps, shOverlaps)
	}

	// Displacement, per kelurahan, source to cleaned.
	cleaned := read(t, LayerPath)
	dir := t.TempDir()
	for name, b := range map[string][]byte{"a": src, "b": cleaned} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const hausdorff = `
import json, math, sys
from shapely.geometry import shape
from shapely import affinity
load = lambda p: {f["properties"]["code"]: shape(f["geometry"]) for f in json.load(open(p))["features"]}
a, b = load(sys.argv[1]), load(sys.argv[2])
lats = [y for g in a.values() for y in (g.bounds[1], g.bounds[3])]
phi = math.radians((min(lats) + max(lats)) / 2)
w = 1 - 6.69437999014e-3 * math.sin(phi) ** 2
kx, ky = 6378137.0 / math.sqrt(w) * math.cos(phi) * math.pi / 180, 6378137.0 * (1 - 6.69437999014e-3) / w ** 1.5 * math.pi / 180
m = lambda g: affinity.scale(g, xfact=kx, yfact=ky, origin=(0, 0))
print(json.dumps({c: m(a[c]).hausdorff_distance(m(b[c])) for c in a}))
`
	out, err := exec.Command("/usr/bin/python3", "-c", hausdorff, filepath.Join(dir, "a"), filepath.Join(dir, "b")).Output()
	if err != nil {
		t.Fatalf("shapely: %v", err)
	}
	var shapely map[string]float64
	if err := json.Unmarshal(out, &shapely); err != nil {
		t.Fatal(err)
	}
	after := sourceAreas(t, cleaned)
	most := 0.0
	for i, a := range areas {
		got := coverage.Hausdorff(a.Shape, after[i].Shape, pl)
		want := shapely[a.Code]
		if got < want-0.01 {
			t.Errorf("%s: displacement %.2f m, under shapely's %.2f m", a.Code, got, want)
		}
		most = max(most, got-want)
	}
	t.Logf("displacement over shapely's (vertices only): at most %.2f m", most)
}

func sourceAreas(t *testing.T, b []byte) []coverage.Area {
	t.Helper()
	ds, err := mapdata.LoadBoundaries(bytes.NewReader(b), mapdata.Serang(), mapdata.BoundaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]coverage.Area, len(ds))
	for i, d := range ds {
		out[i] = coverage.Area{Code: d.Kelurahan.Code, Shape: d.Shape}
	}
	return out
}

// near: within 0.1% (or 1 m²).
func near(a, b float64) bool { return math.Abs(a-b) <= math.Max(1, 0.001*b) }
