package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

var t0 = time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)

func newTestServer(t *testing.T, checks map[string]Check) (*httptest.Server, *fleet.Index) {
	t.Helper()
	ix := fleet.New(fleet.Config{Now: func() time.Time { return t0.Add(10 * time.Second) }})
	s, err := New(Config{Fleet: indexOnly{ix}, Checks: checks})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, ix
}

func do(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer not-checked-yet")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestPutUnit(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	tests := []struct {
		name     string
		id, body string
		status   int
		errWords string // words the error sentence must hold
	}{
		{"register", "AMB-01", `{"type":"ambulance","agency":"dinkes","callsign":"Ambulans 1"}`, 201, ""},
		{"update", "AMB-01", `{"type":"ambulance","agency":"dinkes","callsign":"Ambulans Satu"}`, 200, ""},
		{"unknown type", "X-01", `{"type":"tank","agency":"tni"}`, 400, `unknown unit type "tank"`},
		{"missing type", "X-01", `{"agency":"tni"}`, 400, `"type" is required`},
		{"unknown field", "X-01", `{"type":"police","agency":"polres","colour":"blue"}`, 400, `unknown field "colour"`},
		{"wrong field type", "X-01", `{"type":5,"agency":"polres"}`, 400, `"type" must be a string`},
		{"not JSON", "X-01", `{type:police}`, 400, "not valid JSON"},
		{"empty body", "X-01", ``, 400, "empty"},
		{"two objects", "X-01", `{"type":"police","agency":"polres"}{}`, 400, "more than one"},
		{"bad id", "a+b", `{"type":"police","agency":"polres"}`, 400, "unit id"},
		{"missing agency", "X-01", `{"type":"police"}`, 400, "agency is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := do(t, "PUT", ts.URL+"/api/units/"+tt.id, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if tt.errWords != "" {
				var e errorBody
				if json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, tt.errWords) {
					t.Fatalf("error body %s does not say %q", body, tt.errWords)
				}
			}
		})
	}
}

func TestUnitsGolden(t *testing.T) {
	ts, ix := newTestServer(t, nil)
	for _, r := range []tracking.Registration{
		{ID: "AMB-01", Callsign: "Ambulans 1", Type: tracking.Ambulance, Agency: "dinkes"},
		{ID: "DMK-01", Type: tracking.FireTruck, Agency: "damkar"},
		{ID: "POL-01", Type: tracking.Police, Agency: "polres"},
	} {
		if _, _, err := ix.Register(r); err != nil {
			t.Fatal(err)
		}
	}
	ix.ApplyFix("AMB-01", tracking.Position{Lon: 106.1529, Lat: -6.118, At: t0, SpeedKmh: tracking.Some(42), Heading: tracking.Some(90), AccuracyM: tracking.Some(8), Battery: 80})
	ix.ApplyFix("DMK-01", tracking.Position{Lon: 106.16, Lat: -6.1065, At: t0, Battery: -1})
	ix.SetStatus("DMK-01", tracking.EnRoute, t0)
	status, body := do(t, "GET", ts.URL+"/api/units", "")
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	golden(t, "units.geojson", body)

	status, body = do(t, "GET", ts.URL+"/api/units/AMB-01", "")
	if status != 200 || !bytes.Contains(body, []byte(`"id":"AMB-01"`)) {
		t.Fatalf("get one: %d %s", status, body)
	}
	status, body = do(t, "GET", ts.URL+"/api/units/NOPE", "")
	if status != 404 || !bytes.Contains(body, []byte(`"error":"unit \"NOPE\" is not registered"`)) {
		t.Fatalf("get unknown: %d %s", status, body)
	}
}

// golden compares got with testdata/name, after indenting; -update rewrites.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("not JSON: %v: %s", err, got)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("%s differs from the golden file:\n%s", name, buf.Bytes())
	}
}

func TestHealthAndMetrics(t *testing.T) {
	var mqttErr error
	ts, _ := newTestServer(t, map[string]Check{"mqtt": func() error { return mqttErr }})
	status, body := do(t, "GET", ts.URL+"/healthz", "")
	if status != 200 || !bytes.Contains(body, []byte(`"status":"ok"`)) {
		t.Fatalf("healthy: %d %s", status, body)
	}
	mqttErr = errors.New("not connected to the MQTT broker")
	status, body = do(t, "GET", ts.URL+"/healthz", "")
	if status != 503 || !bytes.Contains(body, []byte(`not connected`)) {
		t.Fatalf("degraded: %d %s", status, body)
	}
	status, body = do(t, "GET", ts.URL+"/metrics", "")
	if status != 200 || !bytes.Contains(body, []byte(`siaga112_units{liveness="offline"} 0`)) {
		t.Fatalf("metrics: %d %s", status, body)
	}
	status, body = do(t, "GET", ts.URL+"/api/nothing", "")
	if status != 404 || !bytes.Contains(body, []byte(`"error"`)) {
		t.Fatalf("unknown route: %d %s", status, body)
	}
	status, _ = do(t, "POST", ts.URL+"/api/units/A1", "")
	if status != 405 {
		t.Fatalf("wrong method: %d", status)
	}
}

func TestErrorTableCoversEveryCode(t *testing.T) {
	for _, c := range []tracking.Code{tracking.CodeInvalid, tracking.CodeNotFound, tracking.CodeConflict, tracking.CodeOutsideArea, tracking.CodeForbidden} {
		if _, ok := statusByCode[c]; !ok {
			t.Errorf("code %q has no HTTP status", c)
		}
	}
}

// indexOnly serves a bare fleet index to the web layer, for the tests of
// the web layer alone (the whole server is built by tracking/app: Stack).
type indexOnly struct{ *fleet.Index }

func (f indexOnly) Register(_ context.Context, r tracking.Registration, _ string) (tracking.Unit, bool, error) {
	return f.Index.Register(r)
}

func (f indexOnly) SetUnitStatus(_ context.Context, id string, st tracking.Status, _ string) (tracking.Unit, error) {
	if _, err := f.Index.SetStatus(id, st, time.Now()); err != nil {
		return tracking.Unit{}, err
	}
	return f.Get(id)
}

func (f indexOnly) IssueDeviceSecret(_ context.Context, id, _ string) (string, error) {
	secret, hash, err := tracking.NewSecret()
	if err != nil {
		return "", err
	}
	return secret, f.SetSecret(id, hash)
}

func (f indexOnly) SetTrackers(_ context.Context, id string, t tracking.TrackerSettings, _ string) (tracking.Unit, error) {
	u, err := f.Get(id)
	if err != nil {
		return u, err
	}
	if t.TrackerID != nil {
		u.TrackerID = *t.TrackerID
	}
	if t.OwnTracksSecret != nil {
		u.OwnTracksSecret = *t.OwnTracksSecret
	}
	return u, f.SetTracker(id, u.TrackerID, u.OwnTracksSecret)
}

func (f indexOnly) UnitByTrackerID(trackerID string) (string, bool) {
	for _, u := range f.List() {
		if trackerID != "" && u.TrackerID == trackerID {
			return u.ID, true
		}
	}
	return "", false
}
