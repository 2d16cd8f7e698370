package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"siaga112/tracking"
)

type placeFC struct {
	Type     string `json:"type"`
	Features []struct {
		ID       string `json:"id"`
		Geometry struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

func searchPlaces(t *testing.T, base, tok, query string) placeFC {
	t.Helper()
	resp, body := send(t, "GET", base+"/api/places?"+query, "", tok, nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("GET /api/places?%s: %d %q %s", query, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var fc placeFC
	if err := json.Unmarshal([]byte(body), &fc); err != nil {
		t.Fatal(err)
	}
	return fc
}

// Without an extract, search knows the gazetteer and the book.
func TestPlacesSearchAPI(t *testing.T) {
	s, tok := nearestStack(t, 0)
	fc := searchPlaces(t, s.url, tok, "q="+url.QueryEscape("Kel. Nyapah"))
	if fc.Type != "FeatureCollection" || len(fc.Features) == 0 || fc.Features[0].ID != "gazetteer:36.73.03.1003" {
		t.Fatalf("%+v", fc)
	}
	f := fc.Features[0]
	kel, _ := f.Properties["kelurahan"].(map[string]any)
	kec, _ := f.Properties["kecamatan"].(map[string]any)
	if f.Properties["name"] != "Nyapah" || f.Properties["kind"] != "kelurahan" || f.Properties["source"] != "gazetteer" ||
		f.Properties["score"] != 1.0 || f.Properties["matched"] != nil || kel["code"] != "36.73.03.1003" || kec["name"] != "Walantaka" {
		t.Errorf("properties: %v", f.Properties)
	}
	if _, ok := f.Properties["distance_m"]; ok {
		t.Errorf("distance_m without a bias: %v", f.Properties)
	}
	// A kecamatan has no kelurahan; with a bias, distances.
	fc = searchPlaces(t, s.url, tok, "q=kec+curug&lat=-6.19&lon=106.17&limit=2")
	if len(fc.Features) != 2 || fc.Features[0].ID != "gazetteer:36.73.04" || fc.Features[0].Properties["kelurahan"] != nil {
		t.Fatalf("kec. curug: %+v", fc.Features)
	}
	if d, ok := fc.Features[0].Properties["distance_m"].(float64); !ok || d < 100 || d > 1000 || d != float64(int(d)) {
		t.Errorf("distance_m: %v", fc.Features[0].Properties["distance_m"])
	}
	if fc := searchPlaces(t, s.url, tok, "q=zzzqqq"); len(fc.Features) != 0 {
		t.Errorf("nothing found is an empty collection: %+v", fc)
	}
	// 200 bytes pass.
	searchPlaces(t, s.url, tok, "q="+strings.Repeat("a", 200))
	searchPlaces(t, s.url, tok, "q="+strings.Repeat("x+", 100))
}

func TestPlacesRefusals(t *testing.T) {
	s, tok := nearestStack(t, 0)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		words                    string
	}{
		{"q missing", "GET", "/api/places", "", 400, `\"q\"`},
		{"q blank", "GET", "/api/places?q=+++", "", 400, `\"q\"`},
		{"q too long", "GET", "/api/places?q=" + strings.Repeat("a", 201), "", 400, `\"q\"`},
		{"q control character", "GET", "/api/places?q=jl%07x", "", 400, `\"q\"`},
		{"q line break", "GET", "/api/places?q=jl%0Ax", "", 400, `\"q\"`},
		{"q invalid UTF-8", "GET", "/api/places?q=%ff%fe", "", 400, `\"q\"`},
		{"limit 0", "GET", "/api/places?q=a&limit=0", "", 400, `\"limit\"`},
		{"limit 51", "GET", "/api/places?q=a&limit=51", "", 400, `\"limit\"`},
		{"limit not a number", "GET", "/api/places?q=a&limit=x", "", 400, `\"limit\"`},
		{"lat without lon", "GET", "/api/places?q=a&lat=-6.1", "", 400, `\"lon\"`},
		{"lon without lat", "GET", "/api/places?q=a&lon=106.1", "", 400, `\"lat\"`},
		{"bad lat", "GET", "/api/places?q=a&lat=abc&lon=106.1", "", 400, `\"lat\"`},
		{"reverse outside", "GET", "/api/places/reverse?lat=-6.2&lon=106.8", "", 422, "outside"},
		{"reverse bad", "GET", "/api/places/reverse?lat=-6.2", "", 400, `\"lon\"`},
		{"book: blank name", "POST", "/api/places", `{"name":"  ","lat":-6.12,"lon":106.15}`, 400, `\"name\"`},
		{"book: no name", "POST", "/api/places", `{"lat":-6.12,"lon":106.15}`, 400, `\"name\"`},
		{"book: no point", "POST", "/api/places", `{"name":"Tugu"}`, 400, `\"lat\"`},
		{"book: unknown kind", "POST", "/api/places", `{"name":"Tugu","kind":"castle","lat":-6.12,"lon":106.15}`, 400, `\"kind\"`},
		{"book: 21 aliases", "POST", "/api/places", `{"name":"Tugu","aliases":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 21), ",") + `],"lat":-6.12,"lon":106.15}`, 400, `\"aliases\"`},
		{"book: blank alias", "POST", "/api/places", `{"name":"Tugu","aliases":[" "],"lat":-6.12,"lon":106.15}`, 400, `\"aliases\"`},
		{"book: alias with a control character", "POST", "/api/places", `{"name":"Tugu","aliases":["a\u0007"],"lat":-6.12,"lon":106.15}`, 400, `aliases`},
		{"book: an id of its own", "POST", "/api/places", `{"id":"mine","name":"Tugu","lat":-6.12,"lon":106.15}`, 400, `\"id\"`},
		{"book: outside the city", "POST", "/api/places", `{"name":"Monas","lat":-6.1754,"lon":106.8272}`, 422, "outside"},
		{"book: Null Island", "POST", "/api/places", `{"name":"Tugu","lat":0,"lon":0}`, 400, "lat"},
		{"book: not JSON", "POST", "/api/places", `{"name":`, 400, "JSON"},
		{"book: unknown id", "GET", "/api/places/nope", "", 404, "nope"},
		{"book: malformed id", "GET", "/api/places/a%20b", "", 404, "place"},
		{"book: patch unknown", "PATCH", "/api/places/nope", `{"name":"x"}`, 404, "nope"},
		{"book: delete unknown", "DELETE", "/api/places/nope", "", 404, "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := send(t, tc.method, s.url+tc.path, tc.body, tok, nil, nil)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.words) || !strings.HasPrefix(body, `{"error":`) {
				t.Errorf("%d %s; want %d with %s", resp.StatusCode, body, tc.status, tc.words)
			}
		})
	}
}

func TestPlacesRoles(t *testing.T) {
	base, acc := authServer(t)
	if _, err := acc.AddUserFor(context.Background(), "dinas", tracking.RoleAgency, "dinkes", "agency-pass-123", "admin"); err != nil {
		t.Fatal(err)
	}
	agency, csrf := signIn(t, base, "dinas", "agency-pass-123")
	planner := issue(t, acc, "plan", tracking.RolePlanner)
	dispatcher := issue(t, acc, "disp", tracking.RoleDispatcher)
	body := `{"name":"Tugu Jam","lat":-6.12,"lon":106.15}`
	for _, tc := range []struct {
		name, method, path, body, tok string
		agency                        bool
		status                        int
	}{
		{"anonymous search", "GET", "/api/places?q=serang", "", "", false, 401},
		{"anonymous reverse", "GET", "/api/places/reverse?lat=-6.12&lon=106.15", "", "", false, 401},
		{"agency search", "GET", "/api/places?q=serang", "", "", true, 403},
		{"agency writes", "POST", "/api/places", body, "", true, 403},
		{"planner searches", "GET", "/api/places?q=serang", "", planner, false, 200},
		{"planner reverse", "GET", "/api/places/reverse?lat=-6.12&lon=106.15", "", planner, false, 200},
		{"planner writes", "POST", "/api/places", body, planner, false, 403},
		{"dispatcher writes", "POST", "/api/places", body, dispatcher, false, 201},
		{"admin writes", "POST", "/api/places", body, adminToken, false, 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp, b = send(t, tc.method, base+tc.path, tc.body, tc.tok, nil, nil)
			if tc.agency {
				resp, b = send(t, tc.method, base+tc.path, tc.body, "", agency, csrf)
			}
			if resp.StatusCode != tc.status {
				t.Errorf("%d %s, want %d", resp.StatusCode, b, tc.status)
			}
			if tc.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// The book: add, find at once, change (aliases replace), delete.
func TestPlaceBookAPI(t *testing.T) {
	s, tok := nearestStack(t, 0)
	resp, body := send(t, "POST", s.url+"/api/places", `{"name":"Posko <img src=x onerror=alert(1)>","aliases":["Tenda Biru","Posko BPBD"],"kind":"facility","lat":-6.110699,"lon":106.177791}`, tok, nil, nil)
	if resp.StatusCode != 201 || resp.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var f struct {
		ID         string         `json:"id"`
		Persisted  *bool          `json:"persisted"`
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(f.ID, "placebook:")
	if loc := resp.Header.Get("Location"); loc != "/api/places/"+id || !tracking.ValidPlaceID(id) || id == f.ID {
		t.Fatalf("Location %q, id %q", loc, f.ID)
	}
	if f.Persisted == nil || !*f.Persisted || f.Properties["source"] != "placebook" || f.Properties["kind"] != "facility" ||
		f.Properties["created_by"] != "nearest-client" || f.Properties["kelurahan"].(map[string]any)["name"] != "Kaligandu" {
		t.Errorf("entry: %s", body)
	}
	fc := searchPlaces(t, s.url, tok, "q=tenda+biru")
	if len(fc.Features) == 0 || fc.Features[0].ID != f.ID || fc.Features[0].Properties["matched"] != "Tenda Biru" {
		t.Fatalf("found as soon as written: %+v", fc)
	}
	resp, body = send(t, "PATCH", s.url+"/api/places/"+id, `{"aliases":["Posko Utama"]}`, tok, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"aliases":["Posko Utama"]`) {
		t.Fatalf("patch: %d %s", resp.StatusCode, body)
	}
	if fc := searchPlaces(t, s.url, tok, "q=tenda+biru"); len(fc.Features) != 0 {
		t.Errorf("an alias replaced is no longer found: %+v", fc)
	}
	if fc := searchPlaces(t, s.url, tok, "q=posko+utama"); len(fc.Features) == 0 || fc.Features[0].ID != f.ID {
		t.Errorf("the new alias is found: %+v", fc)
	}
	if resp, body := send(t, "PATCH", s.url+"/api/places/"+id, `{}`, tok, nil, nil); resp.StatusCode != 400 || !strings.Contains(body, "nothing") {
		t.Errorf("empty patch: %d %s", resp.StatusCode, body)
	}
	if resp, body := send(t, "PATCH", s.url+"/api/places/"+id, `{"lat":-6.2,"lon":106.8}`, tok, nil, nil); resp.StatusCode != 422 {
		t.Errorf("moved outside: %d %s", resp.StatusCode, body)
	}
	resp, body = send(t, "GET", s.url+"/api/places/reverse?lat=-6.11075&lon=106.17785", "", tok, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"street":null`) || !strings.Contains(body, fmt.Sprintf(`"place":{"id":%q`, f.ID)) {
		t.Errorf("reverse: %d %s", resp.StatusCode, body)
	}
	if resp, body := send(t, "DELETE", s.url+"/api/places/"+id, "", tok, nil, nil); resp.StatusCode != 204 || body != "" {
		t.Fatalf("delete: %d %s", resp.StatusCode, body)
	}
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		if resp, _ := send(t, m, s.url+"/api/places/"+id, `{"name":"x"}`, tok, nil, nil); resp.StatusCode != 404 {
			t.Errorf("%s after delete: %d", m, resp.StatusCode)
		}
	}
	if fc := searchPlaces(t, s.url, tok, "q=posko+utama"); len(fc.Features) != 0 {
		t.Errorf("search drops a deleted entry: %+v", fc)
	}
}
