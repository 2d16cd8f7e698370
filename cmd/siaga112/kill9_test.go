package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/postgres/pgtest"
)

// kill -9 in the middle of dispatches: every dispatch the server answered
// has its incident, its assignments and its units' statuses in the
// database, and nothing is there by halves (an open assignment whose unit
// is not busy, or a busy unit with no open assignment). Before the change
// path a dispatch committed the incident and each unit separately.
func TestKill9MidDispatches(t *testing.T) {
	db := pgtest.URL(t)
	if testing.Short() {
		t.Skip("builds and kills the binary; skipped with -short")
	}
	cfg := testConfig(t)
	cmd, _ := startBinary(t, "--db", db, "--http", cfg.HTTP, "--mqtt-listen", cfg.MQTTListen)
	base := "http://" + cfg.HTTP
	pub, err := mqtt.NewPublisher(mqtt.PublisherConfig{URL: "tcp://" + cfg.MQTTListen, ClientID: "kill9-fleet", QoS: 1, Username: "admin", Password: testToken})
	if err != nil {
		t.Fatal(err)
	}
	const units = 200
	for i := range units {
		id := fmt.Sprintf("K9-%02d", i)
		if code, _ := call(t, "PUT", base+"/api/units/"+id, `{"type":"ambulance","agency":"dinkes"}`); code != 201 {
			t.Fatalf("register %s: %d", id, code)
		}
		pub.PublishFix("dinkes", id, tracking.Position{Lon: 106.17 + float64(i)*1e-4, Lat: -6.11, At: time.Now(), Battery: -1})
	}
	pub.Close()
	waitFor(t, "fleet live", func() bool {
		_, h := call(t, "GET", base+"/healthz", "")
		n, _ := h["units"].(map[string]any)["live"].(float64)
		return n == units
	})

	type answered struct{ incident, unit string }
	var mu sync.Mutex
	var done []answered
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	post := func(url, body string) (int, map[string]any, error) {
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v, nil
	}
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				code, in, err := post(base+"/api/incidents", fmt.Sprintf(`{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"0813%02d%03d"}`, w, i))
				if err != nil || code != 201 {
					return // killed
				}
				code, res, err := post(base+"/api/incidents/"+in["id"].(string)+"/dispatch", "")
				if err != nil {
					return
				}
				if code != 200 {
					continue // no unit left: fine
				}
				mu.Lock()
				for _, a := range res["assigned"].([]any) {
					done = append(done, answered{in["id"].(string), a.(map[string]any)["unit_id"].(string)})
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(400 * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL mid-stream
		t.Fatal(err)
	}
	cmd.Wait()
	wg.Wait()
	if len(done) == 0 {
		t.Fatal("no dispatch was answered before the kill")
	}

	conn := pgtest.Conn(t, db)
	ctx := t.Context()
	for _, d := range done {
		var st, unitStatus string
		err := conn.QueryRow(ctx, `SELECT a.status, u.status FROM assignments a JOIN incidents i ON i.id = a.incident_id
			JOIN units u ON u.id = a.unit_id WHERE a.incident_id = $1 AND a.unit_id = $2`, d.incident, d.unit).Scan(&st, &unitStatus)
		if err != nil || st != "dispatched" || unitStatus != "dispatched" {
			t.Errorf("dispatch %s → %s answered but in the database: assignment %q, unit %q (%v)", d.incident, d.unit, st, unitStatus, err)
		}
	}
	var half int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM units u WHERE
		(u.status = 'dispatched') <> EXISTS (SELECT 1 FROM assignments a WHERE a.unit_id = u.id AND a.status = 'dispatched')`).Scan(&half); err != nil || half != 0 {
		t.Fatalf("%d units are half dispatched in the database (%v)", half, err)
	}
	t.Logf("%d of %d units dispatched (answered) before kill -9; all whole in PostgreSQL", len(done), units)
}
