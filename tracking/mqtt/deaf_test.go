package mqtt

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"siaga112/tracking/trackingtest"
)

// Defect 3: the ingest's client id was predictable (siaga112-<host>, then
// -r1, -r2…), so any client with a login could kick it, again and again.
func TestIngestClientIDUnguessable(t *testing.T) {
	url := trackingtest.Env(t, "MQTT_TEST_URL", mosquittoURL)
	unit := fmt.Sprintf("T%d", time.Now().UnixNano())
	prefix := "siaga112-" + unit
	ix := newFleet(t, unit)
	in := NewIngest(Config{URL: url, ClientID: prefix}, ix)
	startCtx(t, in)
	for _, id := range []string{prefix, prefix + "-r1", prefix + "-r2", prefix + "-r3"} {
		c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(id))
		if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatal(tok.Error())
		}
		time.Sleep(100 * time.Millisecond)
		c.Disconnect(0)
	}
	if n := in.Stats().Reconnects; n != 0 || !in.Connected() {
		t.Fatalf("the ingest was kicked: %d reconnects, connected %v", n, in.Connected())
	}
	pub := newPublisher(t, url)
	pub.Publish(LocationTopic("dinkes", unit), []byte(location(-6.17, 106.1, time.Now().Unix())))
	eventually(t, 3*time.Second, "fix applied", func() bool { u, _ := ix.Get(unit); return u.Position.Lat == -6.17 })
}

// refuseSubs is a broker hook refusing every subscription while on.
type refuseSubs struct {
	mochi.HookBase
	on atomic.Bool
}

func (h *refuseSubs) ID() string { return "refuse-subs" }
func (h *refuseSubs) Provides(b byte) bool {
	return bytes.Contains([]byte{mochi.OnConnectAuthenticate, mochi.OnACLCheck}, []byte{b})
}
func (h *refuseSubs) OnConnectAuthenticate(*mochi.Client, packets.Packet) bool { return true }
func (h *refuseSubs) OnACLCheck(_ *mochi.Client, _ string, write bool) bool {
	return write || !h.on.Load()
}

// Defect 3: after a failed subscribe the ingest dropped its connection
// (auto-reconnect does not follow that) or, with a refusing SUBACK, called
// itself connected while deaf. Now it is "not connected" (/healthz 503)
// until a subscription holds, and keeps trying.
func TestIngestRetriesUntilSubscribed(t *testing.T) {
	addr := freePort(t)
	srv := mochi.New(&mochi.Options{InlineClient: true})
	hook := &refuseSubs{}
	hook.on.Store(true)
	srv.AddHook(hook, nil)
	srv.AddListener(listeners.NewTCP(listeners.Config{ID: "t", Address: addr}))
	go srv.Serve()
	defer srv.Close()
	ix := newFleet(t, "A1")
	in := NewIngest(Config{URL: "tcp://" + addr, ClientID: "deaf-test"}, ix)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	err := in.Start(ctx)
	cancel()
	defer in.Close()
	if err == nil || in.Connected() {
		t.Fatalf("ingest says it is subscribed while the broker refuses (err %v)", err)
	}
	time.Sleep(time.Second)
	if in.Connected() {
		t.Fatal("ingest connected while refused")
	}
	hook.on.Store(false)
	eventually(t, 10*time.Second, "ingest subscribed once the broker accepts", in.Connected)
	srv.Publish(LocationTopic("dinkes", "A1"), []byte(location(-6.18, 106.1, time.Now().Unix())), false, 0)
	eventually(t, 3*time.Second, "fix applied", func() bool { u, _ := ix.Get("A1"); return u.Position.Lat == -6.18 })
}
