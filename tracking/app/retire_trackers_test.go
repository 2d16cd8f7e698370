package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"siaga112/tracking/app"
)

// Issue 22 (15), from the trackers' side: a disabled or deleted unit's
// MQTT password, OwnTracks HTTP login and OsmAnd tracker id are refused,
// and its live MQTT session is closed when it is disabled; enabled again,
// everything works as before.
func TestRetiredUnitsTrackersRefused(t *testing.T) {
	const token = "retire-admin-token-0123456789"
	a, err := app.New(context.Background(), app.Config{MQTTListen: "127.0.0.1:0", OsmAndListen: "127.0.0.1:0", AdminToken: token},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	web := httptest.NewServer(a.Web)
	defer web.Close()
	api := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, web.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	id := fmt.Sprintf("RT%d", time.Now().UnixNano()%1e9)
	imei := fmt.Sprint(356938035600000 + time.Now().UnixNano()%100000)
	code, body := api("PUT", "/api/units/"+id, `{"type":"ambulance","agency":"dinkes","tracker_id":"`+imei+`"}`)
	var reg struct {
		MQTT struct{ Password string } `json:"mqtt"`
	}
	if code != 201 || json.Unmarshal([]byte(body), &reg) != nil || reg.MQTT.Password == "" {
		t.Fatalf("register: %d %s", code, body)
	}
	pass := reg.MQTT.Password

	lost := make(chan error, 4)
	connect := func() (paho.Client, error) {
		opts := paho.NewClientOptions().AddBroker(a.BrokerURL).SetClientID("retire-" + id).SetUsername(id).SetPassword(pass).
			SetAutoReconnect(false).SetConnectRetry(false).SetConnectionLostHandler(func(_ paho.Client, err error) { lost <- err })
		c := paho.NewClient(opts)
		tok := c.Connect()
		if !tok.WaitTimeout(5 * time.Second) {
			return c, fmt.Errorf("no CONNACK")
		}
		return c, tok.Error()
	}
	tst := time.Now().Unix() - 60
	osmand := func() int { // with the unit's key, as trackers send it once keys are required
		tst++
		resp, err := http.Get(fmt.Sprintf("http://%s/?id=%s&key=%s&lat=-6.1201&lon=106.1502&timestamp=%d", a.OsmAndAddr, imei, pass, tst))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	pub := func() int {
		tst++
		req, _ := http.NewRequest("POST", web.URL+"/pub", strings.NewReader(fmt.Sprintf(`{"_type":"location","lat":-6.12,"lon":106.15,"tst":%d}`, tst)))
		req.SetBasicAuth(id, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	refused := func(code int) bool { return code == 401 || code == 404 }

	c, err := connect()
	if err != nil || osmand() != 200 || pub() != 200 {
		t.Fatalf("in service: connect %v, OsmAnd or /pub refused", err)
	}
	if code, body := api("PATCH", "/api/units/"+id, `{"disabled":true}`); code != 200 {
		t.Fatalf("disable: %d %s", code, body)
	}
	select {
	case <-lost:
	case <-time.After(3 * time.Second):
		t.Fatal("the disabled unit's MQTT session is still open")
	}
	if c2, err := connect(); err == nil {
		c2.Disconnect(0)
		t.Fatal("a disabled unit connected to the broker")
	}
	if code := osmand(); !refused(code) {
		t.Fatalf("OsmAnd with a disabled unit's tracker id: %d", code)
	}
	if code := pub(); code != 401 {
		t.Fatalf("OwnTracks HTTP as a disabled unit: %d", code)
	}

	if code, body := api("PATCH", "/api/units/"+id, `{"disabled":false}`); code != 200 {
		t.Fatalf("enable: %d %s", code, body)
	}
	c, err = connect()
	if err != nil || osmand() != 200 || pub() != 200 {
		t.Fatalf("enabled again: connect %v, OsmAnd or /pub refused", err)
	}
	c.Disconnect(0)

	if code, body := api("DELETE", "/api/units/"+id, ""); code != 204 {
		t.Fatalf("delete: %d %s", code, body)
	}
	if c2, err := connect(); err == nil {
		c2.Disconnect(0)
		t.Fatal("a deleted unit connected to the broker")
	}
	if code := osmand(); !refused(code) {
		t.Fatalf("OsmAnd with a deleted unit's tracker id: %d", code)
	}
	if code := pub(); code != 401 {
		t.Fatalf("OwnTracks HTTP as a deleted unit: %d", code)
	}
}
