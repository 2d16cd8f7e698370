package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/tracking"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/trackingtest"
)

// The synthetic town of geo/roads (geo/roads/testdata/town.py).
const townDir = "../../geo/roads/testdata"

// townPoint is the town's node at x, y metres from its corner, or a named
// place ("far").
func townPoint(t *testing.T, key string) orb.Point {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(townDir, "town.json"))
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
	if n, ok := doc.Nodes[key]; ok {
		return orb.Point{n[1], n[2]}
	}
	if p, ok := doc.Places[key]; ok {
		return orb.Point(p)
	}
	t.Fatalf("no place %q in the town", key)
	return orb.Point{}
}

// townFleet registers four ambulances and places them over MQTT: north of
// the river (near in a straight line, far by road), south of it, far from
// every road, and on a street no road joins.
func townFleet(t *testing.T, base, mqttAddr string) map[string]orb.Point {
	t.Helper()
	units := map[string]orb.Point{
		"AMB-N": townPoint(t, "1000,1600"), "AMB-S": townPoint(t, "1000,0"),
		"AMB-F": townPoint(t, "far"), "AMB-I": townPoint(t, "2750,500"),
	}
	pub, err := mqtt.NewPublisher(mqtt.PublisherConfig{URL: "tcp://" + mqttAddr, ClientID: "town-" + t.Name(), QoS: 1, Username: "admin", Password: testToken})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	now := time.Now()
	for id, p := range units {
		if code, body := call(t, "PUT", base+"/api/units/"+id, `{"type":"ambulance","agency":"dinkes"}`); code != 201 {
			t.Fatalf("register %s: %d %v", id, code, body)
		}
		if err := pub.PublishFix("dinkes", id, tracking.Position{Lon: p[0], Lat: p[1], At: now, Battery: -1}); err != nil {
			t.Fatal(err)
		}
	}
	for id := range units {
		waitFor(t, id+" live", func() bool {
			_, u := call(t, "GET", base+"/api/units/"+id, "")
			p, _ := u["properties"].(map[string]any)
			return p != nil && p["liveness"] == "live"
		})
	}
	return units
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v in %s", url, err, b)
		}
	}
	return resp.StatusCode
}

type row struct {
	UnitID   string          `json:"unit_id"`
	RouteM   float64         `json:"route_m"`
	ETA      float64         `json:"eta_s"`
	EtaModel string          `json:"eta_model"`
	Route    json.RawMessage `json:"route"`
}

func order(rows []row) string {
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.UnitID+"/"+r.EtaModel)
	}
	return strings.Join(ids, " ")
}

// Through the binary: units placed by MQTT, nearest in JSON, GeoJSON and
// with routes, an incident with routes, isochrones, all checked with
// shapely; and the same fleet without --osm, every row detour.
func TestRoadsThroughTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	trackingtest.PythonWith(t, "shapely") // checks the routes
	incident := townPoint(t, "1000,1000") // the south bank
	near := fmt.Sprintf("lat=%.7f&lon=%.7f&type=ambulance", incident[1], incident[0])
	tests := []struct {
		name  string
		osm   bool
		order string
	}{
		{"with --osm", true, "AMB-S/road AMB-I/detour AMB-N/road AMB-F/detour"},
		{"without --osm", false, "AMB-N/detour AMB-S/detour AMB-I/detour AMB-F/detour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			args := []string{"--http", cfg.HTTP, "--mqtt-listen", cfg.MQTTListen, "--osmand-listen", ""}
			if tt.osm {
				args = append(args, "--osm", filepath.Join(townDir, "town.osm.pbf"))
			}
			startBinary(t, args...)
			base := "http://" + cfg.HTTP
			units := townFleet(t, base, cfg.MQTTListen)

			var rows []row
			if code := getJSON(t, base+"/api/units/nearest?"+near, &rows); code != 200 || order(rows) != tt.order {
				t.Fatalf("nearest: %d %s, want %s", code, order(rows), tt.order)
			}
			var fc struct {
				Features []struct {
					Geometry   map[string]any `json:"geometry"`
					Properties row            `json:"properties"`
				} `json:"features"`
			}
			if getJSON(t, base+"/api/units/nearest?format=geojson&"+near, &fc); len(fc.Features) != 4 ||
				fc.Features[0].Properties.EtaModel != strings.Split(strings.Split(tt.order, " ")[0], "/")[1] || fc.Features[0].Geometry["type"] != "Point" {
				t.Fatalf("nearest GeoJSON: %+v", fc)
			}
			if getJSON(t, base+"/api/units/nearest?route=1&format=geojson&"+near, &fc); fc.Features[0].Geometry["type"] != "LineString" {
				t.Fatalf("?route=1&format=geojson: geometry %v", fc.Features[0].Geometry)
			}
			if code := getJSON(t, base+"/api/units/nearest?route=maybe&"+near, &rows); code != 400 {
				t.Fatalf("?route=maybe: %d, want 400", code)
			}
			getJSON(t, base+"/api/units/nearest?route=true&"+near, &rows)
			var check struct {
				OSM        string           `json:"osm"`
				Routes     []map[string]any `json:"routes"`
				Isochrones json.RawMessage  `json:"isochrones"`
				Inside     []orb.Point      `json:"inside"`
				Outside    []orb.Point      `json:"outside"`
			}
			check.OSM = filepath.Join(townDir, "town.osm")
			for _, r := range rows {
				var line map[string]any
				json.Unmarshal(r.Route, &line)
				check.Routes = append(check.Routes, map[string]any{"name": "nearest " + r.UnitID, "route": line, "route_m": r.RouteM, "eta_model": r.EtaModel})
			}

			code, in := call(t, "POST", base+"/api/incidents?route=1", fmt.Sprintf(`{"category":"medical","lat":%.7f,"lon":%.7f,"caller":"0812-3333-4444","description":"jatuh"}`, incident[1], incident[0]))
			if code != 201 {
				t.Fatalf("create: %d %v", code, in)
			}
			recs := in["recommendations"].([]any)
			if len(recs) != 4 {
				t.Fatalf("recommendations %v", recs)
			}
			for _, x := range recs {
				r := x.(map[string]any)
				if r["route"] == nil {
					t.Fatalf("recommendation without a route: %v", r)
				}
				check.Routes = append(check.Routes, map[string]any{"name": "incident " + r["unit_id"].(string), "route": r["route"], "route_m": r["route_m"], "eta_model": r["eta_model"]})
			}
			if code, _ := call(t, "POST", base+"/api/incidents?route=2", `{}`); code != 400 {
				t.Fatalf("POST ?route=2: %d, want 400", code)
			}

			resp, err := get(base + "/api/coverage/isochrones?type=ambulance&minutes=1,2,4")
			if err != nil {
				t.Fatal(err)
			}
			check.Isochrones, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/geo+json" {
				t.Fatalf("isochrones: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), check.Isochrones)
			}
			var iso struct {
				Features []struct {
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			json.Unmarshal(check.Isochrones, &iso)
			wantModel := map[bool]string{true: "road+detour", false: "detour"}[tt.osm]
			if len(iso.Features) != 3 || iso.Features[0].Properties["units"] != 4.0 || iso.Features[0].Properties["eta_model"] != wantModel {
				t.Fatalf("isochrones %s", check.Isochrones)
			}
			for _, id := range []string{"AMB-N", "AMB-S", "AMB-F", "AMB-I"} {
				check.Inside = append(check.Inside, units[id])
			}
			if tt.osm {
				check.Outside = append(check.Outside, townPoint(t, "river")) // 300 m from two reached banks, 2.6 km by road
			}
			for _, q := range []string{"type=tank&minutes=3", "type=ambulance&minutes=0", "type=ambulance&minutes=1,2,3,4,5,6,7", "type=ambulance&minutes=x", "type=ambulance"} {
				if code := getJSON(t, base+"/api/coverage/isochrones?"+q, &iso); code != 400 {
					t.Errorf("isochrones?%s: %d, want 400", q, code)
				}
			}
			doc, _ := json.Marshal(check)
			cmd := exec.CommandContext(context.Background(), "/usr/bin/python3", filepath.Join(townDir, "check.py"))
			cmd.Stdin = bytes.NewReader(doc)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("check.py: %v %s", err, stderr.String())
			}
			var res struct{ Errors []string }
			json.Unmarshal(out, &res)
			for _, e := range res.Errors {
				t.Error(e)
			}
		})
	}
}

// Refused extracts: the binary exits non-zero within 10 s, without a
// panic, with a sentence on stderr naming the file and the reason.
func TestRefusedExtracts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	pbf, err := os.ReadFile(filepath.Join(townDir, "town.osm.pbf"))
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.osm.pbf")
	os.WriteFile(truncated, pbf[:len(pbf)*2/3], 0o644)
	tests := []struct{ name, file, reason string }{
		{"missing", filepath.Join(dir, "serang.osm.pbf"), "does not exist"},
		{"text named .osm", filepath.Join(townDir, "town.osm"), "not a PBF"},
		{"truncated", truncated, "truncated"},
		{"footways only", filepath.Join(townDir, "footways.osm.pbf"), "no drivable ways"},
		{"a town elsewhere in Java", filepath.Join(townDir, "elsewhere.osm.pbf"), "near the city"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary(t), "--http", cfg.HTTP, "--mqtt-listen", cfg.MQTTListen, "--osmand-listen", "", "--osm", tt.file)
			cmd.Env = append(os.Environ(), "SIAGA112_ADMIN_TOKEN="+testToken)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatal("still running after 10 s")
			}
			msg := stderr.String()
			if err == nil || strings.Contains(msg, "panic") || !strings.Contains(msg, tt.file) || !strings.Contains(msg, tt.reason) {
				t.Fatalf("exit %v; stderr %s; want a sentence naming %s and %q", err, msg, tt.file, tt.reason)
			}
		})
	}
}
