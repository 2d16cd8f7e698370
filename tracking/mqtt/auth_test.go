package mqtt

import (
	"fmt"
	"testing"
	"time"

	"siaga112/tracking"
)

// devices is a table of unit → (agency, password).
type devices map[string][2]string

func (d devices) CheckDevice(id, password string) (string, bool) {
	v, ok := d[id]
	return v[0], ok && v[1] == password
}

func TestBrokerAuth(t *testing.T) {
	units := devices{"AMB-1": {"dinkes", "s3cret-1"}, "AMB-2": {"dinkes", "s3cret-2"}}
	b, err := StartBroker(freePort(t), nil, &Auth{Devices: units, AdminPassword: "admin-token"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ix := newFleet(t, "AMB-1", "AMB-2")
	in := NewIngest(Config{URL: b.URL(), ClientID: "auth-ingest", Username: "admin", Password: "admin-token"}, ix)
	startCtx(t, in)

	connectQoS := func(user, pass string, qos byte) (*Publisher, error) {
		return NewPublisher(PublisherConfig{URL: b.URL(), ClientID: fmt.Sprintf("c-%s-%d", user, time.Now().UnixNano()), Username: user, Password: pass, QoS: qos})
	}
	connect := func(user, pass string) (*Publisher, error) { return connectQoS(user, pass, 1) }
	for _, tt := range []struct{ name, user, pass string }{
		{"anonymous", "", ""},
		{"wrong password", "AMB-1", "guess"},
		{"unknown unit", "AMB-9", "s3cret-1"},
		{"admin with a wrong token", "admin", "nope"},
	} {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			if p, err := connect(tt.user, tt.pass); err == nil {
				p.Close()
				t.Fatal("connected")
			}
		})
	}
	// paho tries MQTT 3.1.1, then 3.1: each refusal may count twice.
	if c, _ := b.Refused(); c < 4 {
		t.Fatalf("refused connections counted %d, want at least 4", c)
	}

	// AMB-1 tries to move AMB-2, and to post under another agency: dropped
	// (at QoS 0; at QoS 1 the broker disconnects an MQTT 3.1.1 client).
	rogue, err := connectQoS("AMB-1", "s3cret-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rogue.PublishFix("dinkes", "AMB-2", tracking.Position{Lat: -6.2, Lon: 106.2, At: now})
	rogue.PublishFix("damkar", "AMB-1", tracking.Position{Lat: -6.2, Lon: 106.2, At: now})
	rogue.Publish(StatusTopic("AMB-2"), []byte(`{"status":"out_of_service"}`))
	eventually(t, 5*time.Second, "three refusals counted", func() bool { _, acl := b.Refused(); return acl >= 3 })
	rogue.Close()
	// Its own topics work.
	one, err := connect("AMB-1", "s3cret-1")
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	one.PublishFix("dinkes", "AMB-1", tracking.Position{Lat: -6.1, Lon: 106.1, At: now})
	one.Publish(StatusTopic("AMB-1"), []byte(`{"status":"en_route"}`))
	eventually(t, 5*time.Second, "AMB-1's own fix and status applied", func() bool {
		u, _ := ix.Get("AMB-1")
		return u.Liveness == tracking.Live && u.Status == tracking.EnRoute
	})
	if u, _ := ix.Get("AMB-2"); u.HasPosition() || u.Status != tracking.Available {
		t.Fatalf("AMB-1 moved AMB-2: %+v", u)
	}

	// The gateway user may publish for any unit.
	gw, err := connect("admin", "admin-token")
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	gw.PublishFix("dinkes", "AMB-2", tracking.Position{Lat: -6.15, Lon: 106.15, At: now})
	eventually(t, 5*time.Second, "the gateway's fix for AMB-2 applied", func() bool {
		u, _ := ix.Get("AMB-2")
		return u.Liveness == tracking.Live
	})
}
