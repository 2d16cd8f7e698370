package mqtt

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"siaga112/tracking"
	"siaga112/tracking/trackingtest"
)

// rawDevice logs in as AMB-01 over a raw socket with a will on its own
// topic, sends one fix at tst, and returns the socket: closing it without
// a DISCONNECT is a connection dying (the broker then sends the will).
func rawDevice(t *testing.T, h *hostile, clientID string, lat float64, tst int64) net.Conn {
	t.Helper()
	conn, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: clientID, user: "AMB-01", pass: "pw-1",
		willTopic: "owntracks/dinkes/AMB-01", willMsg: fmt.Sprintf(`{"_type":"lwt","tst":%d}`, tst-1)})
	if code != 0 {
		t.Fatalf("login %s: CONNACK %d", clientID, code)
	}
	if _, err := conn.Write(rawPublish("owntracks/dinkes/AMB-01", location(lat, 106.1, tst), 0, false)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, "the fix of "+clientID+" applied", func() bool { u, _ := h.ix.Get("AMB-01"); return u.Position.Lat == lat })
	return conn
}

// A last will marks a unit offline only if no fix came over a newer
// connection (issue 22, item 20). On the embedded broker the server knows
// each fix's login: a tracker that reconnected before its old connection's
// death was noticed keeps its unit live when the old will fires; a tracker
// that just dies is offline at once.
func TestWillOfAnOlderLogin(t *testing.T) {
	t0 := time.Now().Unix() - 60
	t.Run("a newer login's fix: the old will is history", func(t *testing.T) {
		h := newHostile(t, BrokerConfig{})
		old := rawDevice(t, h, "amb01-old", -6.10, t0)
		rawDevice(t, h, "amb01-new", -6.11, t0+10)
		history := h.in.Stats().History
		old.Close() // the old connection dies: its will is published now
		eventually(t, 3*time.Second, "the old will handled", func() bool { return h.in.Stats().History > history })
		if u, _ := h.ix.Get("AMB-01"); u.Liveness != tracking.Live {
			t.Fatalf("unit is %s after an old connection's will, want live", u.Liveness)
		}
	})
	t.Run("the connection of the newest fix dies: offline", func(t *testing.T) {
		h := newHostile(t, BrokerConfig{})
		rawDevice(t, h, "amb01-old", -6.10, t0).Close()
		eventually(t, 3*time.Second, "offline by the will", func() bool { u, _ := h.ix.Get("AMB-01"); return u.Liveness == tracking.Offline })
		// It comes back, reports, and dies again: offline again.
		rawDevice(t, h, "amb01-new", -6.11, t0+10).Close()
		eventually(t, 3*time.Second, "offline by the second will", func() bool { u, _ := h.ix.Get("AMB-01"); return u.Liveness == tracking.Offline })
	})
	t.Run("a will's tst cannot forge its login", func(t *testing.T) {
		h := newHostile(t, BrokerConfig{})
		old := rawDevice(t, h, "amb01-old", -6.10, t0)
		rawDevice(t, h, "amb01-new", -6.11, t0+10)
		// The old connection's will claims a connection after every fix.
		conn, code := dialRaw(t, h.b.Addr(), rawConnect{clientID: "amb01-liar", user: "AMB-01", pass: "pw-1",
			willTopic: "owntracks/dinkes/AMB-01", willMsg: fmt.Sprintf(`{"_type":"lwt","tst":%d}`, t0+3600)})
		if code != 0 {
			t.Fatalf("CONNACK %d", code)
		}
		// Its forged property is replaced by the broker's.
		conn.Write(rawPublish("owntracks/dinkes/AMB-01/waypoints", `{"_type":"waypoints","waypoints":[]}`, 0, false))
		old.Close()
		conn.Close() // a login after the newest fix, that sent no fix: its will marks the unit
		eventually(t, 3*time.Second, "offline by the newest login's will", func() bool { u, _ := h.ix.Get("AMB-01"); return u.Liveness == tracking.Offline })
	})
}

// mosquitto returns MQTT_TEST_URL's host:port, or skips.
func mosquitto(t *testing.T) (url, addr string) {
	t.Helper()
	url = trackingtest.Env(t, "MQTT_TEST_URL", mosquittoURL)
	return url, strings.TrimPrefix(url, "tcp://")
}

// A retained will that an external broker replays when the ingest
// (re)subscribes is old news: it marks the unit offline only if no fix
// newer than the will's connection has arrived (issue 22, item 20: every
// reconnect of the ingest set such units offline). Against the real
// Mosquitto: the tracker's own retained will, set in CONNECT and published
// by Mosquitto when the tracker's socket dies.
func TestRetainedWillReplayedAfterANewerFix(t *testing.T) {
	url, addr := mosquitto(t)
	id := fmt.Sprintf("RW%d", time.Now().UnixNano()%1e9)
	topic := LocationTopic("dinkes", id)
	ix := newFleet(t, id)
	clear := func() { // forget the retained will on the shared broker
		c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID("clear-" + id))
		if tok := c.Connect(); tok.WaitTimeout(5*time.Second) && tok.Error() == nil {
			c.Publish(topic, 1, true, []byte{}).WaitTimeout(5 * time.Second)
			c.Disconnect(100)
		}
	}
	t.Cleanup(clear)
	first := startIngest(t, url, ix)
	connected := time.Now().Unix() - 30
	tests := []struct {
		name string
		will string
	}{
		{"the OwnTracks app's will (tst = when it connected)", fmt.Sprintf(`{"_type":"lwt","tst":%d}`, connected)},
		{"a will without tst", `{"_type":"lwt"}`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The tracker connects with a retained will and its socket dies:
			// Mosquitto publishes the will (the unit goes offline) and keeps it.
			conn, code := dialRaw(t, addr, rawConnect{clientID: fmt.Sprintf("%s-%d", id, i), willTopic: topic, willMsg: tt.will, willRetain: true, willQoS: 1, keepalive: 60})
			if code != 0 {
				t.Fatalf("CONNACK %d", code)
			}
			conn.Close()
			eventually(t, 3*time.Second, "the live will marks the unit offline", func() bool { u, _ := ix.Get(id); return u.Liveness == tracking.Offline })
			// It comes back and reports.
			pub := newPublisher(t, url)
			lat := []float64{-6.10, -6.11}[i]
			if err := pub.PublishFix("dinkes", id, tracking.Position{Lat: lat, Lon: 106.15, At: time.Now().Add(time.Duration(i) * time.Second).Truncate(time.Second), Battery: -1}); err != nil {
				t.Fatal(err)
			}
			eventually(t, 3*time.Second, "the newer fix applied", func() bool { u, _ := ix.Get(id); return u.Position.Lat == lat && u.Liveness == tracking.Live })
			// Another ingest subscribes (a restart, a reconnect): Mosquitto
			// replays the retained will to it.
			history := first.Stats().History
			second := startIngest(t, url, ix)
			eventually(t, 3*time.Second, "the replayed will handled", func() bool { return second.Stats().History == 1 })
			second.Close()
			if u, _ := ix.Get(id); u.Liveness != tracking.Live {
				t.Fatalf("a replayed retained will set the unit %s; its newest fix is newer", u.Liveness)
			}
			if first.Stats().History != history {
				t.Fatal("the first ingest saw the will again")
			}
		})
	}
}
