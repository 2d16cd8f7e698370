package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
)

func getJSON(t *testing.T, url string, v any) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v\n%s", url, err, b)
		}
	}
	return res, string(b)
}

// A unit's track, from the in-memory ring (no database): GeoJSON with its
// own media type, a LineString then the fixes with their readings, absent
// ones null; the window is honoured and checked.
func TestTrackFromMemory(t *testing.T) {
	s := newStack(t, "")
	ctx := context.Background()
	if _, _, err := s.units.Register(ctx, tracking.Registration{ID: "AMB-TR", Type: tracking.Ambulance, Agency: "dinkes"}, "admin"); err != nil {
		t.Fatal(err)
	}
	t0 := s.clk.Now()
	for i := range 5 {
		s.clk.Add(t0.Add(time.Duration(i) * time.Minute).Sub(s.clk.Now())) // a fix is never ahead of the clock
		s.units.ApplyFix("AMB-TR", tracking.Position{Lon: 106.15 + float64(i)*0.001, Lat: -6.12, At: t0.Add(time.Duration(i) * time.Minute),
			SpeedKmh: tracking.Some(40), Heading: tracking.Some(90), AccuracyM: accuracyOf(i), Battery: -1})
	}
	from, to := t0.Add(time.Minute).Format(time.RFC3339), t0.Add(4*time.Minute).Format(time.RFC3339)
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	res, body := getJSON(t, s.url+"/api/units/AMB-TR/track?from="+from+"&to="+to, &fc)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("%d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 4 || fc.Features[0].Geometry.Type != "LineString" {
		t.Fatalf("want a LineString and 3 fixes (minutes 1–3; to is exclusive): %s", body)
	}
	first := fc.Features[1].Properties
	if first["at"] != t0.Add(time.Minute).UTC().Format(time.RFC3339Nano) || first["speed_kmh"] != 40.0 || first["heading"] != 90.0 || first["accuracy_m"] != 1.0 {
		t.Fatalf("first fix %v", first)
	}
	var one struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	getJSON(t, s.url+"/api/units/AMB-TR/track?from="+t0.Format(time.RFC3339)+"&to="+t0.Add(time.Second).Format(time.RFC3339), &one)
	if len(one.Features) != 1 || one.Features[0].Properties["accuracy_m"] != nil {
		t.Fatalf("one fix, no line, unknown accuracy null: %+v", one)
	}
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"unknown unit", "/api/units/NOPE/track", 404},
		{"bad from", "/api/units/AMB-TR/track?from=yesterday", 400},
		{"from after to", "/api/units/AMB-TR/track?from=" + to + "&to=" + from, 400},
		{"markup in time", "/api/units/AMB-TR/track?to=%3Cscript%3E", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := getJSON(t, s.url+tc.path, nil)
			if res.StatusCode != tc.status || !strings.Contains(body, `"error"`) {
				t.Fatalf("%d %s, want %d", res.StatusCode, body, tc.status)
			}
		})
	}
}

// Geofences through the API: added (all or none), listed as GeoJSON,
// deleted; a fix inside one makes a region event the unit's history shows.
func TestGeofencesAPI(t *testing.T) {
	s := newStack(t, "")
	post := func(body string) (*http.Response, string) {
		res, err := http.Post(s.url+"/api/geofences", "application/geo+json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	good := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"rs-a","properties":{"name":"RS A","kind":"hospital","radius_m":80},"geometry":{"type":"Point","coordinates":[106.16,-6.11]}}]}`
	if res, body := post(good); res.StatusCode != 201 || res.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	bad := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"rs-b","properties":{"name":"RS B","kind":"hospital","radius_m":80},"geometry":{"type":"Point","coordinates":[106.17,-6.11]}},
		{"type":"Feature","id":"x","properties":{"name":"bowtie","kind":"other"},"geometry":{"type":"Polygon","coordinates":[[[106,-6],[106.1,-6.1],[106.1,-6],[106,-6.1],[106,-6]]]}}]}`
	if res, body := post(bad); res.StatusCode != 400 {
		t.Fatalf("a file with an invalid polygon: %d %s, want 400", res.StatusCode, body)
	}
	var fc struct {
		Features []struct {
			ID string `json:"id"`
		} `json:"features"`
	}
	getJSON(t, s.url+"/api/geofences", &fc)
	if len(fc.Features) != 1 || fc.Features[0].ID != "rs-a" {
		t.Fatalf("fences %+v: want rs-a alone (the bad file added nothing)", fc)
	}
	s.units.Register(context.Background(), tracking.Registration{ID: "AMB-GF", Type: tracking.Ambulance, Agency: "dinkes"}, "admin")
	s.units.ApplyFix("AMB-GF", tracking.Position{Lon: 106.16, Lat: -6.11, At: s.clk.Now(), Battery: -1})
	var evs struct {
		Events []map[string]any `json:"events"`
	}
	getJSON(t, s.url+"/api/units/AMB-GF/events", &evs)
	if len(evs.Events) != 1 || evs.Events[0]["kind"] != "enter" || evs.Events[0]["region_id"] != "rs-a" || evs.Events[0]["trigger"] != "geofence" {
		t.Fatalf("region events %+v", evs)
	}
	req, _ := http.NewRequest("DELETE", s.url+"/api/geofences/rs-a", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 204 {
		t.Fatalf("delete: %v %v", res, err)
	}
	res, _ = http.DefaultClient.Do(req)
	if res.StatusCode != 404 {
		t.Fatalf("delete again: %d, want 404", res.StatusCode)
	}
}

// Only an admin changes geofences; dispatchers and planners read them.
func TestGeofencesRoles(t *testing.T) {
	base, acc := authServer(t)
	fence := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"rs-r","properties":{"name":"RS R","kind":"hospital","radius_m":80},"geometry":{"type":"Point","coordinates":[106.16,-6.11]}}]}`
	for _, tc := range []struct {
		name, method, path, body string
		role                     tracking.Role
		status                   int
	}{
		{"dispatcher reads", "GET", "/api/geofences", "", tracking.RoleDispatcher, 200},
		{"planner reads", "GET", "/api/geofences", "", tracking.RolePlanner, 200},
		{"dispatcher may not add", "POST", "/api/geofences", fence, tracking.RoleDispatcher, 403},
		{"planner may not delete", "DELETE", "/api/geofences/rs-r", "", tracking.RolePlanner, 403},
		{"admin adds", "POST", "/api/geofences", fence, tracking.RoleAdmin, 201},
		{"admin deletes", "DELETE", "/api/geofences/rs-r", "", tracking.RoleAdmin, 204},
		{"anonymous", "GET", "/api/geofences", "", "", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := ""
			if tc.role != "" {
				tok = issue(t, acc, "t-"+string(tc.role), tc.role)
			}
			res, body := send(t, tc.method, base+tc.path, tc.body, tok, nil, nil)
			if res.StatusCode != tc.status {
				t.Fatalf("%d %s, want %d", res.StatusCode, body, tc.status)
			}
		})
	}
}

// accuracyOf: the first fix has no accuracy, the others i metres.
func accuracyOf(i int) tracking.Optional {
	if i == 0 {
		return tracking.Optional{}
	}
	return tracking.Some(float64(i))
}
