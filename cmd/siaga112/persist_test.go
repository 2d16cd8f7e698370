package main

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/postgres/pgtest"
)

// The "done when": register, report, create, dispatch, kill -9,
// restart on the same database, and everything is there.
func TestStateSurvivesKill9(t *testing.T) {
	db := pgtest.URL(t)
	if testing.Short() {
		t.Skip("builds and kills the binary; skipped with -short")
	}
	cfg := testConfig(t)
	cmd, _ := startBinary(t, "--db", db, "--http", cfg.HTTP, "--mqtt-listen", cfg.MQTTListen)
	base := "http://" + cfg.HTTP
	if code, _ := call(t, "PUT", base+"/api/units/AMB-9", `{"type":"ambulance","agency":"dinkes","callsign":"Ambulans 9"}`); code != 201 {
		t.Fatalf("register: %d", code)
	}
	pub, err := mqtt.NewPublisher(mqtt.PublisherConfig{URL: "tcp://" + cfg.MQTTListen, ClientID: "kill9-crew", QoS: 1, Username: "admin", Password: testToken})
	if err != nil {
		t.Fatal(err)
	}
	fixAt := time.Now().Truncate(time.Millisecond)
	if err := pub.PublishFix("dinkes", "AMB-9", tracking.Position{Lon: 106.1801, Lat: -6.1102, At: fixAt, SpeedKmh: tracking.Some(30), Battery: 77}); err != nil {
		t.Fatal(err)
	}
	pub.Close()
	waitFor(t, "unit live", func() bool {
		_, u := call(t, "GET", base+"/api/units/AMB-9", "")
		return u["properties"].(map[string]any)["liveness"] == "live"
	})
	code, in := call(t, "POST", base+"/api/incidents", `{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"0812-9999","description":"jatuh"}`)
	if code != 201 || in["persisted"] != true {
		t.Fatalf("create: %d %v", code, in)
	}
	id := in["id"].(string)
	code, res := call(t, "POST", base+"/api/incidents/"+id+"/dispatch", "")
	if code != 200 || res["incident"].(map[string]any)["persisted"] != true {
		t.Fatalf("dispatch: %d %v", code, res)
	}
	time.Sleep(1200 * time.Millisecond)        // the position flush runs every 500 ms
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no goodbye, no flush
		t.Fatal(err)
	}
	cmd.Wait()

	cfg2 := testConfig(t)
	startBinary(t, "--db", db, "--http", cfg2.HTTP, "--mqtt-listen", cfg2.MQTTListen)
	base = "http://" + cfg2.HTTP
	code, got := call(t, "GET", base+"/api/incidents/"+id, "")
	if code != 200 || got["status"] != "open" || got["description"] != "jatuh" {
		t.Fatalf("incident after kill -9: %d %v", code, got)
	}
	as := got["assignments"].([]any)
	if len(as) != 1 || as[0].(map[string]any)["unit_id"] != "AMB-9" || as[0].(map[string]any)["status"] != "dispatched" {
		t.Fatalf("assignment after kill -9: %v", as)
	}
	_, u := call(t, "GET", base+"/api/units/AMB-9", "")
	props := u["properties"].(map[string]any)
	coords := fmt.Sprint(u["geometry"].(map[string]any)["coordinates"])
	if props["status"] != "dispatched" || props["callsign"] != "Ambulans 9" || coords != "[106.1801 -6.1102]" ||
		!strings.HasPrefix(props["reported_at"].(string), fixAt.UTC().Format("2006-01-02T15:04:05")) {
		t.Fatalf("unit after kill -9: %v %v", props, coords)
	}
	// The unit is busy: the recovered state still refuses to send it twice.
	_, in2 := call(t, "POST", base+"/api/incidents", `{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"0812-8888"}`)
	if code, _ := call(t, "POST", base+"/api/incidents/"+in2["id"].(string)+"/dispatch", `{"unit_ids":["AMB-9"]}`); code != 409 {
		t.Fatalf("dispatching the recovered busy unit: %d", code)
	}
	if in2["id"] == id {
		t.Fatal("incident ids repeat after the restart")
	}
}

// PostgreSQL goes away behind a proxy: dispatch keeps working from memory,
// answers say "persisted": false, /healthz and /metrics raise the alarm, and
// the queue drains when the database returns.
func TestDatabaseOutageThroughTheAPI(t *testing.T) {
	db := pgtest.URL(t)
	proxy := pgtest.StartProxy(t, pgtest.Target(db))
	cfg := testConfig(t)
	cfg.DB = proxy.Via(db)
	base := startRun(t, cfg)
	if code, _ := call(t, "PUT", base+"/api/units/AMB-5", `{"type":"ambulance","agency":"dinkes"}`); code != 201 {
		t.Fatal("register")
	}

	proxy.Cut()
	code, in := call(t, "POST", base+"/api/incidents", `{"category":"stunting","lat":-6.110699,"lon":106.177791,"caller":"0812-7777"}`)
	if code != 201 || in["persisted"] != false {
		t.Fatalf("create during the outage: %d %v", code, in)
	}
	id := in["id"].(string)
	code, acked := call(t, "POST", base+"/api/incidents/"+id+"/ack", "")
	if code != 200 || acked["persisted"] != false {
		t.Fatalf("ack during the outage: %d %v", code, acked)
	}
	code, health := call(t, "GET", base+"/healthz", "")
	if code != 503 || !strings.Contains(fmt.Sprint(health["components"]), "database unreachable") {
		t.Fatalf("healthz during the outage: %d %v", code, health)
	}
	if m := metrics(t, base); !strings.Contains(m, "siaga112_db_up 0") || !strings.Contains(m, "siaga112_db_queued_writes 2") {
		t.Fatalf("metrics during the outage:\n%s", m)
	}

	proxy.Restore()
	waitFor(t, "healthy again", func() bool { code, _ := call(t, "GET", base+"/healthz", ""); return code == 200 })
	conn := pgtest.Conn(t, db)
	var acted bool
	if err := conn.QueryRow(t.Context(), `SELECT agency_acted_at IS NOT NULL FROM incidents WHERE id = $1`, id).Scan(&acted); err != nil || !acted {
		t.Fatalf("after the outage the database has the incident: acted=%v err=%v", acted, err)
	}
}

func metrics(t *testing.T, base string) string {
	t.Helper()
	resp, err := get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
