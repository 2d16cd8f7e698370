package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/owntracks"
	"siaga112/tracking/postgres/pgtest"
	"siaga112/tracking/trackingtest"
)

const trackerToken = "trackers-admin-token-0123456789"

// trackerStack is the whole server as `siaga112` runs it, with accounts on:
// the embedded broker, the OsmAnd listener and the web port.
type trackerStack struct {
	a      *app.App
	web    *httptest.Server
	osmand string // http://host:port
}

func newTrackerStack(t *testing.T, db string) *trackerStack {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{
		MQTTListen: "127.0.0.1:0", OsmAndListen: "127.0.0.1:0", AdminToken: trackerToken, DB: db,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	web := httptest.NewServer(a.Web)
	t.Cleanup(web.Close)
	return &trackerStack{a: a, web: web, osmand: "http://" + a.OsmAndAddr}
}

// api calls the API as the admin.
func (s *trackerStack) api(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.web.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+trackerToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// register makes a unit and returns its device password.
func (s *trackerStack) register(t *testing.T, id string) string {
	t.Helper()
	code, body := s.api(t, "PUT", "/api/units/"+id, `{"type":"ambulance","agency":"dinkes"}`)
	if code != http.StatusCreated {
		t.Fatalf("register %s: %d %s", id, code, body)
	}
	var f struct {
		MQTT struct{ Password string } `json:"mqtt"`
	}
	if err := json.Unmarshal([]byte(body), &f); err != nil || f.MQTT.Password == "" {
		t.Fatalf("no device password in %s", body)
	}
	return f.MQTT.Password
}

// unitProps reads a unit's properties from /api/units/{id}.
func (s *trackerStack) unitProps(t *testing.T, id string) map[string]any {
	t.Helper()
	code, body := s.api(t, "GET", "/api/units/"+id, "")
	if code != http.StatusOK {
		t.Fatalf("GET unit: %d %s", code, body)
	}
	var f struct{ Properties map[string]any }
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	return f.Properties
}

// curl runs curl as a tracker owner would, returning the status and body.
func curl(t *testing.T, args ...string) (int, string) {
	t.Helper()
	trackingtest.Tool(t, "curl", "curl")
	out, err := exec.Command("curl", append([]string{"-sS", "--max-time", "10", "-w", "\n%{http_code}"}, args...)...).Output()
	if err != nil {
		t.Fatalf("curl %v: %v", args, err)
	}
	s := strings.TrimRight(string(out), "\n")
	i := strings.LastIndex(s, "\n")
	var code int
	fmt.Sscan(s[i+1:], &code)
	return code, s[:max(i, 0)]
}

func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func loc(lat, lon float64, tst int64) string {
	return fmt.Sprintf(`{"_type":"location","lat":%g,"lon":%g,"tst":%d,"tid":"A1"}`, lat, lon, tst)
}

// The OwnTracks app over MQTT as it behaves (issue 14, "What broke" 1–4):
// a kept session (cleanSession=false) with a will, a QoS 1 transition on
// /event, then a location; waypoints and status on their subtopics;
// Android's default topic; an encrypted payload; an iOS location with a
// POI image. The app is never disconnected and everything it sends that
// siaga112 uses arrives; absent readings are null in /api/units.
func TestOwnTracksAppOverMQTT(t *testing.T) {
	s := newTrackerStack(t, "")
	id := fmt.Sprintf("OT%d", time.Now().UnixNano()%1e9)
	pass := s.register(t, id)
	const passphrase = "kunci rahasia 112"
	if code, body := s.api(t, "PUT", "/api/units/"+id, `{"type":"ambulance","agency":"dinkes","owntracks_secret":"`+passphrase+`"}`); code != http.StatusOK || strings.Contains(body, "rahasia") {
		t.Fatalf("set owntracks_secret: %d %s", code, body)
	}
	sub := s.a.Units.Bus().Subscribe(64)
	defer s.a.Units.Bus().Unsubscribe(sub)

	lost := make(chan error, 16)
	opts := paho.NewClientOptions().AddBroker(s.a.BrokerURL).SetClientID("owntracks-"+id).
		SetUsername(id).SetPassword(pass).SetCleanSession(false).SetProtocolVersion(4).
		SetWill("owntracks/dinkes/"+id, `{"_type":"lwt","tst":1764201000}`, 1, true).
		SetAutoReconnect(false).SetConnectionLostHandler(func(_ paho.Client, err error) { lost <- err })
	c := paho.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	pub := func(topic, payload string) {
		t.Helper()
		tok := c.Publish(topic, 1, true, payload)
		if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("publish to %s: %v", topic, tok.Error())
		}
	}
	now := time.Now().Unix()
	main := "owntracks/dinkes/" + id
	pub(main+"/event", fmt.Sprintf(`{"_type":"transition","event":"enter","desc":"RSUD dr. Drajat","rid":"a1b2","t":"c","lat":-6.1201,"lon":106.1502,"acc":10,"tst":%d,"wtst":1764100000,"tid":"A1"}`, now-5))
	pub(main+"/waypoints", `{"_type":"waypoints","waypoints":[{"_type":"waypoint","desc":"RSUD","lat":-6.12,"lon":106.15,"rad":100,"tst":1764100000}]}`)
	pub(main+"/status", `{"_type":"status","android":{"wifi":1,"hib":0,"bo":0,"loc":0}}`)
	pub(main, loc(-6.1102, 106.1633, now-4)) // no vel, cog or acc
	until(t, "the location after the transition", func() bool {
		u, _ := s.a.Units.Get(id)
		return u.Position.Lat == -6.1102
	})
	if evs := s.a.Units.RegionEvents(id); len(evs) != 1 || evs[0].Kind != tracking.RegionEnter || evs[0].Region != "RSUD dr. Drajat" {
		t.Fatalf("region events %+v", evs)
	}
	p := s.unitProps(t, id)
	for _, k := range []string{"speed_kmh", "heading", "accuracy_m", "battery"} {
		if v, ok := p[k]; !ok || v != nil {
			t.Errorf("%s = %v in /api/units, want null (the tracker did not say)", k, v)
		}
	}

	// Android's default topic owntracks/<username>/<device>.
	pub("owntracks/"+id+"/Pixel7", loc(-6.1110, 106.1640, now-3))
	until(t, "the fix on Android's default topic", func() bool { u, _ := s.a.Units.Get(id); return u.Position.Lat == -6.1110 })

	// An encrypted payload, sealed with the passphrase as the apps do.
	sealed, err := owntracks.Encrypt([]byte(loc(-6.1120, 106.1650, now-2)), []byte(passphrase), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub(main, string(sealed))
	until(t, "the encrypted fix", func() bool { u, _ := s.a.Units.Get(id); return u.Position.Lat == -6.1120 })

	// iOS location with a POI image: about 40 KiB.
	image := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 0xE0}, 7500))
	pub(main, fmt.Sprintf(`{"_type":"location","acc":5,"alt":41,"batt":83,"bs":1,"conn":"w","cog":270,"vel":38,"lat":-6.1130,"lon":106.1660,`+
		`"poi":"Pasar Lama","image":%q,"imagename":"poi.jpg","tid":"A1","tst":%d}`, image, now-1))
	until(t, "the iOS fix with a POI image", func() bool { u, _ := s.a.Units.Get(id); return u.Position.Lat == -6.1130 })
	if p := s.unitProps(t, id); p["heading"] != 270.0 || p["speed_kmh"] != 38.0 || p["battery"] != 83.0 {
		t.Fatalf("iOS readings in /api/units: %v", p)
	}

	// Null island is refused and counted; the unit stays where it was.
	pub(main, loc(0, 0, now))
	until(t, "null island counted", func() bool { return s.a.Ingest.Stats().Rejected["null_island"] == 1 })
	if u, _ := s.a.Units.Get(id); u.Position.Lat != -6.1130 {
		t.Fatalf("null island moved the unit: %+v", u.Position)
	}
	select {
	case err := <-lost:
		t.Fatalf("the app was disconnected: %v", err)
	default:
	}
	if !c.IsConnected() {
		t.Fatal("the app is not connected")
	}
	seen := false
	for !seen {
		select {
		case e := <-sub.C:
			seen = e.Kind == "region" && e.Region != nil && e.Region.UnitID == id
		case <-time.After(time.Second):
			t.Fatal("no region event on the bus")
		}
	}
	if u, _ := s.a.Units.Get(id); u.Liveness != tracking.Live {
		t.Fatalf("unit %s is %s, want live", id, u.Liveness)
	}

	// The app goes away and comes back to its kept session.
	c.Disconnect(100)
	c = paho.NewClient(opts.SetConnectionLostHandler(nil))
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("reconnect to the kept session: %v", tok.Error())
	}
	defer c.Disconnect(100)
	pub(main, loc(-6.1140, 106.1670, now))
	until(t, "a fix after the reconnect", func() bool { u, _ := s.a.Units.Get(id); return u.Position.Lat == -6.1140 })
}

// OwnTracks HTTP mode, with curl: POST /pub with the device's Basic auth
// answers 200 [] when the fix was applied or refused for what it holds
// (so that the app drops it), 401 without the device password.
func TestOwnTracksHTTPMode(t *testing.T) {
	trackingtest.Tool(t, "curl", "curl")
	s := newTrackerStack(t, "")
	id := fmt.Sprintf("OH%d", time.Now().UnixNano()%1e9)
	pass := s.register(t, id)
	now := time.Now().Unix()
	pubURL := s.web.URL + "/pub"
	big := `{"_type":"location","pad":"` + strings.Repeat("x", owntracks.MaxPayload) + `"}`
	tests := []struct {
		name, user, body string
		code             int
		answer           string
	}{
		{"location", id + ":" + pass, loc(-6.1201, 106.1502, now-10), 200, "[]"},
		{"transition", id + ":" + pass, fmt.Sprintf(`{"_type":"transition","event":"leave","desc":"Pos","tst":%d}`, now-9), 200, "[]"},
		{"waypoints acknowledged", id + ":" + pass, `{"_type":"waypoints","waypoints":[]}`, 200, "[]"},
		{"wrong password", id + ":nope", loc(-6.12, 106.15, now), 401, "wrong password"},
		{"no auth", "", loc(-6.12, 106.15, now), 401, "Basic auth"},
		// Refused for what they hold: 200 [] so that the app drops them.
		{"null island: dropped", id + ":" + pass, loc(0, 0, now), 200, "[]"},
		{"a day ahead: dropped", id + ":" + pass, loc(-6.12, 106.15, now+25*3600), 200, "[]"},
		{"not JSON: dropped", id + ":" + pass, "garbage", 200, "[]"},
		{"too large: dropped", id + ":" + pass, big, 200, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"-X", "POST", "-H", "Content-Type: application/json", "-H", "X-Limit-U: " + id, "-H", "X-Limit-D: phone", "--data-binary", "@-", pubURL}
			if tt.user != "" {
				args = append([]string{"-u", tt.user}, args...)
			}
			cmd := exec.Command("curl", append([]string{"-sS", "--max-time", "10", "-w", "\n%{http_code}"}, args...)...)
			cmd.Stdin = strings.NewReader(tt.body)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("curl: %v", err)
			}
			got := string(out)
			if !strings.HasSuffix(got, fmt.Sprint(tt.code)) || !strings.Contains(got, tt.answer) {
				t.Fatalf("answered %q, want %d with %q", got, tt.code, tt.answer)
			}
		})
	}
	if u, _ := s.a.Units.Get(id); u.Position.Lat != -6.1201 {
		t.Fatalf("position %+v", u.Position)
	}
	if evs := s.a.Units.RegionEvents(id); len(evs) != 1 || evs[0].Kind != tracking.RegionLeave {
		t.Fatalf("region events %+v", evs)
	}
	// /pub is not behind the API's sessions: without a device login it is
	// 401 with a Basic challenge, never a redirect to sign in.
	code, _ := curl(t, "-X", "POST", "-d", "{}", pubURL)
	if code != 401 {
		t.Fatalf("anonymous /pub: %d", code)
	}
}

// Traccar Client and OsmAnd-protocol trackers, with curl: query, form and
// JSON on the OsmAnd port; the web port tells a misdirected tracker which
// port to use; every refusal has a status the tracker understands.
func TestOsmAndAndTraccarClient(t *testing.T) {
	s := newTrackerStack(t, "")
	id := fmt.Sprintf("OS%d", time.Now().UnixNano()%1e9)
	other := id + "b"
	pass := s.register(t, id)
	s.register(t, other)
	imei := fmt.Sprint(356938035643809 + time.Now().UnixNano()%1000)
	if code, body := s.api(t, "PUT", "/api/units/"+id, `{"type":"ambulance","agency":"dinkes","tracker_id":"`+imei+`"}`); code != 200 || !strings.Contains(body, imei) {
		t.Fatalf("set tracker_id: %d %s", code, body)
	}
	code, body := s.api(t, "PUT", "/api/units/"+other, `{"type":"ambulance","agency":"dinkes","tracker_id":"`+imei+`"}`)
	if code != http.StatusConflict || !strings.Contains(body, id) {
		t.Fatalf("duplicate tracker_id: %d %s, want 409 naming %s", code, body, id)
	}
	if code, body := s.api(t, "PUT", "/api/units/"+id+"c", `{"type":"ambulance","agency":"dinkes","tracker_id":"`+imei+`"}`); code != http.StatusConflict {
		t.Fatalf("new unit with a duplicate tracker_id: %d %s", code, body)
	}
	if code, _ := s.api(t, "GET", "/api/units/"+id+"c", ""); code != http.StatusNotFound {
		t.Fatalf("a unit refused with 409 was registered anyway: %d", code)
	}
	now := time.Now()
	tests := []struct {
		name   string
		args   []string
		code   int
		answer string
		lat    float64
	}{
		{"OsmAnd GET query, no speed or bearing", []string{s.osmand + fmt.Sprintf("/?id=%s&lat=-6.1201&lon=106.1502&timestamp=%d&key=%s", imei, now.Unix()-10, pass)}, 200, "", -6.1201},
		{"OsmAnd POST form", []string{"-d", fmt.Sprintf("id=%s&lat=-6.1202&lon=106.1503&timestamp=%d&speed=10&bearing=90&accuracy=8&batt=77&key=%s", imei, now.Unix()-9, pass), s.osmand + "/"}, 200, "", -6.1202},
		{"Traccar Client JSON", []string{"-H", "Content-Type: application/json", "-d",
			fmt.Sprintf(`{"device_id":%q,"location":{"timestamp":%q,"coords":{"latitude":-6.1203,"longitude":106.1504,"speed":5,"heading":180,"accuracy":6,"altitude":30},"battery":{"level":0.6}}}`,
				imei, now.Add(-8*time.Second).UTC().Format(time.RFC3339)), s.osmand + "/?key=" + pass}, 200, "", -6.1203},
		{"no key", []string{s.osmand + fmt.Sprintf("/?id=%s&lat=-6.12&lon=106.15&timestamp=%d", imei, now.Unix())}, 401, "key=", 0},
		{"unknown id", []string{s.osmand + fmt.Sprintf("/?id=999&lat=-6.12&lon=106.15&timestamp=%d&key=%s", now.Unix(), pass)}, 401, "unknown tracker id or wrong key", 0},
		{"null island", []string{s.osmand + fmt.Sprintf("/?id=%s&lat=0&lon=0&timestamp=%d&key=%s", imei, now.Unix(), pass)}, 400, "lat", 0},
		{"bad latitude", []string{s.osmand + fmt.Sprintf("/?id=%s&lat=abc&lon=106.15&key=%s", imei, pass)}, 400, "lat", 0},
		{"a day ahead", []string{s.osmand + fmt.Sprintf("/?id=%s&lat=-6.12&lon=106.15&timestamp=%d&key=%s", imei, now.Unix()+25*3600, pass)}, 400, "ahead", 0},
		{"web port, misdirected", []string{s.web.URL + fmt.Sprintf("/?id=%s&lat=-6.12&lon=106.15", imei)}, 400, "port " + s.a.OsmAndAddr[strings.LastIndex(s.a.OsmAndAddr, ":")+1:], 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := curl(t, tt.args...)
			if code != tt.code || !strings.Contains(body, tt.answer) {
				t.Fatalf("answered %d %q, want %d with %q", code, body, tt.code, tt.answer)
			}
			if tt.lat != 0 {
				if u, _ := s.a.Units.Get(id); u.Position.Lat != tt.lat {
					t.Fatalf("position %+v, want lat %v", u.Position, tt.lat)
				}
			}
		})
		if tt.name == "OsmAnd GET query, no speed or bearing" {
			p := s.unitProps(t, id)
			if p["speed_kmh"] != nil || p["heading"] != nil || p["accuracy_m"] != nil {
				t.Fatalf("absent readings not null in /api/units: %v", p)
			}
		}
	}
	if p := s.unitProps(t, id); p["heading"] != 180.0 || p["speed_kmh"] != 18.0 {
		t.Fatalf("Traccar Client readings in /api/units: %v", p)
	}
}

// The OwnTracks secret and the tracker id survive a restart with --db, and
// the secret never appears in an answer.
func TestTrackerSettingsSurviveRestart(t *testing.T) {
	db := pgtest.URL(t)
	s := newTrackerStack(t, db)
	id := fmt.Sprintf("RS%d", time.Now().UnixNano()%1e9)
	pass := s.register(t, id)
	const passphrase = "tetap rahasia"
	code, body := s.api(t, "PUT", "/api/units/"+id, `{"type":"ambulance","agency":"dinkes","tracker_id":"IMEI-`+id+`","owntracks_secret":"`+passphrase+`"}`)
	if code != 200 || strings.Contains(body, passphrase) {
		t.Fatalf("PUT: %d %s", code, body)
	}
	if _, list := s.api(t, "GET", "/api/units", ""); strings.Contains(list, passphrase) {
		t.Fatal("the secret is in /api/units")
	}
	// A fix without speed, heading or accuracy, through the OsmAnd port.
	if code, body := curl(t, s.osmand+fmt.Sprintf("/?id=IMEI-%s&lat=-6.1201&lon=106.1502&timestamp=%d&key=%s", id, time.Now().Unix(), pass)); code != 200 {
		t.Fatalf("OsmAnd fix: %d %s", code, body)
	}
	s.web.Close()
	s.a.Close() // flushes the positions

	s2 := newTrackerStack(t, db)
	if got := string(s2.a.Units.OwnTracksSecret(id)); got != passphrase {
		t.Fatalf("secret after restart %q", got)
	}
	if u, ok := s2.a.Units.UnitByTrackerID("IMEI-" + id); !ok || u != id {
		t.Fatalf("tracker id after restart: %q %v", u, ok)
	}
	p := s2.unitProps(t, id)
	if p["reported_at"] == nil || p["speed_kmh"] != nil || p["heading"] != nil || p["accuracy_m"] != nil {
		t.Fatalf("after a restart, absent readings must stay null (PostgreSQL NULL, never 0): %v", p)
	}
}

// The OsmAnd port taken: when the operator did not ask for it, the server
// starts without the listener (the README's first command must work); when
// they did, it says so and stops.
func TestOsmAndPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, asked := range []bool{false, true} {
		a, err := app.New(context.Background(), app.Config{
			NoMQTT: true, OpenAPI: true, OsmAndListen: l.Addr().String(), OsmAndListenDefault: !asked,
		}, slog.New(slog.DiscardHandler))
		if asked {
			if err == nil || !strings.Contains(err.Error(), "--osmand-listen") {
				t.Fatalf("asked for a taken port: err = %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("default port taken: %v", err)
		}
		if a.OsmAndAddr != "" {
			t.Fatalf("OsmAnd listener on %s", a.OsmAndAddr)
		}
		web := httptest.NewServer(a.Web)
		resp, err := http.Get(web.URL + "/?id=1&lat=-6.1&lon=106.1")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		web.Close()
		a.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(b), "turned off") {
			t.Fatalf("misdirected tracker with the listener off: %d %s", resp.StatusCode, b)
		}
	}
}
