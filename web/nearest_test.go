package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
)

// nearestStack is a server with a fleet of n units spread over Kota Serang
// (types in turn), all live and available, and a dispatcher's token.
func nearestStack(t testing.TB, n int) (*stack, string) {
	t.Helper()
	st := BuildStack(t, StackOptions{AdminToken: adminToken})
	s := &stack{url: st.TS.URL, ts: st.TS, srv: st.Server, fleet: st.Fleet, units: st.Units, svc: st.Dispatch, clk: st.Clock, acc: st.Accounts}
	rng := rand.New(rand.NewPCG(15, 2))
	ctx := context.Background()
	for i := range n {
		id := fmt.Sprintf("N%05d", i)
		typ := tracking.UnitTypes[i%len(tracking.UnitTypes)]
		if _, _, err := s.units.Register(ctx, tracking.Registration{ID: id, Callsign: "Unit " + id, Type: typ, Agency: "dinkes"}, "test"); err != nil {
			t.Fatal(err)
		}
		p := tracking.Position{Lat: -6.20 + rng.Float64()*0.15, Lon: 106.05 + rng.Float64()*0.20, At: s.clk.Now(), Battery: -1}
		if _, err := s.units.ApplyFix(id, p); err != nil {
			t.Fatal(err)
		}
	}
	_, tok, err := s.acc.IssueToken(ctx, "nearest-client", tracking.RoleDispatcher, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return s, tok
}

func TestNearestIsTheRecommendation(t *testing.T) {
	s, tok := nearestStack(t, 200)
	ctx := context.Background()
	// Units that must never be answered: out of service, and stale.
	if _, err := s.units.SetUnitStatus(ctx, "N00000", tracking.OutOfService, "test"); err != nil {
		t.Fatal(err)
	}
	p := orb.Point{106.15, -6.12}
	incidentsBefore := len(s.svc.List(dispatch.Filter{}))
	for _, typ := range tracking.UnitTypes {
		for _, limit := range []int{1, 5, 10} {
			t.Run(fmt.Sprintf("%s/limit=%d", typ, limit), func(t *testing.T) {
				resp, body := send(t, "GET", fmt.Sprintf("%s/api/units/nearest?lat=%g&lon=%g&type=%s&limit=%d", s.url, p[1], p[0], typ, limit), "", tok, nil, nil)
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
					t.Fatalf("status %d %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				var got []dispatch.Recommendation
				if err := json.Unmarshal([]byte(body), &got); err != nil {
					t.Fatal(err)
				}
				// The recommendation for a plan needing this type, cut to limit.
				want := s.svc.Recommend(p, dispatch.Plan{Needs: []dispatch.Need{{Type: typ, Count: 1}}})
				if limit <= dispatch.MaxRecommendations {
					want = want[:min(limit, len(want))]
				}
				if len(got) != limit {
					t.Fatalf("%d units, want %d", len(got), limit)
				}
				for i := range min(len(want), len(got)) {
					w := want[i]
					w.Position = orb.Point{}
					if got[i] != w {
						t.Errorf("rank %d: %+v, want %+v", i+1, got[i], w)
					}
				}
				for i, r := range got {
					if r.UnitID == "N00000" || r.Type != typ {
						t.Errorf("rank %d is %s (%s): not an available %s", i+1, r.UnitID, r.Type, typ)
					}
					if i > 0 && r.ETASeconds < got[i-1].ETASeconds {
						t.Errorf("rank %d has ETA %g before rank %d's %g", i+1, r.ETASeconds, i, got[i-1].ETASeconds)
					}
				}
			})
		}
	}
	// Stale units drop out: with the clock far ahead nobody is live.
	s.clk.Add(time.Hour)
	if _, body := send(t, "GET", s.url+"/api/units/nearest?lat=-6.12&lon=106.15&type=ambulance", "", tok, nil, nil); strings.TrimSpace(body) != "[]" {
		t.Errorf("stale fleet answered %s, want []", body)
	}
	if n := len(s.svc.List(dispatch.Filter{})); n != incidentsBefore {
		t.Errorf("the query created incidents: %d → %d", incidentsBefore, n)
	}
}

func TestNearestRefusals(t *testing.T) {
	s, tok := nearestStack(t, 10)
	tests := []struct {
		name, query string
		status      int
		words       string
	}{
		{"no lat", "lon=106.15&type=ambulance", 400, "lat and lon are required"},
		{"lat not a number", "lat=abc&lon=106.15&type=ambulance", 400, `lat must be a number`},
		{"lat out of range", "lat=-96&lon=106.15&type=ambulance", 400, "lat"},
		{"NaN", "lat=NaN&lon=106.15&type=ambulance", 400, "lat"},
		{"no type", "lat=-6.12&lon=106.15", 400, "type is required"},
		{"unknown type", "lat=-6.12&lon=106.15&type=tank", 400, `unknown unit type`},
		{"limit zero", "lat=-6.12&lon=106.15&type=ambulance&limit=0", 400, "limit must be a whole number from 1 to 100"},
		{"limit huge", "lat=-6.12&lon=106.15&type=ambulance&limit=101", 400, "limit must be"},
		{"bad format", "lat=-6.12&lon=106.15&type=ambulance&format=xml", 400, "format must be"},
		{"bad escape", "lat=%zz&lon=106.15&type=ambulance", 400, "query string is not valid"},
		{"escaped ok", "lat=%2D6.12&lon=106.15&type=ambulance", 200, ""},
		{"markup", "lat=-6.12&lon=106.15&type=%3Cscript%3E", 400, "<script>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, "GET", s.url+"/api/units/nearest?"+tt.query, "", tok, nil, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.words) {
				t.Errorf("status %d, body %s; want %d with %q", resp.StatusCode, body, tt.status, tt.words)
			}
		})
	}
	if resp, _ := send(t, "GET", s.url+"/api/units/nearest?lat=-6.12&lon=106.15&type=ambulance", "", "", nil, nil); resp.StatusCode != 401 {
		t.Errorf("without a token: %d, want 401", resp.StatusCode)
	}
}

func TestNearestGeoJSON(t *testing.T) {
	s, tok := nearestStack(t, 50)
	for _, how := range []struct {
		name, query string
		header      map[string]string
	}{
		{"format", "&format=geojson", nil},
		{"accept", "", map[string]string{"Accept": "application/geo+json"}},
	} {
		t.Run(how.name, func(t *testing.T) {
			resp, body := send(t, "GET", s.url+"/api/units/nearest?lat=-6.12&lon=106.15&type=police&limit=3"+how.query, "", tok, nil, how.header)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/geo+json" {
				t.Fatalf("status %d %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			var fc struct {
				Type     string `json:"type"`
				Features []struct {
					ID       string `json:"id"`
					Geometry struct {
						Coordinates []float64 `json:"coordinates"`
					} `json:"geometry"`
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			if err := json.Unmarshal([]byte(body), &fc); err != nil {
				t.Fatal(err)
			}
			if fc.Type != "FeatureCollection" || len(fc.Features) != 3 {
				t.Fatalf("got %s", body)
			}
			for i, f := range fc.Features {
				u, err := s.fleet.Get(f.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(f.Geometry.Coordinates, []float64{u.Position.Lon, u.Position.Lat}) {
					t.Errorf("%s at %v, want the unit's [%g %g]", f.ID, f.Geometry.Coordinates, u.Position.Lon, u.Position.Lat)
				}
				if f.Properties["rank"] != float64(i+1) || f.Properties["unit_id"] != f.ID {
					t.Errorf("properties %v", f.Properties)
				}
			}
		})
	}
}

// The hand-written encoder must say exactly what encoding/json says.
func TestAppendRecommendationMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		rec  dispatch.Recommendation
	}{
		{"plain", dispatch.Recommendation{UnitID: "AMB-1", Callsign: "Ambulans 1", Type: "ambulance", Agency: "dinkes", DistanceM: 1234, RouteM: 1500, ETASeconds: 123.456789}},
		{"hostile", dispatch.Recommendation{UnitID: "X", Callsign: "<b>\"q\"</b> \\ \x00\x1f\t\n\r\b\f é \u2028\u2029 \xff", Agency: "a&b", ETASeconds: 1e-9}},
		{"large and zero", dispatch.Recommendation{DistanceM: 1e21, RouteM: 0, ETASeconds: 1e20}},
		{"negative small", dispatch.Recommendation{DistanceM: -0.000001, RouteM: 5e-7}},
		{"with a route", dispatch.Recommendation{UnitID: "A", EtaModel: "road", RouteM: 812, ETASeconds: 61,
			Route: geojson.NewGeometry(orb.LineString{{106.15, -6.12}, {106.1512345678901, -6.1200000001}, {1e-7, 0}})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want strings.Builder
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode([]dispatch.Recommendation{tt.rec}); err != nil {
				t.Fatal(err)
			}
			if got := string(appendNearestJSON(nil, []dispatch.Recommendation{tt.rec})); got != want.String() {
				t.Errorf("got  %s\nwant %s", got, want.String())
			}
		})
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a", "\"", "\\", "\x00", "\xff\xfe", "\u2028", "<>&", "é日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want strings.Builder
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		if got := string(appendJSONString(nil, s)) + "\n"; got != want.String() {
			t.Errorf("%q: got %s want %s", s, got, want.String())
		}
	})
}

func FuzzParseNearest(f *testing.F) {
	for _, q := range []string{"lat=-6.1&lon=106.1&type=ambulance", "route=1&route=maybe", "lat=%zz", "limit=5&limit=6", "&&&=", "type=%3C"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		r := &http.Request{URL: &url.URL{RawQuery: q}, Header: http.Header{}}
		_, _ = parseNearest(r) // must not panic
	})
}

// BenchmarkNearestHTTP: GET /api/units/nearest over one keep-alive
// connection through the whole handler stack (metrics, gzip, CSP, bearer
// token, routing, encoding) with 10,000 units. "client" is Go's
// http.Client; "raw" a minimal client writing requests and reading answers
// on one TCP connection (as Tile38's NEARBY yardstick was measured), which
// also reports the p50 and p99 of its round trips.
func BenchmarkNearestHTTP(b *testing.B) {
	s, tok := nearestStack(b, 10000)
	rng := rand.New(rand.NewPCG(1, 1))
	queries := make([]string, 1024)
	for i := range queries {
		queries[i] = fmt.Sprintf("/api/units/nearest?lat=%.6f&lon=%.6f&type=%s&limit=5",
			-6.20+rng.Float64()*0.15, 106.05+rng.Float64()*0.20, tracking.UnitTypes[i%len(tracking.UnitTypes)])
	}
	// baseline: the same minimal client against a bare net/http handler
	// answering a fixed body of the same size, so the stack's own cost is
	// the difference (the machine's speed varies from day to day).
	b.Run("raw/baseline", func(b *testing.B) {
		body := appendNearestJSON(nil, nil)
		bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = w.Write(body)
		}))
		defer bare.Close()
		rawRoundTrips(b, bare.URL, queries, "json", tok)
	})
	for _, format := range []string{"json", "geojson"} {
		b.Run("client/"+format, func(b *testing.B) {
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				req, _ := http.NewRequest("GET", s.url+queries[i%len(queries)]+"&format="+format, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := c.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatal(resp.Status)
				}
				i++
			}
		})
		b.Run("raw/"+format, func(b *testing.B) { rawRoundTrips(b, s.url, queries, format, tok) })
	}
}

// rawRoundTrips sends the queries in turn over one keep-alive TCP
// connection, reading each answer before the next, and reports their p50
// and p99 and the process's CPU time per query.
func rawRoundTrips(b *testing.B, base string, queries []string, format, tok string) {
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	reqs := make([][]byte, len(queries))
	for i, q := range queries {
		reqs[i] = []byte("GET " + q + "&format=" + format + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok + "\r\n\r\n")
	}
	var lat []time.Duration
	i := 0
	cpu0 := processCPU()
	for b.Loop() {
		start := time.Now()
		if _, err := conn.Write(reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
		i++
	}
	// CPU time (server and client, this process) per query: on a shared
	// machine it is steadier than the wall clock.
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(len(lat)), "cpu-µs/op")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkNearestHandler: the same query without the network, to see the
// request path's own cost (routing, auth, encoding) and allocations.
func BenchmarkNearestHandler(b *testing.B) {
	s, tok := nearestStack(b, 10000)
	req := httptest.NewRequest("GET", "/api/units/nearest?lat=-6.12&lon=106.15&type=ambulance&limit=5", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		s.srv.ServeHTTP(w, req)
		if w.status != 200 {
			b.Fatal(w.status)
		}
	}
}

type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }

// processCPU is the CPU time this process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
