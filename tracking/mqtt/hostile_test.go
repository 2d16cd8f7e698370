package mqtt

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

// hostile is an embedded broker with device auth, two registered units
// (AMB-01, AMB-02 of dinkes) and the in-process ingest.
type hostile struct {
	b     *Broker
	ix    *fleet.Index
	units devices
	in    *Ingest
}

func newHostile(t *testing.T, cfg BrokerConfig) *hostile {
	t.Helper()
	h := &hostile{ix: newFleet(t, "AMB-01", "AMB-02"), units: devices{"AMB-01": {"dinkes", "pw-1"}, "AMB-02": {"dinkes", "pw-2"}}}
	if cfg.Listen == "" {
		cfg.Listen = freePort(t)
	}
	cfg.Auth = &Auth{Devices: h.units, AdminPassword: "admin-token", Known: func(id string) bool { _, err := h.ix.Get(id); return err == nil }}
	b, err := NewBroker(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	h.b = b
	h.in = NewIngest(Config{Broker: b}, h.ix)
	startCtx(t, h.in)
	return h
}

// device connects a paho client the way the OwnTracks apps do: MQTT 3.1.1,
// cleanSession=false, a will on its own topic, no auto-reconnect; lost
// counts connection losses.
func (h *hostile) device(t *testing.T, clientID, user, pass, willTopic string, lost *atomic.Int32) (paho.Client, error) {
	t.Helper()
	o := paho.NewClientOptions().AddBroker(h.b.URL()).SetClientID(clientID).SetUsername(user).SetPassword(pass).
		SetProtocolVersion(4).SetCleanSession(false).SetAutoReconnect(false).SetConnectTimeout(3 * time.Second).
		SetConnectionLostHandler(func(paho.Client, error) {
			if lost != nil {
				lost.Add(1)
			}
		})
	if willTopic != "" {
		o.SetWill(willTopic, `{"_type":"lwt","tst":1764201600}`, 1, true)
	}
	c := paho.NewClient(o)
	tok := c.Connect()
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		return nil, fmt.Errorf("connect %s: %v", user, tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(0) })
	return c, nil
}

func publish(t *testing.T, c paho.Client, topic string, qos byte, retain bool, payload string) {
	t.Helper()
	tok := c.Publish(topic, qos, retain, payload)
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish %s: %v", topic, tok.Error())
	}
}

func (h *hostile) placeAMB02(t *testing.T) {
	t.Helper()
	if _, err := h.ix.ApplyFix("AMB-02", tracking.Position{Lat: -6.12, Lon: 106.15, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// Defect 1: a will on another unit's topic marked it offline (or changed its
// status), and a retained will came back on every reconnect.
func TestWillGoesThroughTheACL(t *testing.T) {
	h := newHostile(t, BrokerConfig{})
	for _, tt := range []struct{ name, topic, payload string }{
		{"lwt on another unit's position topic", "owntracks/dinkes/AMB-02", `{"_type":"lwt"}`},
		{"status on another unit's status topic", "siaga112/units/AMB-02/status", `{"status":"out_of_service"}`},
		{"another agency's topic", "owntracks/damkar/AMB-01", `{"_type":"lwt"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h.placeAMB02(t)
			before := h.b.RefusedBy(RefusedWill)
			conn, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: "AMB-01", user: "AMB-01", pass: "pw-1",
				willTopic: tt.topic, willMsg: tt.payload, willRetain: true, willQoS: 1})
			conn.Close() // drop the socket: a will would fire now
			if code == 0 {
				t.Errorf("CONNECT with a will on %s accepted", tt.topic)
			}
			time.Sleep(300 * time.Millisecond)
			if u, _ := h.ix.Get("AMB-02"); u.Liveness != tracking.Live || u.Status != tracking.Available {
				t.Fatalf("AMB-01's will reached AMB-02: liveness %s status %s", u.Liveness, u.Status)
			}
			if h.b.RefusedBy(RefusedWill) <= before {
				t.Fatal("refused will not counted")
			}
		})
	}
	t.Run("own will is delivered, never retained", func(t *testing.T) {
		if _, err := h.ix.ApplyFix("AMB-01", tracking.Position{Lat: -6.12, Lon: 106.15, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		conn, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: "amb01phone", user: "AMB-01", pass: "pw-1",
			willTopic: "owntracks/dinkes/AMB-01", willMsg: `{"_type":"lwt","tst":1764201600}`, willRetain: true, willQoS: 1})
		if code != 0 {
			t.Fatalf("own will refused: %d", code)
		}
		conn.Close()
		eventually(t, 3*time.Second, "own will marks AMB-01 offline", func() bool {
			u, _ := h.ix.Get("AMB-01")
			return u.Liveness == tracking.Offline
		})
		assertNoRetained(t, h.b, "owntracks/#")
	})
}

// assertNoRetained subscribes as the gateway and fails on any retained
// message under filter.
func assertNoRetained(t *testing.T, b *Broker, filter string) {
	t.Helper()
	got := make(chan string, 10)
	c := paho.NewClient(paho.NewClientOptions().AddBroker(b.URL()).SetClientID(fmt.Sprintf("retained-check-%d", time.Now().UnixNano())).
		SetUsername("admin").SetPassword("admin-token"))
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	defer c.Disconnect(0)
	c.Subscribe(filter, 1, func(_ paho.Client, m paho.Message) {
		if m.Retained() {
			got <- m.Topic()
		}
	}).WaitTimeout(5 * time.Second)
	select {
	case topic := <-got:
		t.Fatalf("a device's message was retained on %s", topic)
	case <-time.After(300 * time.Millisecond):
	}
}

// Defect 4: AMB-01 connecting as client id AMB-02 kicked AMB-02, whose fixes
// were then refused; a client id held by another user's session was taken.
func TestClientIDTakeover(t *testing.T) {
	h := newHostile(t, BrokerConfig{})
	var lost atomic.Int32
	amb2, err := h.device(t, "AMB-02", "AMB-02", "pw-2", "owntracks/dinkes/AMB-02", &lost)
	if err != nil {
		t.Fatal(err)
	}
	phone, err := h.device(t, "amb02-phone", "AMB-02", "pw-2", "", &lost)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, clientID string }{
		{"another unit's id", "AMB-02"},
		{"a session of another user", "amb02-phone"},
		{"the server's id", "siaga112-host"},
		{"the gateway's name", "admin"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := h.b.RefusedBy(RefusedClientID)
			if _, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: tt.clientID, user: "AMB-01", pass: "pw-1"}); code == 0 {
				t.Fatalf("AMB-01 connected as client id %q", tt.clientID)
			}
			if h.b.RefusedBy(RefusedClientID) <= before {
				t.Fatal("refusal not counted")
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	if n := lost.Load(); n != 0 || !amb2.IsConnectionOpen() || !phone.IsConnectionOpen() {
		t.Fatalf("AMB-02's sessions were kicked (%d lost)", n)
	}
	publish(t, amb2, "owntracks/dinkes/AMB-02", 1, false, location(-6.11, 106.1, time.Now().Unix()))
	eventually(t, 3*time.Second, "AMB-02's fix applied after the attempts", func() bool {
		u, _ := h.ix.Get("AMB-02")
		return u.Position.Lat == -6.11
	})
	// A device may replace its own session (the apps reconnect with the same id).
	if _, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: "amb02-phone", user: "AMB-02", pass: "pw-2"}); code != 0 {
		t.Fatalf("AMB-02 could not replace its own session: %d", code)
	}
}

// Defect 5: a device's live session kept publishing after its credentials
// were rotated.
func TestCredentialRotationDisconnects(t *testing.T) {
	h := newHostile(t, BrokerConfig{})
	var lost atomic.Int32
	if _, err := h.device(t, "amb01", "AMB-01", "pw-1", "", &lost); err != nil {
		t.Fatal(err)
	}
	h.units["AMB-01"] = [2]string{"dinkes", "pw-new"} // test only: no concurrent reader now
	if n := h.b.DisconnectUnit("AMB-01"); n != 1 {
		t.Fatalf("DisconnectUnit closed %d sessions, want 1", n)
	}
	eventually(t, 2*time.Second, "the old session is closed", func() bool { return lost.Load() == 1 })
	if _, err := h.device(t, "amb01", "AMB-01", "pw-1", "", nil); err == nil {
		t.Fatal("old password still connects")
	}
	if _, err := h.device(t, "amb01", "AMB-01", "pw-new", "", nil); err != nil {
		t.Fatal(err)
	}
}

// Defect 6: one device flooded the broker and cost other units their fixes.
func TestRateLimitPerDevice(t *testing.T) {
	h := newHostile(t, BrokerConfig{Rate: 10, Burst: 20})
	flood, err := h.device(t, "amb01", "AMB-01", "pw-1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	good, err := h.device(t, "amb02", "AMB-02", "pw-2", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	t0 := start.Unix() - 3600
	for i := range 3000 {
		flood.Publish("owntracks/dinkes/AMB-01", 0, false, location(-6.1, 106.1, t0+int64(i)))
		if i%500 == 0 {
			publish(t, good, "owntracks/dinkes/AMB-02", 1, false, location(-6.1-float64(i)/1e5, 106.1, t0+int64(i)))
		}
	}
	publish(t, flood, "owntracks/dinkes/AMB-01", 1, false, location(-6.1, 106.1, t0+5000))
	elapsed := time.Since(start)
	eventually(t, 3*time.Second, "every fix of the quiet device applied", func() bool {
		u, _ := h.ix.Get("AMB-02")
		return u.Position.Lat == -6.1-2500/1e5
	})
	applied := h.in.Stats().Applied
	if max := uint64(20+10*elapsed.Seconds()) + 6 + 2; applied > max {
		t.Fatalf("%d fixes applied in %v, want at most %d (burst 20 + 10/s + the quiet device's 6)", applied, elapsed, max)
	}
	if h.b.RefusedBy(RefusedRateLimit) < 2000 {
		t.Fatalf("rate-limited messages counted %d", h.b.RefusedBy(RefusedRateLimit))
	}
}

// Issue 14: the OwnTracks apps publish to subtopics (/event, /waypoint…) at
// QoS 1 and to Android's owntracks/<user>/<device>; MQTT 3.1.1 has no
// negative PUBACK, so a refusal is a disconnect, the will fires, the app
// reconnects and resends: a loop that kept the unit offline.
func TestOwnTracksAppTopics(t *testing.T) {
	h := newHostile(t, BrokerConfig{})
	var lost atomic.Int32
	app, err := h.device(t, "AMB-01phone", "AMB-01", "pw-1", "owntracks/dinkes/AMB-01", &lost)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	for _, sub := range []string{"/event", "/waypoint", "/waypoints", "/status", "/info", "/cmd/x"} {
		publish(t, app, "owntracks/dinkes/AMB-01"+sub, 1, true, `{"_type":"transition","event":"enter","desc":"RSUD","tst":1764201600,"wtst":1,"lat":-6.1,"lon":106.1,"acc":5,"t":"c"}`)
	}
	publish(t, app, "owntracks/dinkes/AMB-01", 1, true, location(-6.13, 106.14, now))
	eventually(t, 3*time.Second, "location after the subtopics applied", func() bool {
		u, _ := h.ix.Get("AMB-01")
		return u.Position.Lat == -6.13 && u.Liveness == tracking.Live
	})
	// Android's default topic: owntracks/<username>/<deviceId>, retained.
	publish(t, app, "owntracks/AMB-01/pixel7", 1, true, location(-6.14, 106.14, now+1))
	publish(t, app, "owntracks/AMB-01/pixel7/event", 1, true, `{"_type":"transition"}`)
	eventually(t, 3*time.Second, "Android-topic location applied to AMB-01", func() bool {
		u, _ := h.ix.Get("AMB-01")
		return u.Position.Lat == -6.14
	})
	if n := lost.Load(); n != 0 || !app.IsConnectionOpen() {
		t.Fatalf("the app was disconnected %d times", n)
	}
	assertNoRetained(t, h.b, "#")
	// Another unit's topics stay refused.
	h.placeAMB02(t)
	before := h.b.RefusedBy(RefusedTopic)
	app.Publish("owntracks/dinkes/AMB-02", 0, false, location(-6.2, 106.2, now+2)).Wait()
	app.Publish("owntracks/dinkes/AMB-02/event", 0, false, `{}`).Wait()
	eventually(t, 2*time.Second, "foreign topics refused and counted", func() bool { return h.b.RefusedBy(RefusedTopic) >= before+2 })
	if u, _ := h.ix.Get("AMB-02"); u.Position.Lat != -6.12 {
		t.Fatalf("AMB-01 moved AMB-02 to %v", u.Position.Lat)
	}
}

// The ingest on the embedded broker subscribes in-process: there is no
// client id a device could take to kick it (defect 3).
func TestInlineIngestHasNoClientID(t *testing.T) {
	h := newHostile(t, BrokerConfig{})
	for _, id := range []string{"inline", "siaga112-ingest", "siaga112-" + hostname()} {
		if _, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: id, user: "AMB-01", pass: "pw-1"}); code == 0 {
			t.Fatalf("a device connected as %q", id)
		}
	}
	if !h.in.Connected() {
		t.Fatal("ingest not connected")
	}
	c, err := h.device(t, "amb01", "AMB-01", "pw-1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, c, "owntracks/dinkes/AMB-01", 1, false, location(-6.15, 106.1, time.Now().Unix()))
	eventually(t, 3*time.Second, "fix applied", func() bool { u, _ := h.ix.Get("AMB-01"); return u.Position.Lat == -6.15 })
}

// A stolen credential cannot open session after session (each kept, with
// cleanSession=false) until the broker's memory is gone.
func TestSessionsPerDeviceCapped(t *testing.T) {
	h := newHostile(t, BrokerConfig{})
	for i := range MaxSessionsPerDevice {
		conn, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: fmt.Sprintf("amb01-%d", i), user: "AMB-01", pass: "pw-1", noClean: true})
		if code != 0 {
			t.Fatalf("session %d refused: %d", i, code)
		}
		conn.Close()
	}
	if _, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: "amb01-one-more", user: "AMB-01", pass: "pw-1", noClean: true}); code == 0 {
		t.Fatal("a ninth kept session was accepted")
	}
	if h.b.RefusedBy(RefusedSessions) == 0 {
		t.Fatal("refusal not counted")
	}
	// Its own kept sessions can be resumed, and clean sessions free their slot.
	if _, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: "amb01-3", user: "AMB-01", pass: "pw-1", noClean: true}); code != 0 {
		t.Fatalf("resuming a kept session refused: %d", code)
	}
	if _, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: "amb02-a", user: "AMB-02", pass: "pw-2"}); code != 0 {
		t.Fatalf("another device refused: %d", code)
	}
}

// MQTT 3.1.1 clients only understand CONNACK return codes 1–5.
func TestRefusalCodesForMQTT311(t *testing.T) {
	h := newHostile(t, BrokerConfig{})
	for _, tt := range []struct {
		name string
		c    rawConnect
		want int
	}{
		{"bad password", rawConnect{clientID: "x1", user: "AMB-01", pass: "nope"}, 5},
		{"foreign client id", rawConnect{clientID: "AMB-02", user: "AMB-01", pass: "pw-1"}, 2},
		{"foreign will", rawConnect{clientID: "x2", user: "AMB-01", pass: "pw-1", willTopic: "owntracks/dinkes/AMB-02", willMsg: "{}"}, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, code := dialRaw(t, h.b.Addr(), tt.c); code != tt.want {
				t.Fatalf("CONNACK return code %d, want %d", code, tt.want)
			}
		})
	}
}
