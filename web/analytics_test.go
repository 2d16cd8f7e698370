package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

func analyticsServer(t *testing.T) (string, *fleet.Index) {
	t.Helper()
	st := newStack(t, "")
	return st.url, st.fleet
}

func postCSV(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "text/csv", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

const historyCSV = `id,category,lat,lon,received_at,dispatched_at,on_scene_at,closed_at
h1,fire,-6.110699,106.177791,2025-03-01T08:00:00+07:00,2025-03-01T08:01:00+07:00,2025-03-01T08:10:00+07:00,2025-03-01T09:00:00+07:00
h2,fire,-6.110699,106.177791,2025-03-02T08:00:00+07:00,2025-03-02T08:01:00+07:00,2025-03-02T08:20:00+07:00,
h3,medical,-6.059083,106.185147,2025-03-03T08:00:00+07:00,2025-03-03T08:02:00+07:00,,
`

func TestHistoryImportAndResponseTimes(t *testing.T) {
	base, _ := analyticsServer(t)
	code, v := postCSV(t, base+"/api/history/incidents", historyCSV+"bad,ufo,-6.1,106.1,2025-03-03T08:00:00Z,,,\n")
	if code != 400 || v["bad_rows"] != 1.0 || !strings.Contains(v["error"].(string), "nothing was imported") {
		t.Fatalf("bad file: %d %v", code, v)
	}
	rows := v["rows"].([]any)
	if rows[0].(map[string]any)["row"] != 5.0 {
		t.Fatalf("row numbers: %v", rows)
	}
	if code, v = postCSV(t, base+"/api/history/incidents", historyCSV); code != 200 || v["imported"] != 3.0 {
		t.Fatalf("import: %d %v", code, v)
	}
	if code, v = postCSV(t, base+"/api/history/incidents", historyCSV); code != 200 || v["imported"] != 0.0 || v["unchanged"] != 3.0 {
		t.Fatalf("re-import: %d %v", code, v)
	}

	status, body := do(t, "GET", base+"/api/analytics/response-times?by=kecamatan", "")
	var fc struct {
		Features []struct {
			Geometry   struct{ Type string } `json:"geometry"`
			Properties map[string]any        `json:"properties"`
		} `json:"features"`
		Method   string  `json:"percentile_method"`
		Excluded float64 `json:"excluded_missing_stamps"`
	}
	if status != 200 || json.Unmarshal(body, &fc) != nil || len(fc.Features) != 6 || fc.Method != "nearest-rank" || fc.Excluded != 1 {
		t.Fatalf("by kecamatan: %d %s", status, body)
	}
	for _, f := range fc.Features {
		if f.Properties["code"] == "36.73.01" && (f.Properties["count"] != 2.0 || f.Properties["p50_s"] != 600.0 || f.Properties["p90_s"] != 1200.0) {
			t.Fatalf("Serang: %v", f.Properties)
		}
	}
	status, body = do(t, "GET", base+"/api/analytics/response-times?by=h3&res=9&category=fire&from=2025-03-02", "")
	if status != 200 || !strings.Contains(string(body), `"Polygon"`) || !strings.Contains(string(body), `"count":1`) {
		t.Fatalf("h3: %d %s", status, body)
	}
	status, body = do(t, "GET", base+"/api/analytics/response-times?by=kelurahan&format=csv", "")
	if status != 200 || !strings.HasPrefix(string(body), "code,name,count,p50_s,p90_s\n") || !strings.Contains(string(body), "36.73.01.1010,Kaligandu,2,600,1200") {
		t.Fatalf("csv: %d %s", status, body)
	}
	for _, q := range []string{"by=provinsi", "segment=lunch", "by=h3&res=16", "from=yesterday", "category=ufo", "res=x", "from=2025-03-05&to=2025-03-01"} {
		if status, body := do(t, "GET", base+"/api/analytics/response-times?"+q, ""); status != 400 || !strings.Contains(string(body), `"error"`) {
			t.Errorf("%s: %d %s", q, status, body)
		}
	}
}

func TestCoverageAPI(t *testing.T) {
	base, ix := analyticsServer(t)
	ix.Register(tracking.Registration{ID: "AMB-1", Type: tracking.Ambulance, Agency: "dinkes"})
	status, body := do(t, "GET", base+"/api/analytics/coverage?type=ambulance&res=7", "")
	if status != 200 || strings.Contains(string(body), `"unit_id":"AMB-1"`) {
		t.Fatalf("no live unit yet: %d", status)
	}
	ix.ApplyFix("AMB-1", tracking.Position{Lon: 106.15, Lat: -6.12, At: time.Now(), Battery: -1})
	status, body = do(t, "GET", base+"/api/analytics/coverage?type=ambulance&res=7&format=csv", "")
	if status != 200 || !strings.HasPrefix(string(body), "code,unit_id,distance_m,eta_s\n") || !strings.Contains(string(body), ",AMB-1,") {
		t.Fatalf("coverage csv: %d %s", status, body)
	}
	for _, q := range []string{"type=tank", "res=3"} {
		if status, _ := do(t, "GET", base+"/api/analytics/coverage?"+q, ""); status != 400 {
			t.Errorf("%s: %d", q, status)
		}
	}
}
