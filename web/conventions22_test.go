package web

import (
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Issue 22 (13): a 201 from POST /api/geofences says where the fences are
// read back (it had no Location): the fence itself when it is one, the
// list when several; GET there answers with them.
func TestGeofencesCreatedHaveLocation(t *testing.T) {
	s := newStack(t, "")
	post := func(body string) (*http.Response, string) {
		resp, err := http.Post(s.url+"/api/geofences", "application/geo+json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	fence := func(id, name string) string {
		return `{"type":"Feature","id":"` + id + `","properties":{"name":"` + name + `","kind":"hospital","radius_m":80},"geometry":{"type":"Point","coordinates":[106.16,-6.11]}}`
	}
	for _, tt := range []struct {
		name, body, location string
		ids                  []string
	}{
		{"one fence", `{"type":"FeatureCollection","features":[` + fence("rs-a", "RS A") + `]}`, "/api/geofences/rs-a", []string{"rs-a"}},
		{"another one", `{"type":"FeatureCollection","features":[` + fence("RS_b.2", "RS B") + `]}`, "/api/geofences/RS_b.2", []string{"RS_b.2"}},
		{"several", `{"type":"FeatureCollection","features":[` + fence("rs-c", "RS C") + `,` + fence("rs-d", "RS D") + `]}`, "/api/geofences", []string{"rs-c", "rs-d"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := post(tt.body)
			if resp.StatusCode != 201 || resp.Header.Get("Location") != tt.location {
				t.Fatalf("%d Location %q %s; want 201 at %q", resp.StatusCode, resp.Header.Get("Location"), body, tt.location)
			}
			resp, body = send(t, "GET", s.url+tt.location, "", "", nil, nil)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/geo+json" {
				t.Fatalf("GET %s: %d %s", tt.location, resp.StatusCode, body)
			}
			for _, id := range tt.ids {
				if !strings.Contains(body, `"id":"`+id+`"`) {
					t.Fatalf("GET %s lacks %s: %s", tt.location, id, body)
				}
			}
		})
	}
	if resp, body := send(t, "GET", s.url+"/api/geofences/rs-a", "", "", nil, nil); !strings.Contains(body, `"type":"Feature"`) || strings.Contains(body, "FeatureCollection") || resp.StatusCode != 200 {
		t.Fatalf("one fence is a Feature: %s", body)
	}
	if resp, body := send(t, "GET", s.url+"/api/geofences/nope", "", "", nil, nil); resp.StatusCode != 404 || !strings.Contains(body, `no geofence \"nope\"`) {
		t.Fatalf("unknown fence: %d %s", resp.StatusCode, body)
	}
}

// Issue 22 (13): GET /api/calls?format=csv (or Accept: text/csv) is CSV
// with formulas defused; it answered JSON.
func TestCallsCSV(t *testing.T) {
	r := newDispatchServer(t)
	for _, b := range []string{
		`{"number":"+1 555 010 9999","outcome":"prank","note":"=HYPERLINK(\"http://x\",\"y\")"}`,
		`{"number":"0811","outcome":"information","note":"jalan, \"Ciceri\"\nlantai 2"}`,
	} {
		if status, body := do(t, "POST", r.url+"/api/calls", b); status != 201 {
			t.Fatalf("%d %s", status, body)
		}
	}
	_, body := do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0822"}`)
	incident := decode[map[string]any](t, []byte(body))["id"].(string)
	for _, tt := range []struct {
		name, query string
		header      map[string]string
	}{
		{"format=csv", "?format=csv", nil},
		{"Accept: text/csv", "", map[string]string{"Accept": "text/csv"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, "GET", r.url+"/api/calls"+tt.query, "", "", nil, tt.header)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
				t.Fatalf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil || len(rows) != 4 {
				t.Fatalf("%v: %q", err, body)
			}
			if h := strings.Join(rows[0], ","); h != "id,at,number,outcome,incident_id,note,by" {
				t.Fatalf("header %q", h)
			}
			if rows[1][2] != "'+15550109999" || rows[1][3] != "prank" || rows[1][5] != `'=HYPERLINK("http://x","y")` || rows[1][6] != "anonymous" {
				t.Fatalf("formulas not defused: %q", rows[1])
			}
			if rows[2][5] != "jalan, \"Ciceri\"\nlantai 2" || rows[3][4] != incident || rows[3][3] != "emergency" {
				t.Fatalf("rows %q", rows[2:])
			}
		})
	}
	if resp, body := send(t, "GET", r.url+"/api/calls", "", "", nil, nil); !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.HasPrefix(body, "[") {
		t.Fatalf("JSON stays the default: %s %s", resp.Header.Get("Content-Type"), body)
	}
	if resp, _ := send(t, "GET", r.url+"/api/calls?format=xlsx", "", "", nil, nil); resp.StatusCode != 400 {
		t.Fatalf("format=xlsx: %d", resp.StatusCode)
	}
}
