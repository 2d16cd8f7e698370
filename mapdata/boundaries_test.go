package mapdata

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"siaga112/mapdata/mapdatatest"
)

// synthetic builds a boundary file with a small square around every
// kelurahan's point (no official polygon is copied), then lets mutate change
// it before it is encoded.
func synthetic(t testing.TB, mutate func(features []map[string]any)) []byte {
	t.Helper()
	var features []map[string]any
	for _, k := range Serang().Kelurahan {
		x, y, d := k.Point[0], k.Point[1], 0.001
		ring := [][]float64{{x - d, y - d}, {x + d, y - d}, {x + d, y + d}, {x - d, y + d}, {x - d, y - d}}
		features = append(features, map[string]any{
			"type":       "Feature",
			"properties": map[string]any{"code": k.Code, "name": k.Name},
			"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][]float64{ring}},
		})
	}
	if mutate != nil {
		mutate(features)
	}
	b, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": features})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func setRing(f map[string]any, ring [][]float64) {
	f["geometry"] = map[string]any{"type": "Polygon", "coordinates": [][][]float64{ring}}
}

func TestLoadBoundaries(t *testing.T) {
	g := Serang()
	p0 := g.Kelurahan[0].Point
	tests := []struct {
		name   string
		file   []byte
		opt    BoundaryOptions
		errHas []string // all must appear in the error; none: success
	}{
		{name: "sound file", file: synthetic(t, nil)},
		{name: "configured property names", opt: BoundaryOptions{CodeProperty: "KODE", NameProperty: "NAMA"}, file: synthetic(t, func(fs []map[string]any) {
			for _, f := range fs {
				p := f["properties"].(map[string]any)
				f["properties"] = map[string]any{"KODE": p["code"], "NAMA": p["name"]}
			}
		})},
		{name: "MultiPolygon", file: synthetic(t, func(fs []map[string]any) {
			geom := fs[3]["geometry"].(map[string]any)
			fs[3]["geometry"] = map[string]any{"type": "MultiPolygon", "coordinates": []any{geom["coordinates"]}}
		})},
		{name: "repeated positions are harmless", file: synthetic(t, func(fs []map[string]any) {
			x, y, d := p0[0], p0[1], 0.001
			setRing(fs[0], [][]float64{{x - d, y - d}, {x + d, y - d}, {x + d, y - d}, {x + d, y + d}, {x - d, y + d}, {x - d, y - d}})
		})},
		{name: "missing code", file: synthetic(t, func(fs []map[string]any) { delete(fs[4]["properties"].(map[string]any), "code") }),
			errHas: []string{"feature 5", `"code"`, "missing"}},
		{name: "missing name", file: synthetic(t, func(fs []map[string]any) { delete(fs[4]["properties"].(map[string]any), "name") }),
			errHas: []string{"feature 5 (36.73.", `"name"`, "missing"}},
		{name: "unknown code", file: synthetic(t, func(fs []map[string]any) { fs[2]["properties"].(map[string]any)["code"] = "36.73.09.9999" }),
			errHas: []string{"feature 3 (36.73.09.9999", "not a kelurahan code"}},
		{name: "kecamatan code is not a kelurahan", file: synthetic(t, func(fs []map[string]any) { fs[2]["properties"].(map[string]any)["code"] = "36.73.01" }),
			errHas: []string{"feature 3", "not a kelurahan code"}},
		{name: "duplicate code", file: synthetic(t, func(fs []map[string]any) {
			fs[1]["properties"].(map[string]any)["code"] = fs[0]["properties"].(map[string]any)["code"]
		}), errHas: []string{"feature 2", "already given to feature 1"}},
		{name: "ring not closed", file: synthetic(t, func(fs []map[string]any) {
			setRing(fs[0], [][]float64{{p0[0], p0[1]}, {p0[0] + 0.001, p0[1]}, {p0[0], p0[1] + 0.001}, {p0[0] - 0.001, p0[1] + 0.0005}})
		}), errHas: []string{"feature 1 (" + g.Kelurahan[0].Code + " " + g.Kelurahan[0].Name + ")", "not closed"}},
		{name: "too few positions", file: synthetic(t, func(fs []map[string]any) {
			setRing(fs[0], [][]float64{{p0[0], p0[1]}, {p0[0] + 0.001, p0[1]}, {p0[0], p0[1]}})
		}), errHas: []string{"feature 1", "at least 4 positions"}},
		{name: "bow tie", file: synthetic(t, func(fs []map[string]any) {
			x, y := p0[0], p0[1]
			setRing(fs[0], [][]float64{{x - 0.001, y - 0.001}, {x + 0.001, y + 0.001}, {x + 0.001, y - 0.001}, {x - 0.001, y + 0.001}, {x - 0.001, y - 0.001}})
		}), errHas: []string{"feature 1", "crosses itself"}},
		{name: "lat, lon order", file: synthetic(t, func(fs []map[string]any) {
			x, y, d := p0[1], p0[0], 0.001 // swapped
			setRing(fs[0], [][]float64{{x - d, y - d}, {x + d, y - d}, {x + d, y + d}, {x - d, y + d}, {x - d, y - d}})
		}), errHas: []string{"feature 1", "[lat, lon] order"}},
		{name: "right shape, wrong code", file: synthetic(t, func(fs []map[string]any) {
			a, b := fs[0]["properties"].(map[string]any), fs[40]["properties"].(map[string]any)
			a["code"], b["code"] = b["code"], a["code"]
			a["name"], b["name"] = b["name"], a["name"]
		}), errHas: []string{"feature 1", "feature 41", "far from where"}},
		{name: "a point is no boundary", file: synthetic(t, func(fs []map[string]any) {
			fs[6]["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{p0[0], p0[1]}}
		}), errHas: []string{"feature 7", "Point", "Polygon or MultiPolygon"}},
		{name: "no geometry", file: synthetic(t, func(fs []map[string]any) { fs[6]["geometry"] = nil }),
			errHas: []string{"feature 7", "no geometry"}},
		{name: "half a map", file: synthetic(t, func(fs []map[string]any) {
			for i := 30; i < len(fs); i++ {
				fs[i]["properties"].(map[string]any)["code"] = "36.73.01.1001"
			}
		}), errHas: []string{"already given"}},
		{name: "kelurahan missing", file: func() []byte {
			b := synthetic(t, nil)
			var fc map[string]any
			json.Unmarshal(b, &fc)
			fc["features"] = fc["features"].([]any)[:66]
			b, _ = json.Marshal(fc)
			return b
		}(), errHas: []string{"covers 66 of Kota Serang's 67", "missing: " + g.Kelurahan[66].Code}},
		{name: "not a FeatureCollection", file: []byte(`{"type":"Feature","geometry":null,"properties":{}}`), errHas: []string{"FeatureCollection"}},
		{name: "not JSON", file: []byte(`<kml/>`), errHas: []string{"not JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := LoadBoundaries(bytes.NewReader(tt.file), g, tt.opt)
			if len(tt.errHas) == 0 {
				if err != nil || len(ds) != 67 {
					t.Fatalf("%d districts, err %v", len(ds), err)
				}
				return
			}
			if err == nil || ds != nil {
				t.Fatalf("accepted (%d districts); want an error with %q", len(ds), tt.errHas)
			}
			for _, w := range tt.errHas {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestLoadOfficialBoundaries(t *testing.T) {
	b, err := os.ReadFile(mapdatatest.File(t, "kelurahan.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := LoadBoundaries(bytes.NewReader(b), Serang(), BoundaryOptions{})
	if err != nil || len(ds) != 67 {
		t.Fatalf("%d districts, %v", len(ds), err)
	}
}

// FuzzLoadBoundaries: any file is loaded whole or refused with an error;
// never a panic, never a partial map.
func FuzzLoadBoundaries(f *testing.F) {
	f.Add(synthetic(f, nil))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"36.73.01.1001","name":"Serang"},"geometry":{"type":"Polygon","coordinates":[[[106.1,-6.1],[106.2,-6.1],[106.2,-6.2],[106.1,-6.1]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":5},"geometry":{"type":"MultiPolygon","coordinates":[[[[1,2],[3,4]]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[null]}`))
	g := Serang()
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := LoadBoundaries(bytes.NewReader(b), g, BoundaryOptions{})
		if err == nil && len(ds) != len(g.Kelurahan) {
			t.Fatalf("accepted a map of %d kelurahan", len(ds))
		}
		if err != nil && ds != nil {
			t.Fatal("returned districts with an error")
		}
	})
}
