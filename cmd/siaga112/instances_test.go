package main

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/postgres/pgtest"
	"siaga112/tracking/trackingtest"
)

// Two instances of the real binary on one database and the shared external
// broker (issue 17): what one records the other serves, no unit is sent
// twice, positions are written once, and after kill -9 of one the other
// goes on with everything.
func TestTwoInstancesOneTruth(t *testing.T) {
	db := pgtest.URL(t)
	broker := trackingtest.Env(t, "MQTT_TEST_URL", "an external broker both instances share, e.g. tcp://127.0.0.1:1883; bash .ci/run sets it")
	if testing.Short() {
		t.Skip("builds and runs the binary twice; skipped with -short")
	}
	tag := fmt.Sprintf("T%d", time.Now().UnixNano()) // the broker is shared: ids of our own
	start := func(name string) (*instance, string) {
		cfg := testConfig(t)
		cmd, stderr := startBinary(t, "--db", db, "--http", cfg.HTTP, "--mqtt-url", broker, "--mqtt-client-id", tag+"-"+name, "--arrival-dwell", "1s")
		return &instance{cmd: cmd, stderr: stderr}, "http://" + cfg.HTTP
	}
	a, baseA := start("a")
	b, baseB := start("b")
	bases := []string{baseA, baseB}

	// Registrations on A are seen on B.
	const units = 10
	ids := make([]string, units)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-AMB%02d", tag, i)
		if code, _ := call(t, "PUT", baseA+"/api/units/"+ids[i], `{"type":"ambulance","agency":"dinkes"}`); code != 201 {
			t.Fatalf("register %s: %d", ids[i], code)
		}
	}
	within(t, time.Second, "B sees the units registered on A", func() bool {
		for _, id := range ids {
			if code, _ := call(t, "GET", baseB+"/api/units/"+id, ""); code != 200 {
				return false
			}
		}
		return true
	})

	// N fixes sent → N rows in unit_positions, whichever instance writes.
	pub, err := mqtt.NewPublisher(mqtt.PublisherConfig{URL: broker, ClientID: tag + "-crew", QoS: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	sent := 0
	sendFixes := func(per int) {
		t.Helper()
		now := time.Now().Truncate(time.Millisecond)
		for k := range per {
			for i, id := range ids {
				p := tracking.Position{Lon: 106.1500 + 0.004*float64(i), Lat: -6.1200 + 0.0001*float64(k), At: now.Add(time.Duration(k-per) * time.Second), Battery: -1}
				if err := pub.PublishFix("dinkes", id, p); err != nil {
					t.Fatal(err)
				}
				sent++
			}
		}
	}
	sendFixes(5)
	pg, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(context.Background())
	rows := func() int {
		var n int
		if err := pg.QueryRow(context.Background(), `SELECT count(*) FROM unit_positions WHERE unit_id LIKE $1`, tag+"-%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor(t, "the fixes written", func() bool { return rows() >= sent })
	time.Sleep(1200 * time.Millisecond) // two more flushes of both instances: still written once
	if n := rows(); n != sent {
		t.Fatalf("%d fixes sent, %d rows in unit_positions (written by both instances?)", sent, n)
	}
	for _, base := range bases {
		waitFor(t, "units live on "+base, func() bool {
			for _, id := range ids {
				if unitLiveness(t, base, id) != "live" {
					return false
				}
			}
			return true
		})
	}

	// B's live feed shows what A does.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h := http.Header{}
	h.Set("Authorization", "Bearer "+testToken)
	feed, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(baseB, "http")+"/api/live", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	defer feed.CloseNow()
	feed.SetReadLimit(1 << 24)
	live := make(chan string, 1024)
	go func() {
		for {
			_, msg, err := feed.Read(ctx)
			if err != nil {
				close(live)
				return
			}
			live <- string(msg)
		}
	}()
	if msg := <-live; !strings.Contains(msg, `"type":"snapshot"`) { // in the stream from here
		t.Fatalf("live feed began with %.200s", msg)
	}

	// Incidents made on either are numbered by the database and readable on
	// the other within a second.
	const incidents = 30
	incs := make([]string, incidents)
	seen := map[string]bool{}
	var slowest time.Duration
	for i := range incs {
		made, other := bases[i%2], bases[(i+1)%2]
		code, in := call(t, "POST", made+"/api/incidents", fmt.Sprintf(`{"category":"medical","lat":-6.1205,"lon":%f,"caller":"0812%07d"}`, 106.15+0.001*float64(i), i))
		if code != 201 {
			t.Fatalf("create incident %d: %d %v", i, code, in)
		}
		id := in["id"].(string)
		if seen[id] {
			t.Fatalf("incident id %s given twice", id)
		}
		seen[id], incs[i] = true, id
		createdAt := time.Now()
		within(t, time.Second, "incident "+id+" readable on the other instance", func() bool {
			code, _ := call(t, "GET", other+"/api/incidents/"+id, "")
			return code == 200
		})
		slowest = max(slowest, time.Since(createdAt))
	}
	t.Logf("an incident made on one instance is readable on the other after at most %v (30 incidents)", slowest.Round(time.Millisecond))

	deadline := time.After(time.Second)
	for found := false; !found; {
		select {
		case msg, ok := <-live:
			if !ok {
				t.Fatal("B's live feed closed")
			}
			found = strings.Contains(msg, `"type":"incident"`) && strings.Contains(msg, `"id":"`+incs[0]+`"`)
		case <-deadline:
			t.Fatalf("B's live feed did not show incident %s, made on A, within 1 s", incs[0])
		}
	}

	// 30 plan dispatches at once, spread over both, for 10 units: each unit
	// at most once, all 10 used; the losers answer 409 naming the unit.
	var mu sync.Mutex
	used := map[string]string{} // unit → incident
	codes := map[int]int{}
	lost := 0 // 409s the database decided (the rest: no unit free in memory)
	var wg sync.WaitGroup
	for i, id := range incs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, res := call(t, "POST", bases[i%2]+"/api/incidents/"+id+"/dispatch", "")
			mu.Lock()
			defer mu.Unlock()
			codes[code]++
			switch code {
			case 200:
				for _, x := range res["assigned"].([]any) {
					u := x.(map[string]any)["unit_id"].(string)
					if other, twice := used[u]; twice {
						t.Errorf("unit %s sent to %s and %s", u, other, id)
					}
					used[u] = id
				}
			case 409:
				msg, _ := res["error"].(string)
				if msg == "" {
					t.Errorf("409 without a reason: %v", res)
				}
				if strings.Contains(msg, "assigned elsewhere") { // the database decided
					if !strings.Contains(msg, tag+"-AMB") {
						t.Errorf("a lost race does not name the unit: %s", msg)
					}
					lost++
				}
			default:
				t.Errorf("dispatch %s: %d %v", id, code, res)
			}
		}()
	}
	wg.Wait()
	if len(used) != units {
		t.Fatalf("%d units sent, want all %d (answers %v)", len(used), units, codes)
	}
	var open, distinct int
	pg.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT unit_id) FROM assignments WHERE unit_id LIKE $1 AND status <> 'cleared'`, tag+"-%").Scan(&open, &distinct)
	if open != units || distinct != units {
		t.Fatalf("database: %d open assignments of %d units, want %d of %d", open, distinct, units, units)
	}
	t.Logf("30 dispatches over two instances: answers %v; %d of the 409s were races the database decided", codes, lost)

	// Both instances' memories agree with the database (the losers corrected).
	for _, base := range bases {
		within(t, time.Second, "every dispatch seen on "+base, func() bool {
			for u, inc := range used {
				_, in := call(t, "GET", base+"/api/incidents/"+inc, "")
				as, _ := in["assignments"].([]any)
				if len(as) != 1 || as[0].(map[string]any)["unit_id"] != u {
					return false
				}
				if _, unit := call(t, "GET", base+"/api/units/"+u, ""); unit["properties"].(map[string]any)["status"] != "dispatched" {
					return false
				}
			}
			return true
		})
	}

	// Arrival on scene is detected from the fixes both instances hear, and
	// recorded once.
	var arrived, at string
	for u, inc := range used {
		arrived, at = u, inc
		break
	}
	_, scene := call(t, "GET", baseA+"/api/incidents/"+at, "")
	now := time.Now().Truncate(time.Millisecond)
	for k := range 3 {
		p := tracking.Position{Lon: scene["lon"].(float64), Lat: scene["lat"].(float64), At: now.Add(time.Duration(k-2) * time.Second), Battery: -1}
		if err := pub.PublishFix("dinkes", arrived, p); err != nil {
			t.Fatal(err)
		}
		sent++
	}
	for _, base := range bases {
		waitFor(t, "on scene on "+base, func() bool {
			_, in := call(t, "GET", base+"/api/incidents/"+at, "")
			return in["assignments"].([]any)[0].(map[string]any)["status"] == "on_scene"
		})
	}
	time.Sleep(time.Second) // were it recorded twice, the second would be in by now
	var onScene int
	pg.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE subject = $1 AND action = 'assignment.on_scene'`, at).Scan(&onScene)
	if onScene != 1 {
		t.Fatalf("arrival of %s recorded %d times, want once", arrived, onScene)
	}

	// Prank calls marked on both at once count exactly: 6 marks block.
	number := fmt.Sprintf("0899%08d", time.Now().UnixNano()%1e8)
	var pw sync.WaitGroup
	for i := range 6 {
		pw.Add(1)
		go func() {
			defer pw.Done()
			if code, v := call(t, "POST", bases[i%2]+"/api/calls/"+number+"/prank", ""); code != 200 {
				t.Errorf("prank %d: %d %v", i, code, v)
			}
		}()
	}
	pw.Wait()
	for _, base := range bases {
		within(t, time.Second, "6 prank calls and the block seen on "+base, func() bool {
			_, c := call(t, "GET", base+"/api/callers/"+number, "")
			return c["prank_calls"] == 6.0 && c["blocked_until"] != nil
		})
	}

	// A user made on A signs in on B.
	if code, v := call(t, "POST", baseA+"/api/users", `{"name":"`+strings.ToLower(tag)+`","role":"dispatcher","password":"correct horse battery"}`); code != 201 && code != 200 {
		t.Fatalf("add user: %d %v", code, v)
	}
	within(t, time.Second, "the user made on A signs in on B", func() bool {
		resp, err := http.Post(baseB+"/api/login", "application/json", strings.NewReader(`{"name":"`+strings.ToLower(tag)+`","password":"correct horse battery"}`))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	// kill -9 the instance that writes positions (the other then takes
	// the writer's lock): the survivor serves every incident and
	// dispatches.
	const writes = "this instance writes positions now"
	victim, survivor := a, baseB
	if strings.Contains(b.stderr.String(), writes) {
		victim, survivor = b, baseA
	}
	if !strings.Contains(victim.stderr.String(), writes) {
		t.Fatal("neither instance says it writes positions")
	}
	baseB = survivor
	killed := time.Now()
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	victim.cmd.Wait()
	before := sent
	sendFixes(1)
	waitFor(t, "fixes sent after the kill written by the survivor", func() bool { return rows() >= sent })
	t.Logf("positions failover: fixes sent after kill -9 of the writer are in the database %v after the kill", time.Since(killed).Round(10*time.Millisecond))
	// From here baseB is the survivor, whichever it was.
	time.Sleep(1200 * time.Millisecond)
	if n := rows(); n != sent {
		t.Fatalf("after the kill: %d rows for %d fixes (%d before)", n, sent, before)
	}
	for u, inc := range used {
		code, in := call(t, "GET", baseB+"/api/incidents/"+inc, "")
		if code != 200 || in["assignments"].([]any)[0].(map[string]any)["unit_id"] != u {
			t.Fatalf("B after the kill: incident %s: %d %v", inc, code, in)
		}
	}
	for _, inc := range incs {
		if code, _ := call(t, "GET", baseB+"/api/incidents/"+inc, ""); code != 200 {
			t.Fatalf("B after the kill: incident %s: %d", inc, code)
		}
	}
	// Free one unit on B (its incident was dispatched on A) and send it again.
	var freed, freedFrom string
	for u, inc := range used {
		freed, freedFrom = u, inc
		break
	}
	if code, v := call(t, "POST", baseB+"/api/incidents/"+freedFrom+"/close", ""); code != 200 {
		t.Fatalf("close on B: %d %v", code, v)
	}
	code, in := call(t, "POST", baseB+"/api/incidents", `{"category":"medical","lat":-6.1205,"lon":106.15,"caller":"08127777777"}`)
	if code != 201 || seen[in["id"].(string)] {
		t.Fatalf("create on B after the kill: %d %v", code, in)
	}
	code, res := call(t, "POST", baseB+"/api/incidents/"+in["id"].(string)+"/dispatch", "")
	if code != 200 || res["assigned"].([]any)[0].(map[string]any)["unit_id"] != freed {
		t.Fatalf("dispatch on B after the kill: %d %v (want %s)", code, res, freed)
	}
}

type instance struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
}

// within fails the test unless cond holds within d (polled every 10 ms).
func within(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("not within %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
