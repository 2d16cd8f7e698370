package httpingest

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/trackingtest"
)

const imei = "356938035643809" // AMB-01's tracker_id in the test world

// traccarClientJSON is the body Traccar Client posts (values invented;
// speed m/s, battery level 0–1, -1 for unknown).
const traccarClientJSON = `{"location":{"event":"motionchange","is_moving":true,"uuid":"9d0e-4c1f","timestamp":"2025-11-26T23:59:50.123Z",` +
	`"odometer":1200,"coords":{"latitude":-6.1201,"longitude":106.1502,"accuracy":4.5,"speed":10,"speed_accuracy":1,` +
	`"heading":-1,"heading_accuracy":-1,"altitude":41.2,"altitude_accuracy":3},"activity":{"type":"in_vehicle"},` +
	`"battery":{"is_charging":false,"level":0.85},"extras":{}},"device_id":"356938035643809"}`

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestOsmAnd speaks the OsmAnd protocol and Traccar Client's JSON to a real
// HTTP server, as trackers send them.
func TestOsmAnd(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		target      string // path and query
		contentType string
		body        string
		fleetErr    error
		wantStatus  int
		wantReason  Reason
		wantInBody  string
		check       func(t *testing.T, f tracking.Fix)
	}{
		{
			name: "Traccar Client (Android) query, seconds, speed in knots", method: "POST",
			target:     "/?id=" + imei + "&timestamp=1764201590&lat=-6.1201&lon=106.1502&speed=10.0&bearing=90.0&altitude=41.0&accuracy=5.0&batt=80.0",
			wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if !near(f.SpeedKmh.Value, 18.52) || f.Heading != tracking.Some(90) || f.AltitudeM != tracking.Some(41) ||
					f.AccuracyM != tracking.Some(5) || f.Battery != tracking.Some(80) || !f.At.Equal(time.Unix(1764201590, 0)) {
					t.Fatalf("applied %+v", f)
				}
			},
		},
		{
			name: "generic device GET, only id lat lon: optional readings absent, time is now", target: "/?id=" + imei + "&lat=-6.12&lon=106.15",
			wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if f.SpeedKmh.Valid || f.Heading.Valid || f.AltitudeM.Valid || f.AccuracyM.Valid || f.Battery.Valid || !f.At.Equal(now) {
					t.Fatalf("applied %+v", f)
				}
			},
		},
		{
			name: "form body", method: "POST", target: "/", contentType: "application/x-www-form-urlencoded",
			body: "id=" + imei + "&lat=-6.12&lon=106.15&timestamp=1764201590000&heading=45", wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if !f.At.Equal(time.Unix(1764201590, 0)) || f.Heading != tracking.Some(45) {
					t.Fatalf("milliseconds or heading alias: %+v", f)
				}
			},
		},
		{
			name: "ISO 8601 with an offset", target: "/?id=" + imei + "&lat=-6.12&lon=106.15&timestamp=" + url.QueryEscape("2025-11-27T06:59:50+07:00"), wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if !f.At.Equal(time.Unix(1764201590, 0)) {
					t.Fatalf("At %v", f.At)
				}
			},
		},
		{
			name: "ISO 8601 with an unescaped + in the query", target: "/?id=" + imei + "&lat=-6.12&lon=106.15&timestamp=2025-11-27T06:59:50+07:00", wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if !f.At.Equal(time.Unix(1764201590, 0)) {
					t.Fatalf("At %v", f.At)
				}
			},
		},
		{
			name: "ISO 8601 without a zone is UTC", target: "/?deviceid=" + imei + "&lat=-6.12&lon=106.15&timestamp=2025-11-26T23:59:50", wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if !f.At.Equal(time.Unix(1764201590, 0)) {
					t.Fatalf("At %v", f.At)
				}
			},
		},
		{
			name: "Traccar Client JSON", method: "POST", target: "/", contentType: "application/json", body: traccarClientJSON, wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if !near(f.SpeedKmh.Value, 36) || f.Heading.Valid || f.Battery != tracking.Some(85) || f.AccuracyM != tracking.Some(4.5) ||
					f.AltitudeM != tracking.Some(41.2) || !f.At.Equal(time.UnixMilli(1764201590123)) || f.Lat != -6.1201 {
					t.Fatalf("applied %+v", f)
				}
			},
		},
		{
			name: "JSON without a content type, numeric device_id, no battery", method: "POST", target: "/",
			body:       `{"device_id":356938035643809,"location":{"timestamp":1764201590,"coords":{"latitude":-6.12,"longitude":106.15,"speed":-1}}}`,
			wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if f.SpeedKmh.Valid || f.Battery.Valid {
					t.Fatalf("applied %+v", f)
				}
			},
		},
		{name: "missing id", target: "/?lat=-6.12&lon=106.15", wantStatus: 400, wantReason: ReasonMissingParam, wantInBody: "id is missing"},
		{name: "missing lon", target: "/?id=" + imei + "&lat=-6.12", wantStatus: 400, wantReason: ReasonMissingParam, wantInBody: "lon is missing"},
		{name: "bad lat", target: "/?id=" + imei + "&lat=abc&lon=106.15", wantStatus: 400, wantReason: ReasonBadParam, wantInBody: "lat: not a number"},
		{name: "NaN lon", target: "/?id=" + imei + "&lat=-6.1&lon=NaN", wantStatus: 400, wantReason: ReasonBadParam, wantInBody: "lon"},
		{name: "bad speed", target: "/?id=" + imei + "&lat=-6.1&lon=106.1&speed=fast", wantStatus: 400, wantReason: ReasonBadParam, wantInBody: "speed"},
		{name: "bad timestamp", target: "/?id=" + imei + "&lat=-6.1&lon=106.1&timestamp=yesterday", wantStatus: 400, wantReason: ReasonBadParam, wantInBody: "timestamp"},
		{name: "null island", target: "/?id=" + imei + "&lat=0&lon=0", wantStatus: 400, wantReason: ReasonNullIsland, wantInBody: "lat 0, lon 0"},
		{name: "latitude out of range", target: "/?id=" + imei + "&lat=91&lon=106", wantStatus: 400, wantReason: ReasonOutOfRange, wantInBody: "lat/lon"},
		{name: "a day and a minute ahead", target: "/?id=" + imei + "&lat=-6.1&lon=106.1&timestamp=1764288060", wantStatus: 400, wantReason: ReasonFuture, wantInBody: "timestamp"},
		{name: "unknown tracker id: 401, as a wrong key", target: "/?id=000000000000000&lat=-6.1&lon=106.1", wantStatus: 401, wantReason: ReasonUnauthorized, wantInBody: "unknown tracker id or wrong key"},
		{name: "JSON unknown device", method: "POST", target: "/", contentType: "application/json",
			body: strings.Replace(traccarClientJSON, imei, "999", 1), wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "the OsmAnd app: hdop, so speed in m/s and hdop as the accuracy",
			target:     "/?id=" + imei + "&lat=-6.12&lon=106.15&timestamp=1764201590&hdop=7.5&altitude=40.0&speed=10.0&bearing=90.0",
			wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if !near(f.SpeedKmh.Value, 36) || f.AccuracyM != tracking.Some(7.5) || f.AltitudeM != tracking.Some(40) {
					t.Fatalf("applied %+v, want 36 km/h and accuracy 7.5 m", f)
				}
			},
		},
		{name: "hdop beside accuracy: accuracy wins, speed still m/s", target: "/?id=" + imei + "&lat=-6.12&lon=106.15&hdop=7.5&accuracy=3&speed=10",
			wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if !near(f.SpeedKmh.Value, 36) || f.AccuracyM != tracking.Some(3) {
					t.Fatalf("applied %+v", f)
				}
			},
		},
		{name: "no hdop: speed in knots, no accuracy", target: "/?id=" + imei + "&lat=-6.12&lon=106.15&speed=10",
			wantStatus: 200,
			check: func(t *testing.T, f tracking.Fix) {
				if !near(f.SpeedKmh.Value, 18.52) || f.AccuracyM.Valid {
					t.Fatalf("applied %+v", f)
				}
			},
		},
		{name: "bad hdop", target: "/?id=" + imei + "&lat=-6.12&lon=106.15&hdop=wide", wantStatus: 400, wantReason: ReasonBadParam, wantInBody: "hdop"},
		{name: "JSON without coords", method: "POST", target: "/", contentType: "application/json",
			body: `{"device_id":"` + imei + `","location":{"timestamp":"2025-11-26T23:59:50Z"}}`, wantStatus: 400, wantReason: ReasonMissingParam, wantInBody: "location.coords"},
		{name: "JSON string latitude", method: "POST", target: "/", contentType: "application/json",
			body: `{"device_id":"` + imei + `","location":{"coords":{"latitude":"-6.1","longitude":106.1}}}`, wantStatus: 400, wantReason: ReasonNotJSON, wantInBody: "latitude"},
		{name: "JSON garbage", method: "POST", target: "/", contentType: "application/json", body: `{"device_id":`, wantStatus: 400, wantReason: ReasonNotJSON},
		{name: "body over the cap", method: "POST", target: "/", contentType: "application/x-www-form-urlencoded",
			body: "id=" + imei + "&pad=" + strings.Repeat("x", MaxOsmAndBody), wantStatus: 413, wantReason: ReasonTooLarge},
		{name: "PUT", method: "PUT", target: "/?id=" + imei + "&lat=-6.1&lon=106.1", wantStatus: 405, wantReason: ReasonMethod},
		{name: "id with a control character", target: "/?id=a%00b&lat=-6.1&lon=106.1", wantStatus: 400, wantReason: ReasonBadParam, wantInBody: "id"},
		{name: "fleet refuses the fix", target: "/?id=" + imei + "&lat=-6.1&lon=106.1", fleetErr: tracking.Errorf(tracking.CodeOutsideArea, "outside the service area"),
			wantStatus: 400, wantReason: ReasonRefusedFix, wantInBody: "outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld()
			w.fleetErr = tt.fleetErr
			in := newIngest(w)
			srv := httptest.NewServer(in.OsmAnd())
			defer srv.Close()
			method := tt.method
			if method == "" {
				method = "GET"
			}
			// Every request carries the unit's key (see TestOsmAndKey).
			target := tt.target
			if strings.Contains(target, "?") {
				target += "&key=s3cret"
			} else {
				target += "?key=s3cret"
			}
			req, _ := http.NewRequest(method, srv.URL+target, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, got, tt.wantStatus)
			}
			if tt.wantStatus == 200 {
				fs := w.applied("AMB-01")
				if len(fs) != 1 {
					t.Fatalf("applied %d fixes", len(fs))
				}
				if tt.check != nil {
					tt.check(t, fs[0])
				}
				return
			}
			proto := ProtoOsmAnd
			if tt.contentType == "application/json" {
				proto = ProtoTraccar
			}
			if in.Refused(proto, tt.wantReason) != 1 {
				t.Fatalf("refusal %q not counted under %s; body %s", tt.wantReason, proto, got)
			}
			if !strings.Contains(string(got), tt.wantInBody) {
				t.Fatalf("body %s does not name %q", got, tt.wantInBody)
			}
			if w.total() != 0 {
				t.Fatal("a refused request was applied")
			}
		})
	}
}

// TestOsmAndWithCurl sends what a hardware tracker's firmware sends, with
// curl, to the real OsmAnd server (timeouts included).
func TestOsmAndWithCurl(t *testing.T) {
	curl := trackingtest.Tool(t, "curl", "curl")
	w := newWorld()
	in := newIngest(w)
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = NewOsmAndServer("", in.OsmAnd())
	srv.Start()
	defer srv.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"GET query, key in the query", []string{srv.URL + "/?id=TRK-7&lat=-6.11&lon=106.16&timestamp=1764201590&speed=5&key=other"}, "200"},
		{"POST form, key in the form", []string{"-d", "id=TRK-7&lat=-6.11&lon=106.16&timestamp=1764201591&key=other", srv.URL + "/"}, "200"},
		{"POST JSON, key in the URL", []string{"-H", "Content-Type: application/json", "-d",
			`{"device_id":"TRK-7","location":{"timestamp":"2025-11-26T23:59:52Z","coords":{"latitude":-6.11,"longitude":106.16}}}`, srv.URL + "/?key=other"}, "200"},
		{"no key", []string{srv.URL + "/?id=TRK-7&lat=-6.11&lon=106.16"}, "401"},
		{"unknown id", []string{srv.URL + "/?id=nobody&lat=-6.11&lon=106.16&key=other"}, "401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			args := append([]string{"-s", "-o", "/dev/null", "-w", "%{http_code}"}, tt.args...)
			out, err := exec.CommandContext(ctx, curl, args...).Output()
			if err != nil {
				t.Fatalf("curl: %v", err)
			}
			if string(out) != tt.want {
				t.Fatalf("curl got %s, want %s", out, tt.want)
			}
		})
	}
	if n := len(w.applied("AMB-02")); n != 3 {
		t.Fatalf("applied %d fixes, want 3", n)
	}
}

// TestServedWithCurl runs the OsmAnd listener as the lead will (ListenOsmAnd
// + NewOsmAndServer, port 20355 of this branch's range or any free one) and
// the OwnTracks handler, and talks to both with curl as a device would.
func TestServedWithCurl(t *testing.T) {
	curl := trackingtest.Tool(t, "curl", "curl")
	ln, err := ListenOsmAnd("127.0.0.1:20355", 16, 0, nil)
	if err != nil {
		if ln, err = ListenOsmAnd("127.0.0.1:0", 16, 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	w := newWorld()
	in := newIngest(w)
	srv := NewOsmAndServer("", in.OsmAnd())
	go srv.Serve(ln)
	defer srv.Close()
	web := httptest.NewServer(in.OwnTracks())
	defer web.Close()
	osmand := "http://" + ln.Addr().String()
	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, curl, append([]string{"-s", "-w", " %{http_code}"}, args...)...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v", args, err)
		}
		return string(out)
	}
	if got := run("-u", "AMB-02:other", osmand+"/?id=TRK-7&lat=-6.11&lon=106.16&timestamp=1764201590&speed=5"); got != " 200" {
		t.Fatalf("OsmAnd GET: %q", got)
	}
	if got := run("-u", "AMB-02:other", "-H", "X-Limit-U: AMB-02", "-H", "X-Limit-D: phone",
		"-H", "Content-Type: application/json", "-d", androidLocation, web.URL+"/pub"); got != "[] 200" {
		t.Fatalf("OwnTracks HTTP: %q", got)
	}
	if got := run("-u", "AMB-02:wrong", "-d", androidLocation, web.URL+"/pub"); !strings.HasSuffix(got, " 401") {
		t.Fatalf("OwnTracks HTTP, wrong password: %q", got)
	}
	if n := len(w.applied("AMB-02")); n != 2 {
		t.Fatalf("applied %d fixes, want 2", n)
	}
}

func TestMisdirected(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>map</html>") })
	tests := []struct {
		name, method, target, contentType, osmand string
		wantStatus                                int
		wantInBody                                string
	}{
		{"OsmAnd query on the web port", "GET", "/?id=1&lat=-6.1&lon=106.1", "", ":5055", 400, "port 5055"},
		{"POSTed query", "POST", "/?deviceid=1&lat=-6.1&lon=106.1&timestamp=1", "", "127.0.0.1:20355", 400, "port 20355"},
		{"Traccar Client JSON", "POST", "/", "application/json", ":5055", 400, "Traccar Client"},
		{"listener off", "GET", "/?id=1&lat=-6.1&lon=106.1", "", "", 400, "turned off"},
		{"the map page", "GET", "/", "", ":5055", 200, "<html>"},
		{"a page with some of the parameters", "GET", "/?id=1&lat=2", "", ":5055", 200, "<html>"},
		{"another path", "GET", "/api/x?id=1&lat=-6.1&lon=106.1", "", ":5055", 200, "<html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader("{}"))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			Misdirected(tt.osmand, page).ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantInBody) {
				t.Fatalf("got %d %s, want %d containing %q", rec.Code, rec.Body, tt.wantStatus, tt.wantInBody)
			}
		})
	}
}

// FuzzDecodeParams: any query string decodes to a fix that passes Check, or
// to a 400 refusal with a known reason; never a panic.
func FuzzDecodeParams(f *testing.F) {
	for _, s := range []string{
		"id=" + imei + "&timestamp=1764201590&lat=-6.1201&lon=106.1502&speed=10.0&bearing=90.0&altitude=41.0&accuracy=5.0&batt=80.0",
		"id=1&lat=0&lon=0", "id=1&lat=1e999&lon=-1", "id=1&lat=-6&lon=106&timestamp=2025-11-26T23:59:50Z",
		"deviceid=x&lat=NaN&lon=1", "id=%00&lat=1&lon=1", "lat=1",
		"id=1&lat=-6.1&lon=106.1&hdop=7.5&speed=10&altitude=40&bearing=90", "id=1&lat=-6.1&lon=106.1&hdop=-1&speed=1e308", "id=1&lat=-6&lon=106&hdop=x",
	} {
		f.Add(s)
	}
	known := knownReasons()
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		rep, ref := decodeParams(v, now)
		checkDecoded(t, rep, ref, known)
	})
}

// FuzzDecodeTraccarJSON: the same for Traccar Client bodies.
func FuzzDecodeTraccarJSON(f *testing.F) {
	for _, s := range []string{traccarClientJSON, `{"device_id":1,"location":{"coords":{"latitude":0,"longitude":0}}}`,
		`{"device_id":"a","location":{"timestamp":"x","coords":{"latitude":1,"longitude":1}}}`, `[]`, `{"device_id":{}}`} {
		f.Add([]byte(s))
	}
	known := knownReasons()
	f.Fuzz(func(t *testing.T, body []byte) {
		rep, ref := decodeTraccarJSON(body, now)
		checkDecoded(t, rep, ref, known)
	})
}

func knownReasons() map[Reason]bool {
	m := map[Reason]bool{}
	for _, r := range Reasons {
		m[r] = true
	}
	return m
}

func checkDecoded(t *testing.T, rep report, ref *refusal, known map[Reason]bool) {
	t.Helper()
	if ref != nil {
		if ref.status != 400 || !known[ref.reason] || ref.detail == "" {
			t.Fatalf("refusal %+v", ref)
		}
		return
	}
	if p, d := rep.fix.Check(now); p != tracking.FixOK {
		t.Fatalf("bad fix let through (%s): %+v", d, rep.fix)
	}
	if rep.trackerID == "" || len(rep.trackerID) > tracking.MaxIDLen {
		t.Fatalf("tracker id %q", rep.trackerID)
	}
	f := rep.fix
	for _, o := range []tracking.Optional{f.SpeedKmh, f.Heading, f.AccuracyM, f.AltitudeM, f.Battery} {
		if o.Valid && (math.IsNaN(o.Value) || math.IsInf(o.Value, 0)) {
			t.Fatalf("non-finite reading %+v", f)
		}
	}
}

// BenchmarkOsmAnd: one fix through the OsmAnd handler. The key is checked
// as the units service checks it (SHA-256 of the key against the unit's
// stored hash); "query_keyless" is the keyless mode, the path every request
// took before keys (issue 22).
func BenchmarkOsmAnd(b *testing.B) {
	w := newWorld()
	key, hash, err := tracking.NewSecret()
	if err != nil {
		b.Fatal(err)
	}
	devices := hashedDevices{"AMB-01": hash}
	cfg := Config{Devices: devices, Trackers: w, Fleet: discard{}, Now: func() time.Time { return now }, RatePerSecond: 1e9, Burst: 1 << 30}
	keyed := New(cfg).OsmAnd()
	cfg.Keyless = true
	keyless := New(cfg).OsmAnd()
	const query = "/?id=" + imei + "&timestamp=1764201590&lat=-6.1201&lon=106.1502&speed=10.0&bearing=90.0&altitude=41.0&accuracy=5.0&batt=80.0"
	for _, bc := range []struct {
		name, ct, target, body string
		basic                  bool
		h                      http.Handler
	}{
		{"query", "", query + "&key=" + key, "", false, keyed},
		{"query_basic", "", query, "", true, keyed},
		{"query_keyless", "", query, "", false, keyless},
		{"traccar_json", "application/json", "/?key=" + key, traccarClientJSON, false, keyed},
		{"traccar_json_keyless", "application/json", "/", traccarClientJSON, false, keyless},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("POST", bc.target, strings.NewReader(bc.body))
				if bc.ct != "" {
					req.Header.Set("Content-Type", bc.ct)
				}
				if bc.basic {
					req.SetBasicAuth("AMB-01", key)
				}
				rec := httptest.NewRecorder()
				bc.h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}

// hashedDevices checks device passwords as units.Service.CheckDevice does,
// against stored hashes (unit → hash).
type hashedDevices map[string]string

func (d hashedDevices) CheckDevice(unit, pass string) (string, bool) {
	return "dinkes", tracking.SecretMatches(d[unit], pass)
}

func BenchmarkOwnTracksHTTP(b *testing.B) {
	w := newWorld()
	in := New(Config{Devices: w, Secrets: w, Trackers: w, Fleet: discard{}, Now: func() time.Time { return now }, RatePerSecond: 1e9, Burst: 1 << 30})
	h := in.OwnTracks()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/pub", strings.NewReader(androidLocation))
		req.SetBasicAuth("AMB-01", "s3cret")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// discard is a fleet that applies everything and keeps nothing (benchmarks).
type discard struct{}

func (discard) ApplyFix(string, tracking.Fix) error          { return nil }
func (discard) RecordRegionEvent(tracking.RegionEvent) error { return nil }

// BenchmarkOsmAndKeyCheck is what a key adds to a request: resolving the
// tracker id and checking the key against the unit's stored hash, from
// memory (issue 22 asks under 10 µs).
func BenchmarkOsmAndKeyCheck(b *testing.B) {
	w := newWorld()
	key, hash, err := tracking.NewSecret()
	if err != nil {
		b.Fatal(err)
	}
	in := New(Config{Devices: hashedDevices{"AMB-01": hash}, Trackers: w, Fleet: discard{}, Now: func() time.Time { return now }})
	for _, bc := range []struct{ name, target string }{
		{"key", "/?id=" + imei + "&lat=-6.12&lon=106.15&key=" + key},
		{"wrong_key", "/?id=" + imei + "&lat=-6.12&lon=106.15&key=guess"},
		{"unknown_id", "/?id=000000000000000&lat=-6.12&lon=106.15&key=" + key},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", bc.target, nil)
			v := r.URL.Query()
			_, id, _ := first(v, "id")
			b.ReportAllocs()
			for b.Loop() {
				in.authenticate(r, v, id)
			}
		})
	}
}
