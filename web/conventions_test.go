package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"siaga112/tracking/dispatch"
	"siaga112/tracking/trackingtest"
)

// fullStack is a server with every route (accounts, dispatch, live feed,
// analytics), some units and one incident.
func fullStack(t *testing.T) (*stack, string) {
	t.Helper()
	s, tok := nearestStack(t, 20)
	resp, body := send(t, "POST", s.url+"/api/incidents", `{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"081234567890"}`, adminToken, nil, nil)
	if resp.StatusCode != 201 {
		t.Fatalf("incident: %d %s", resp.StatusCode, body)
	}
	return s, tok
}

// The OpenAPI description and the route table say the same thing: a route
// missing from the document, or a documented route that the server does
// not serve, fails.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s, _ := fullStack(t)
	resp, body := send(t, "GET", s.url+"/api/openapi.json", "", adminToken, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			// Served in front of this router (POST /pub, the tracker
			// ingest): tracking/app's TestOpenAPIWalk calls it.
			var front struct {
				ServedBy string `json:"x-served-by"`
			}
			if json.Unmarshal(op, &front) == nil && front.ServedBy != "" {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
			// Every {param} of the path is declared as a path parameter.
			var o struct {
				Parameters []struct{ Name, In string } `json:"parameters"`
			}
			if err := json.Unmarshal(op, &o); err != nil {
				t.Fatal(err)
			}
			for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(path, -1) {
				if !slices.ContainsFunc(o.Parameters, func(p struct{ Name, In string }) bool { return p.Name == m[1] && p.In == "path" }) {
					t.Errorf("%s %s: path parameter %q is not declared", method, path, m[1])
				}
			}
		}
	}
	var served []string
	for _, r := range s.srv.Routes() {
		if r != "GET /" { // the page's files, not the API
			served = append(served, r)
		}
	}
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is served but not in /api/openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			t.Errorf("/api/openapi.json documents %s, which the server does not serve", d)
		}
	}
	if len(served) < 30 {
		t.Errorf("only %d routes recorded: the route table is not being read", len(served))
	}
}

func TestUnknownAPIPathsAnswer404(t *testing.T) {
	s, tok := fullStack(t)
	tests := []struct {
		name, method, path string
		status             int
		allow              string
		words              string
	}{
		{"GET unknown", "GET", "/api/nope", 404, "", "no API route GET /api/nope"},
		{"POST unknown", "POST", "/api/nope", 404, "", "no API route POST /api/nope"},
		{"PUT unknown", "PUT", "/api/nope/deeper", 404, "", "no API route"},
		{"PATCH unknown", "PATCH", "/api/incidents/x/y/z", 404, "", "no API route"},
		{"DELETE unknown", "DELETE", "/api/", 404, "", "no API route"},
		{"OPTIONS unknown", "OPTIONS", "/api/nope", 404, "", "no API route"},
		{"invented method", "BREW", "/api/nope", 404, "", "no API route"},
		{"wrong method", "POST", "/api/units/N00001", 405, "GET, PUT, PATCH, DELETE, HEAD", "is not allowed; use GET, PUT, PATCH, DELETE, HEAD"},
		{"wrong method on a POST route", "GET", "/api/incidents/1/ack", 405, "POST", "use POST"},
		{"page file still served", "GET", "/app.js", 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, tt.method, s.url+tt.path, "", tok, nil, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.words) || resp.Header.Get("Allow") != tt.allow {
				t.Errorf("%d Allow=%q %s; want %d Allow=%q with %q", resp.StatusCode, resp.Header.Get("Allow"), body, tt.status, tt.allow, tt.words)
			}
			if tt.status >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q, want JSON", resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestUnauthorizedSaysBearer(t *testing.T) {
	s, _ := fullStack(t)
	for _, tok := range []string{"", "wrong"} {
		resp, body := send(t, "GET", s.url+"/api/units", "", tok, nil, nil)
		if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("token %q: %d WWW-Authenticate=%q %s", tok, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
	}
	if resp, _ := send(t, "GET", s.url+"/api/units", "", adminToken, nil, nil); resp.Header.Get("WWW-Authenticate") != "" {
		t.Error("a 200 carries WWW-Authenticate")
	}
}

// Every 201 says where the new thing is, and that address answers.
func TestCreatedHasLocation(t *testing.T) {
	s, _ := fullStack(t)
	tests := []struct {
		name, method, path, body string
		get                      bool // the Location answers GET
	}{
		{"incident", "POST", "/api/incidents", `{"category":"fire","lat":-6.12,"lon":106.15,"caller":"081200000001"}`, true},
		{"unit", "PUT", "/api/units/LOC-1", `{"type":"police","agency":"polres"}`, true},
		{"user", "POST", "/api/users", `{"name":"budi","role":"dispatcher","password":"a long enough password 1"}`, true},
		{"token", "POST", "/api/tokens", `{"name":"bridge","role":"planner"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, tt.method, s.url+tt.path, tt.body, adminToken, nil, nil)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != 201 || !strings.HasPrefix(loc, "/api/") {
				t.Fatalf("%d Location=%q %s", resp.StatusCode, loc, body)
			}
			if tt.get {
				if r2, b2 := send(t, "GET", s.url+loc, "", adminToken, nil, nil); r2.StatusCode != 200 {
					t.Errorf("GET %s: %d %s", loc, r2.StatusCode, b2)
				}
			}
		})
	}
}

// rawGet fetches without Go's transparent decompression, so the test sees
// what went over the wire.
func rawGet(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestGzip(t *testing.T) {
	s, _ := fullStack(t)
	tests := []struct {
		name, path string
		gzip       bool
	}{
		{"areas", "/api/areas", true},
		{"kecamatan", "/api/areas?level=kecamatan", true},
		{"leaflet.js", "/vendor/leaflet/leaflet.js", true},
		{"app.js", "/app.js", true},
		{"openapi", "/api/openapi.json", true},
		{"units", "/api/units", true},
		{"metrics", "/metrics", true},
		{"tiny answer stays plain", "/api/me", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, plain := rawGet(t, s.url+tt.path, nil)
			resp, zipped := rawGet(t, s.url+tt.path, map[string]string{"Accept-Encoding": "gzip"})
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tt.gzip {
				t.Fatalf("Content-Encoding %q, want gzip=%v", resp.Header.Get("Content-Encoding"), tt.gzip)
			}
			if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") && tt.gzip {
				t.Errorf("Vary %q lacks Accept-Encoding", resp.Header.Get("Vary"))
			}
			if !tt.gzip {
				return
			}
			zr, err := gzip.NewReader(bytes.NewReader(zipped))
			if err != nil {
				t.Fatal(err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if tt.name != "metrics" && !bytes.Equal(unzipped, plain) { // metrics move between scrapes
				t.Errorf("gzipped answer differs from the plain one")
			}
			t.Logf("%s: %d bytes plain, %d gzipped", tt.path, len(plain), len(zipped))
		})
	}
	// The live feed is never compressed: a client asking for gzip still
	// gets its WebSocket.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http")+"/api/live", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + adminToken}, "Accept-Encoding": {"gzip"}},
	})
	if err != nil {
		t.Fatalf("live feed with Accept-Encoding gzip: %v", err)
	}
	defer c.CloseNow()
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("live upgrade has Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	if _, _, err := c.Read(ctx); err != nil {
		t.Errorf("no snapshot on the live feed: %v", err)
	}
}

func TestValidators(t *testing.T) {
	s, _ := fullStack(t)
	for _, path := range []string{"/app.js", "/index.html", "/", "/vendor/leaflet/leaflet.js", "/api/areas", "/api/areas?level=kecamatan", "/api/openapi.json"} {
		t.Run(path, func(t *testing.T) {
			resp, _ := rawGet(t, s.url+path, nil)
			etag, mod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			if resp.StatusCode != 200 || etag == "" || mod == "" {
				t.Fatalf("%d ETag=%q Last-Modified=%q", resp.StatusCode, etag, mod)
			}
			for _, h := range []map[string]string{
				{"If-None-Match": etag},
				{"If-None-Match": etag, "Accept-Encoding": "gzip"},
				{"If-Modified-Since": mod},
			} {
				if r2, b := rawGet(t, s.url+path, h); r2.StatusCode != 304 || len(b) != 0 {
					t.Errorf("%v: %d with %d bytes, want 304", h, r2.StatusCode, len(b))
				}
			}
			if r2, _ := rawGet(t, s.url+path, map[string]string{"If-None-Match": `W/"other"`}); r2.StatusCode != 200 {
				t.Errorf("a stale tag answered %d", r2.StatusCode)
			}
		})
	}
	// Areas of the two levels differ, so their tags do.
	r1, _ := rawGet(t, s.url+"/api/areas", nil)
	r2, _ := rawGet(t, s.url+"/api/areas?level=kecamatan", nil)
	if r1.Header.Get("ETag") == r2.Header.Get("ETag") {
		t.Error("kelurahan and kecamatan share an ETag")
	}
}

// geoJSONAnswers are the API's GeoJSON answers, fetched as a GIS client
// would (by ?format= or by Accept).
func geoJSONAnswers(t *testing.T, s *stack) map[string][]byte {
	t.Helper()
	id := s.svc.List(dispatchFilterAll())[0].ID
	out := map[string][]byte{}
	for name, req := range map[string]struct {
		path   string
		header map[string]string
	}{
		"units":              {"/api/units", nil},
		"unit":               {"/api/units/N00001", nil},
		"areas":              {"/api/areas", nil},
		"kecamatan":          {"/api/areas?level=kecamatan", nil},
		"incidents":          {"/api/incidents?format=geojson", nil},
		"incidents-accept":   {"/api/incidents", map[string]string{"Accept": "application/geo+json"}},
		"incident":           {"/api/incidents/" + id + "?format=geojson", nil},
		"incident-accept":    {"/api/incidents/" + id, map[string]string{"Accept": "application/geo+json"}},
		"nearest":            {"/api/units/nearest?lat=-6.12&lon=106.15&type=ambulance&format=geojson", nil},
		"response-times":     {"/api/analytics/response-times", nil},
		"response-times-kec": {"/api/analytics/response-times?by=kecamatan", nil},
		"coverage":           {"/api/analytics/coverage", nil},
		"places":             {"/api/places?q=serang&limit=50&lat=-6.12&lon=106.15", nil},
	} {
		resp, body := rawGet(t, s.url+req.path, req.header)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/geo+json" {
			t.Errorf("%s: %d Content-Type %q: %.200s", req.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			continue
		}
		out[name] = body
	}
	// JSON stays JSON unless GeoJSON is asked for.
	for _, p := range []string{"/api/incidents", "/api/incidents/" + id, "/api/units/nearest?lat=-6.12&lon=106.15&type=ambulance"} {
		if resp, _ := rawGet(t, s.url+p, nil); resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q, want JSON", p, resp.Header.Get("Content-Type"))
		}
	}
	return out
}

// Every GeoJSON answer is read by GDAL (ogrinfo) as a vector layer, and
// every geometry in it is valid as shapely (GEOS) judges: both independent
// of this code.
func TestGeoJSONAnswersValidByGDALAndShapely(t *testing.T) {
	trackingtest.Tool(t, "ogrinfo", "gdal-bin")
	py := trackingtest.PythonWith(t, "shapely")
	s, _ := fullStack(t)
	dir := t.TempDir()
	for name, body := range geoJSONAnswers(t, s) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".geojson")
			if err := os.WriteFile(path, body, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("ogrinfo", "-ro", "-al", "-so", path).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Feature Count:") || strings.Contains(string(out), "ERROR") {
				t.Fatalf("ogrinfo: %v\n%s", err, out)
			}
			const check = `
import json, sys
from shapely.geometry import shape
doc = json.load(open(sys.argv[1]))
feats = doc["features"] if doc["type"] == "FeatureCollection" else [doc]
assert doc["type"] in ("FeatureCollection", "Feature"), doc["type"]
bad = []
for f in feats:
    assert f["type"] == "Feature" and "properties" in f and "geometry" in f, f
    g = f["geometry"]
    if g is not None and not shape(g).is_valid:
        bad.append(str(f.get("id")))
print("bad: " + ",".join(bad) if bad else "ok %d" % len(feats))
`
			out, err = exec.Command(py, "-c", check, path).CombinedOutput()
			if err != nil || !strings.HasPrefix(string(out), "ok ") {
				t.Fatalf("shapely: %v\n%s", err, out)
			}
			if strings.HasPrefix(name, "incident") || name == "nearest" || name == "units" {
				if strings.TrimSpace(string(out)) == "ok 0" {
					t.Errorf("no features to check")
				}
			}
			t.Logf("%s: %s", name, strings.TrimSpace(string(out)))
		})
	}
}

var _ = fmt.Sprint

func dispatchFilterAll() dispatch.Filter { return dispatch.Filter{} }
