package httpingest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/owntracks"
)

var (
	androidLocation = `{"_type":"location","_id":"1f2e3d4c","acc":12,"alt":35,"batt":64,"bs":1,"conn":"m","created_at":1764201595,` +
		`"lat":-6.1102,"lon":106.1633,"m":3,"t":"u","tid":"01","tst":1764201595,"vac":2,"vel":0}`
	iosPOI = `{"_type":"location","acc":5,"alt":41,"batt":83,"bs":1,"conn":"w","cog":270,"lat":-6.1201,"lon":106.1502,"m":1,` +
		`"poi":"Pasar Lama","image":"` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xFF, 0xD8, 0x10}, 12000)) +
		`","imagename":"poi.jpg","tid":"A1","tst":1764201590,"vac":3,"vel":38}`
	transition = `{"_type":"transition","acc":10,"desc":"RSUD Serang","event":"enter","lat":-6.1199,"lon":106.15,"rid":"5f1d2a","t":"c","tid":"A1","tst":1764201500,"wtst":1764100000}`
)

func encrypted(t *testing.T, plain string) string {
	t.Helper()
	env, err := owntracks.Encrypt([]byte(plain), []byte("kota serang 112"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return string(env)
}

// TestOwnTracksHTTP speaks the apps' HTTP mode to a real HTTP server: POST
// with Basic auth and the X-Limit headers, JSON body, "[]" when applied.
func TestOwnTracksHTTP(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		user, pass string // "" user: no Authorization header
		header     map[string]string
		body       string
		fleetErr   error
		wantStatus int
		wantReason Reason // counted refusal; "" for a 200
		wantInBody string
		check      func(t *testing.T, w *world)
	}{
		{
			name: "Android location", body: androidLocation, wantStatus: 200,
			header: map[string]string{"X-Limit-U": "AMB-01", "X-Limit-D": "pixel7"},
			check: func(t *testing.T, w *world) {
				fs := w.applied("AMB-01")
				if len(fs) != 1 || fs[0].Heading.Valid || fs[0].SpeedKmh != tracking.Some(0) || fs[0].Lat != -6.1102 {
					t.Fatalf("applied %+v", fs)
				}
			},
		},
		{
			name: "iOS location with a POI image (over 4 KiB)", body: iosPOI, wantStatus: 200,
			check: func(t *testing.T, w *world) {
				if fs := w.applied("AMB-01"); len(fs) != 1 || fs[0].Heading != tracking.Some(270) {
					t.Fatalf("applied %+v", fs)
				}
			},
		},
		{
			name: "encrypted with the unit's passphrase", wantStatus: 200,
			check: func(t *testing.T, w *world) {
				if fs := w.applied("AMB-01"); len(fs) != 1 || fs[0].Lon != 106.1633 {
					t.Fatalf("applied %+v", fs)
				}
			},
		},
		{
			name: "transition recorded for the signed-in unit", body: transition, wantStatus: 200,
			check: func(t *testing.T, w *world) {
				if len(w.events) != 1 || w.events[0].UnitID != "AMB-01" || w.events[0].Kind != tracking.RegionEnter || w.events[0].Region != "RSUD Serang" {
					t.Fatalf("events %+v", w.events)
				}
			},
		},
		{
			name: "waypoints acknowledged, nothing applied", body: `{"_type":"waypoints","waypoints":[]}`, wantStatus: 200,
			check: func(t *testing.T, w *world) {
				if w.total() != 0 {
					t.Fatal("something was applied")
				}
			},
		},
		{name: "no credentials", user: "-", body: androidLocation, wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "wrong password", pass: "guess", body: androidLocation, wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "unknown unit", user: "AMB-99", body: androidLocation, wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "X-Limit-U names another unit", header: map[string]string{"X-Limit-U": "AMB-02"}, body: androidLocation,
			wantStatus: 400, wantReason: ReasonBadHeader, wantInBody: "X-Limit-U"},
		// Refused for what they hold: 200 [] so that the app drops them
		// (a 400 stays at the head of its queue for ever), counted by reason.
		{name: "null island: dropped", body: `{"_type":"location","lat":0,"lon":0,"tst":1764201600}`, wantStatus: 200,
			wantReason: Reason(owntracks.ReasonNullIsland)},
		{name: "3 days ahead: dropped", body: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764460800}`, wantStatus: 200,
			wantReason: Reason(owntracks.ReasonFuture)},
		{name: "6 minutes ahead: dropped", body: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201960}`, wantStatus: 200,
			wantReason: Reason(owntracks.ReasonFuture)},
		{name: "latitude 91: dropped", body: `{"_type":"location","lat":91,"lon":106.1,"tst":1764201600}`, wantStatus: 200,
			wantReason: Reason(owntracks.ReasonOutOfRange)},
		{name: "not JSON: dropped", body: `lat=1`, wantStatus: 200, wantReason: Reason(owntracks.ReasonNotJSON)},
		{name: "a sealed payload that does not open: dropped", body: `{"_type":"encrypted","data":"bm90IHNlYWxlZA=="}`, wantStatus: 200,
			wantReason: Reason(owntracks.ReasonDecrypt)},
		{name: "missing tst: dropped", body: `{"_type":"location","lat":-6.1,"lon":106.1}`, wantStatus: 200,
			wantReason: Reason(owntracks.ReasonMissingField)},
		{name: "over 64 KiB: dropped", body: `{"_type":"location","pad":"` + strings.Repeat("x", 64<<10) + `"}`, wantStatus: 200, wantReason: ReasonTooLarge},
		{name: "fleet refuses the fix: dropped", body: androidLocation, fleetErr: tracking.Errorf(tracking.CodeOutsideArea, "outside the service area"),
			wantStatus: 200, wantReason: ReasonRefusedFix},
		{name: "GET", method: "GET", wantStatus: 405, wantReason: ReasonMethod},
		{name: "unit gone from the fleet", body: androidLocation, fleetErr: tracking.Errorf(tracking.CodeNotFound, "unit AMB-01 is not registered"),
			wantStatus: 404, wantReason: ReasonUnknownID},
		{name: "fleet failing: retry later", body: androidLocation, fleetErr: io.ErrUnexpectedEOF, wantStatus: 503, wantReason: ReasonUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld()
			w.fleetErr = tt.fleetErr
			in := newIngest(w)
			srv := httptest.NewServer(in.OwnTracks())
			defer srv.Close()
			body := tt.body
			if strings.HasPrefix(tt.name, "encrypted") {
				body = encrypted(t, androidLocation)
			}
			method := tt.method
			if method == "" {
				method = "POST"
			}
			req, _ := http.NewRequest(method, srv.URL+"/pub", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			user, pass := tt.user, tt.pass
			if user == "" {
				user = "AMB-01"
			}
			if pass == "" {
				pass = "s3cret"
			}
			if user != "-" {
				req.SetBasicAuth(user, pass)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
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
			switch {
			case tt.wantStatus == 200 && tt.wantReason != "": // dropped
				if string(got) != "[]" || resp.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("body %q (%s), want []", got, resp.Header.Get("Content-Type"))
				}
				if in.Refused(ProtoOwnTracks, tt.wantReason) != 1 || in.Accepted(ProtoOwnTracks) != 0 {
					t.Fatalf("refusal %q not counted (or counted as accepted)", tt.wantReason)
				}
				if w.total() != 0 {
					t.Fatal("a dropped payload was applied")
				}
			case tt.wantStatus == 200:
				if string(got) != "[]" || resp.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("body %q (%s), want []", got, resp.Header.Get("Content-Type"))
				}
				if in.Accepted(ProtoOwnTracks) != 1 {
					t.Fatal("not counted as accepted")
				}
			default:
				if in.Refused(ProtoOwnTracks, tt.wantReason) != 1 {
					t.Fatalf("refusal %q not counted; body %s", tt.wantReason, got)
				}
				if !strings.Contains(string(got), `"error"`) || !strings.Contains(string(got), tt.wantInBody) {
					t.Fatalf("body %s does not name the problem (%q)", got, tt.wantInBody)
				}
				if w.total() != 0 {
					t.Fatal("a refused request was applied")
				}
			}
			if tt.wantStatus == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
			if tt.check != nil {
				tt.check(t, w)
			}
		})
	}
}

func TestOwnTracksEncryptedWithoutSecret(t *testing.T) {
	w := newWorld()
	in := newIngest(w)
	srv := httptest.NewServer(in.OwnTracks())
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/pub", strings.NewReader(encrypted(t, androidLocation)))
	req.SetBasicAuth("AMB-02", "other") // AMB-02 has no secret set
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || in.Refused(ProtoOwnTracks, Reason(owntracks.ReasonNoSecret)) != 1 || w.total() != 0 {
		t.Fatalf("status %d: want 200 [], counted as no_secret, nothing applied", resp.StatusCode)
	}
}

func TestOwnTracksRateLimit(t *testing.T) {
	w := newWorld()
	in := New(Config{Devices: w, Trackers: w, Fleet: w, Now: func() time.Time { return now }, RatePerSecond: 0.001, Burst: 2})
	srv := httptest.NewServer(in.OwnTracks())
	defer srv.Close()
	var statuses []int
	for range 3 {
		req, _ := http.NewRequest("POST", srv.URL+"/pub", strings.NewReader(androidLocation))
		req.SetBasicAuth("AMB-01", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
	if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 429 || in.Refused(ProtoOwnTracks, ReasonRateLimited) != 1 {
		t.Fatalf("statuses %v", statuses)
	}
	// Another unit has its own bucket.
	req, _ := http.NewRequest("POST", srv.URL+"/pub", strings.NewReader(androidLocation))
	req.SetBasicAuth("AMB-02", "other")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("AMB-02: %d", resp.StatusCode)
	}
}
