package mapdatatest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"siaga112/tracking/trackingtest"
)

// coverageScript judges a layer with shapely (GEOS, Debian's
// python3-shapely): an independent validator, not this project's code.
//
//go:embed coverage.py
var coverageScript string

// Layer is what coverage.py found in one layer (areas in m², over 1 m²).
type Layer struct {
	N           int       `json:"n"`
	Invalid     []string  `json:"invalid"`
	Gaps        []float64 `json:"gaps"`
	Overlaps    [][3]any  `json:"overlaps"` // code, code, m²
	NotDissolve [][2]any  `json:"not_dissolve"`
}

// CoverageReport is coverage.py's answer.
type CoverageReport struct {
	Kelurahan Layer    `json:"kelurahan"`
	Kecamatan *Layer   `json:"kecamatan"`
	OutlineM2 *float64 `json:"outline_m2"`
	City      *Layer   `json:"city"`
	CityM2    *float64 `json:"city_m2"`
}

// Problems lists what keeps the layer from being a clean coverage.
func (l Layer) Problems(name string) []string {
	var out []string
	if len(l.Invalid) > 0 {
		out = append(out, fmt.Sprintf("%s: %d invalid polygons: %v", name, len(l.Invalid), l.Invalid))
	}
	if len(l.Gaps) > 0 {
		total, largest := 0.0, 0.0
		for _, g := range l.Gaps {
			total += g
			largest = max(largest, g)
		}
		out = append(out, fmt.Sprintf("%s: %d gaps over 1 m² (%.0f m² in all, the largest %.0f m²)", name, len(l.Gaps), total, largest))
	}
	if len(l.Overlaps) > 0 {
		total := 0.0
		for _, o := range l.Overlaps {
			total += o[2].(float64)
		}
		out = append(out, fmt.Sprintf("%s: %d overlapping pairs over 1 m² (%.0f m²), e.g. %v", name, len(l.Overlaps), total, l.Overlaps[0]))
	}
	if len(l.NotDissolve) > 0 {
		out = append(out, fmt.Sprintf("%s: %d differ from the union of their kelurahan by over 1 m²: %v", name, len(l.NotDissolve), l.NotDissolve))
	}
	return out
}

// Coverage runs coverage.py on a kelurahan layer and the layers above it
// (kecamatan, then the city; GeoJSON FeatureCollections). It needs shapely
// (trackingtest.PythonWith).
func Coverage(tb testing.TB, kelurahan []byte, above ...[]byte) CoverageReport {
	tb.Helper()
	py := trackingtest.PythonWith(tb, "shapely") // the independent validator
	dir := tb.TempDir()
	args := []string{"-c", coverageScript}
	for i, b := range append([][]byte{kelurahan}, above...) {
		path := filepath.Join(dir, fmt.Sprintf("layer%d.geojson", i))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			tb.Fatal(err)
		}
		args = append(args, path)
	}
	out, err := exec.Command(py, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		tb.Fatalf("coverage.py: %v\n%s", err, stderr)
	}
	var r CoverageReport
	if err := json.Unmarshal(out, &r); err != nil {
		tb.Fatalf("coverage.py answered %q: %v", out, err)
	}
	return r
}

// Problems lists what keeps the layers from being one clean coverage: each
// layer's own, and outlines that differ by over 1 m².
func (r CoverageReport) Problems() []string {
	out := r.Kelurahan.Problems("kelurahan")
	if r.Kecamatan != nil {
		out = append(out, r.Kecamatan.Problems("kecamatan")...)
	}
	if r.City != nil {
		out = append(out, r.City.Problems("city")...)
	}
	if r.OutlineM2 != nil && *r.OutlineM2 > 1 {
		out = append(out, fmt.Sprintf("the kecamatan cover %.0f m² more or less than the kelurahan", *r.OutlineM2))
	}
	if r.CityM2 != nil && *r.CityM2 > 1 {
		out = append(out, fmt.Sprintf("the city outline and the kelurahan differ by %.0f m²", *r.CityM2))
	}
	return out
}
