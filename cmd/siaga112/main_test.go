package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"siaga112/mapdata/mapdatatest"
	"siaga112/tracking"
	"siaga112/tracking/trackingtest"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(c config) bool
		wantErr string
	}{
		{"defaults", nil, nil, func(c config) bool {
			return c.HTTP == ":8080" && c.MQTTListen == ":1883" && c.MQTTURL == "" && !c.Demo && c.StaleAfter == time.Minute && c.OfflineAfter == 5*time.Minute
		}, ""},
		{"environment fills flags", nil, map[string]string{"SIAGA112_MQTT_URL": "tcp://10.0.0.1:1883", "SIAGA112_DEMO": "true", "SIAGA112_STALE_AFTER": "30s"}, func(c config) bool {
			return c.MQTTURL == "tcp://10.0.0.1:1883" && c.Demo && c.StaleAfter == 30*time.Second
		}, ""},
		{"a flag beats the environment", []string{"--http", ":9000"}, map[string]string{"SIAGA112_HTTP": ":7000"}, func(c config) bool {
			return c.HTTP == ":9000"
		}, ""},
		{"the demo stays on this machine", []string{"--demo"}, nil, func(c config) bool {
			return c.HTTP == "127.0.0.1:8080" && c.MQTTListen == "127.0.0.1:1883" && c.OsmAndListen == "127.0.0.1:5055" && c.MQTTListenDefault && c.OsmAndListenDefault
		}, ""},
		{"a demo told otherwise", []string{"--demo", "--http", ":9000"}, map[string]string{"SIAGA112_MQTT_LISTEN": ":1884"}, func(c config) bool {
			return c.HTTP == ":9000" && c.MQTTListen == ":1884" && c.OsmAndListen == "127.0.0.1:5055"
		}, ""},
		{"no demo: every interface", []string{"--demo=false"}, nil, func(c config) bool {
			return c.HTTP == ":8080" && c.MQTTListen == ":1883" && c.OsmAndListen == ":5055"
		}, ""},
		{"bad environment value", nil, map[string]string{"SIAGA112_DEMO": "maybe"}, nil, "SIAGA112_DEMO"},
		{"stale longer than offline", []string{"--stale-after", "10m"}, nil, nil, "--stale-after"},
		{"too many demo units", []string{"--demo-units", "0"}, nil, nil, "--demo-units"},
		{"log level", []string{"--log-level", "debug"}, nil, func(c config) bool { return c.LogLevel == slog.LevelDebug }, ""},
		{"travel defaults", nil, nil, func(c config) bool {
			return c.Travel.Detour == 1.4 && c.Travel.SpeedKmh["ambulance"] == 40 && c.Travel.SpeedKmh["hearse"] == 30
		}, ""},
		{"one speed changed, the rest kept", []string{"--speeds", "ambulance=50"}, map[string]string{"SIAGA112_DETOUR_FACTOR": "1.3"}, func(c config) bool {
			return c.Travel.Detour == 1.3 && c.Travel.SpeedKmh["ambulance"] == 50 && c.Travel.SpeedKmh["police"] == 45
		}, ""},
		{"speed of an unknown type", []string{"--speeds", "tank=20"}, nil, nil, `unknown unit type "tank"`},
		{"detour below 1", []string{"--detour-factor", "0.5"}, nil, nil, "--detour-factor"},
		{"broker defaults", nil, nil, func(c config) bool {
			return c.MQTTListenDefault && c.MQTTRate == 10 && c.MQTTBurst == 20 && c.MQTTConnectTimeout == 5*time.Second &&
				c.MQTTMaxConns == 10000 && c.MQTTMaxConnsPerIP == 500 && c.MQTTTLSListen == ""
		}, ""},
		{"--mqtt-listen given: no other port", []string{"--mqtt-listen", ":1884"}, nil, func(c config) bool { return !c.MQTTListenDefault }, ""},
		{"SIAGA112_MQTT_LISTEN given: no other port", nil, map[string]string{"SIAGA112_MQTT_LISTEN": ":1884"}, func(c config) bool { return !c.MQTTListenDefault }, ""},
		{"MQTT over TLS needs a certificate", []string{"--mqtt-tls-listen", ":8883"}, nil, nil, "--mqtt-tls-listen"},
		{"negative device rate", []string{"--mqtt-rate", "-1"}, nil, nil, "--mqtt-rate"},
		{"no connections allowed", []string{"--mqtt-max-conns-per-addr", "0"}, nil, nil, "--mqtt-max-conns"},
		{"webhooks to private addresses off by default", nil, nil, func(c config) bool { return !c.WebhookAllowPrivate }, ""},
		{"--webhook-allow-private", []string{"--webhook-allow-private"}, nil, func(c config) bool { return c.WebhookAllowPrivate }, ""},
		{"SIAGA112_WEBHOOK_ALLOW_PRIVATE", nil, map[string]string{"SIAGA112_WEBHOOK_ALLOW_PRIVATE": "true"}, func(c config) bool { return c.WebhookAllowPrivate }, ""},
		{"streets off by default", nil, nil, func(c config) bool { return c.OSM == "" && c.RoadSpeeds == nil && c.OSMSnapM == 500 }, ""},
		{"streets from the environment", []string{"--road-speeds", "primary=55"}, map[string]string{"SIAGA112_OSM": "serang.osm.pbf", "SIAGA112_OSM_SNAP": "250"}, func(c config) bool {
			return c.OSM == "serang.osm.pbf" && c.OSMSnapM == 250 && c.RoadSpeeds["primary"] == 55 && c.RoadSpeeds["motorway"] == 80
		}, ""},
		{"road speed of a footway", []string{"--road-speeds", "footway=5"}, nil, nil, "--road-speeds"},
		{"snap limit of nothing", []string{"--osm-snap", "0"}, nil, nil, "--osm-snap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("siaga112", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c, err := parseConfig(fs, tt.args, func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(c) {
				t.Fatalf("config %+v, err %v", c, err)
			}
		})
	}
}

// testToken is the admin token the tests' servers start with.
const testToken = "test-admin-token-0123456789"

// get is http.Get with the admin's bearer token.
func get(url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	return http.DefaultClient.Do(req)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncBuffer collects run's output across goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func testConfig(t *testing.T) config {
	return config{
		HTTP: freeAddr(t), MQTTListen: freeAddr(t), MQTTClientID: "test-" + t.Name(),
		DemoUnits: 10, StaleAfter: time.Minute, OfflineAfter: 5 * time.Minute,
		Travel: tracking.DefaultTravel(), AdminToken: testToken,
	}
}

// runPrinting runs the server in-process until the test ends; what it
// prints goes to the buffer returned.
func runPrinting(t *testing.T, cfg config) *syncBuffer {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.DiscardHandler), out) }()
	t.Cleanup(func() { cancel(); <-done })
	return out
}

// startRun runs the server in-process until the test ends.
func startRun(t *testing.T, cfg config) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.DiscardHandler), out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after shutdown", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not stop within 10 s")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "siaga112 is running") {
		select {
		case err := <-done:
			t.Fatalf("run ended early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("server not ready within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if cfg.TLSCert != "" {
		return "https://" + cfg.HTTP
	}
	return "http://" + cfg.HTTP
}

func unitLiveness(t *testing.T, base, id string) string {
	t.Helper()
	resp, err := get(base + "/api/units")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var fc struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		if f.ID == id {
			s, _ := f.Properties["liveness"].(string)
			return s
		}
	}
	return ""
}

func put(t *testing.T, url, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The first "done when": a fix published with mosquitto_pub to the
// default (embedded-broker) server shows the unit live at /api/units.
func TestMosquittoPubReachesDefaultServer(t *testing.T) {
	pub := trackingtest.Tool(t, "mosquitto_pub", "mosquitto-clients")
	cfg := testConfig(t)
	base := startRun(t, cfg)
	code, reg := call(t, "PUT", base+"/api/units/AMB-77", `{"type":"ambulance","agency":"dinkes","callsign":"Ambulans 77"}`)
	if code != 201 {
		t.Fatalf("register: %d", code)
	}
	creds := reg["mqtt"].(map[string]any) // the tracker's own credentials, shown once
	if got := unitLiveness(t, base, "AMB-77"); got != "offline" {
		t.Fatalf("before any fix: liveness %q, want offline", got)
	}
	_, port, _ := net.SplitHostPort(cfg.MQTTListen)
	payload := `{"_type":"location","lat":-6.12,"lon":106.15,"tst":` + strconv.FormatInt(time.Now().Unix(), 10) + `,"acc":8,"vel":42,"cog":90,"batt":80,"tid":"A1"}`
	start := time.Now()
	if out, err := exec.Command(pub, "-h", "127.0.0.1", "-p", port, "-u", creds["username"].(string), "-P", creds["password"].(string),
		"-t", "owntracks/dinkes/AMB-77", "-m", payload).CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_pub: %v: %s", err, out)
	}
	for unitLiveness(t, base, "AMB-77") != "live" {
		if time.Since(start) > 5*time.Second {
			t.Fatal("unit not live at /api/units 5 s after mosquitto_pub")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("live at /api/units %v after mosquitto_pub started", time.Since(start).Round(time.Millisecond))
}

// A demo listens on 127.0.0.1 unless told otherwise (parseConfig), and
// says at start how to open it to the network.
func TestDemoSaysHowToOpenIt(t *testing.T) {
	cfg := testConfig(t)
	cfg.Demo = true
	out := runPrinting(t, cfg)
	waitFor(t, "the start's last line", func() bool { return strings.Contains(out.String(), "docs/security.md") })
	for _, want := range []string{"siaga112 is running", "this machine only (127.0.0.1)", "--http :8080 --mqtt-listen :1883 --osmand-listen :5055"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the start says %q, without %q", out.String(), want)
		}
	}
}

func TestDemoFleetGoesLive(t *testing.T) {
	cfg := testConfig(t)
	cfg.Demo, cfg.DemoUnits = true, 10
	base := startRun(t, cfg)
	deadline := time.Now().Add(10 * time.Second)
	for {
		// The unit counts are details: they need credentials.
		req, _ := http.NewRequest("GET", base+"/healthz", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Status string         `json:"status"`
			Units  map[string]int `json:"units"`
		}
		json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if h.Status == "ok" && h.Units["live"] == 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo fleet not all live within 10 s: %+v", h)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestPortsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	tests := []struct {
		name  string
		tweak func(*config)
		words []string
	}{
		{"mqtt port", func(c *config) { c.MQTTListen = taken.Addr().String() }, []string{"--mqtt-listen", "--mqtt-url"}},
		{"http port", func(c *config) { c.HTTP = taken.Addr().String() }, []string{"--http"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			tt.tweak(&cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			err := run(ctx, cfg, slog.New(slog.DiscardHandler), io.Discard)
			if err == nil {
				t.Fatal("run started on a taken port")
			}
			for _, w := range tt.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %s", err, w)
				}
			}
		})
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds the server once per test run.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "siaga112-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "siaga112")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v: %s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// startBinary runs the server binary with args until the test ends and
// waits until it is ready.
func startBinary(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "SIAGA112_ADMIN_TOKEN="+testToken)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(stdout.String(), "siaga112 is running") {
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cmd, &stderr
}

// The real binary stops cleanly on SIGTERM and SIGINT.
func TestGracefulShutdownOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := binary(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cfg := testConfig(t)
			cmd := exec.Command(bin, "--http", cfg.HTTP, "--mqtt-listen", cfg.MQTTListen, "--demo")
			var stdout, stderr syncBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(stdout.String(), "siaga112 is running") {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("not ready: %s", stderr.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit: %v\n%s", err, stderr.String())
				}
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatal("did not stop within 10 s of the signal")
			}
			if !strings.Contains(stderr.String(), "siaga112 stopped") {
				t.Errorf("no goodbye in the log:\n%s", stderr.String())
			}
		})
	}
}

func TestBoundariesAtStart(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "broken.geojson")
	os.WriteFile(broken, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"36.73.01.1001","name":"Serang"},"geometry":{"type":"Polygon","coordinates":[[[106.14,-6.12],[106.15,-6.12],[106.15,-6.13]]]}}]}`), 0o644)
	cfg := testConfig(t)
	cfg.Boundaries = broken
	err := run(context.Background(), cfg, slog.New(slog.DiscardHandler), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "feature 1 (36.73.01.1001 Serang)") {
		t.Fatalf("started with a broken boundary file: %v", err)
	}

	official := mapdatatest.File(t, "kelurahan.geojson")
	cfg = testConfig(t)
	cfg.Boundaries = official
	base := startRun(t, cfg)
	resp, err := get(base + "/api/locate?lat=-6.110699&lon=106.177791")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"approximate":false`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}
