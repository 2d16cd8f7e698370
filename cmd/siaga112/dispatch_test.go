package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
	"siaga112/tracking/mqtt"
)

func call(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	json.Unmarshal(b, &v)
	return resp.StatusCode, v
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10 s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The dispatch story through the HTTP API, against a server fed over MQTT.
func TestDispatchOverMQTTAndHTTP(t *testing.T) {
	cfg := testConfig(t)
	cfg.ArrivalDwell = 2 * time.Second // fixes are not taken ahead of the clock: the test lives the dwell
	base := startRun(t, cfg)
	pub, err := mqtt.NewPublisher(mqtt.PublisherConfig{URL: "tcp://" + cfg.MQTTListen, ClientID: "e2e-crew", QoS: 1, Username: "admin", Password: testToken})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()

	scene := orb.Point{106.177791, -6.110699} // Kaligandu
	t0 := time.Now().Truncate(time.Millisecond)
	fix := func(id string, p orb.Point, at time.Time) {
		t.Helper()
		if err := pub.PublishFix("dinkes", id, tracking.Position{Lon: p[0], Lat: p[1], At: at, Battery: -1}); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range []string{"AMB-1", "AMB-2"} {
		if code, _ := call(t, "PUT", base+"/api/units/"+id, `{"type":"ambulance","agency":"dinkes"}`); code != 201 {
			t.Fatalf("register %s: %d", id, code)
		}
		fix(id, geo.Destination(scene, 90, float64(800*(i+1))), t0)
	}
	var code int
	var in map[string]any
	waitFor(t, "both units live", func() bool {
		code, in = call(t, "GET", base+"/api/units/AMB-2", "")
		return in["properties"].(map[string]any)["liveness"] == "live"
	})

	code, in = call(t, "POST", base+"/api/incidents", `{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"0812-1111-2222","description":"pingsan"}`)
	if code != 201 {
		t.Fatalf("create: %d %v", code, in)
	}
	id := in["id"].(string)
	recs := in["recommendations"].([]any)
	if len(recs) != 2 || recs[0].(map[string]any)["unit_id"] != "AMB-1" {
		t.Fatalf("recommendations: %v", recs)
	}
	code, res := call(t, "POST", base+"/api/incidents/"+id+"/dispatch", `{"unit_ids":[]}`)
	if code != 200 {
		t.Fatalf("dispatch: %d %v", code, res)
	}

	// The crew says it is on its way, over MQTT.
	if err := pub.Publish(mqtt.StatusTopic("AMB-1"), []byte(`{"status":"en_route"}`)); err != nil {
		t.Fatal(err)
	}
	assignment := func() map[string]any {
		_, in := call(t, "GET", base+"/api/incidents/"+id, "")
		return in["assignments"].([]any)[0].(map[string]any)
	}
	waitFor(t, "assignment en route", func() bool { return assignment()["status"] == "en_route" })

	// It drives up and stays: arrival is seen in its fixes (their times
	// measure the dwell; the on-scene time is the first fix inside).
	fix("AMB-1", geo.Destination(scene, 90, 300), time.Now().Truncate(time.Millisecond))
	time.Sleep(10 * time.Millisecond)
	inside := time.Now().Truncate(time.Millisecond)
	fix("AMB-1", geo.Destination(scene, 90, 60), inside)
	time.Sleep(time.Second)
	fix("AMB-1", geo.Destination(scene, 90, 20), time.Now().Truncate(time.Millisecond))
	time.Sleep(1100 * time.Millisecond)
	fix("AMB-1", geo.Destination(scene, 90, 10), time.Now().Truncate(time.Millisecond))
	waitFor(t, "arrival detected", func() bool { return assignment()["status"] == "on_scene" })
	if a := assignment(); a["on_scene_detected"] != true || !strings.HasPrefix(a["on_scene_at"].(string), inside.UTC().Format("2006-01-02T15:04:05")) {
		t.Fatalf("arrival: %v", a)
	}

	code, in = call(t, "POST", base+"/api/incidents/"+id+"/units/AMB-1/status", `{"status":"cleared"}`)
	if code != 200 || in["status"] != "closed" {
		t.Fatalf("clear: %d %v", code, in)
	}
	_, u := call(t, "GET", base+"/api/units/AMB-1", "")
	if u["properties"].(map[string]any)["status"] != "available" {
		t.Fatalf("unit after clearing: %v", u)
	}
}
