package mqtt

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/fleet"
	"siaga112/tracking/owntracks"
	"siaga112/tracking/trackingtest"
)

func newFleet(t testing.TB, ids ...string) *fleet.Index {
	t.Helper()
	ix := fleet.New(fleet.Config{})
	for _, id := range ids {
		if _, _, err := ix.Register(tracking.Registration{ID: id, Type: tracking.Ambulance, Agency: "dinkes"}); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

func location(lat, lon float64, tst int64) string {
	return fmt.Sprintf(`{"_type":"location","lat":%g,"lon":%g,"tst":%d}`, lat, lon, tst)
}

func TestHandle(t *testing.T) {
	t0 := time.Now().Unix()
	type msg struct{ topic, payload string }
	tests := []struct {
		name     string
		msgs     []msg
		applied  uint64
		history  uint64
		ignored  uint64
		rejected map[Reason]uint64
		wantLat  float64
		wantLive tracking.Liveness
	}{
		{
			name:    "fixes in order",
			msgs:    []msg{{"owntracks/dinkes/A1", location(-6.10, 106.1, t0)}, {"owntracks/dinkes/A1", location(-6.11, 106.1, t0+1)}},
			applied: 2, wantLat: -6.11, wantLive: tracking.Live,
		},
		{
			name:    "an older fix is history",
			msgs:    []msg{{"owntracks/dinkes/A1", location(-6.10, 106.1, t0)}, {"owntracks/dinkes/A1", location(-6.11, 106.1, t0-30)}},
			applied: 1, history: 1, wantLat: -6.10, wantLive: tracking.Live,
		},
		{
			name: "garbage in between never stops ingestion",
			msgs: []msg{
				{"owntracks/dinkes/A1", "garbage"},
				{"owntracks/dinkes/A1", `{"_type":"location","lat":"x","lon":106.1,"tst":1}`},
				{"owntracks/dinkes/A1", location(-96, 106.1, t0)},
				{"owntracks/dinkes/GHOST", location(-6.1, 106.1, t0)},
				{"owntracks/dinkes/A1", location(-6.1, 106.1, t0+25*3600)},
				{"owntracks/dinkes/A1", location(-6.12, 106.1, t0)},
			},
			applied: 1, wantLat: -6.12, wantLive: tracking.Live,
			rejected: map[Reason]uint64{ReasonNotJSON: 1, ReasonWrongType: 1, ReasonOutOfRange: 1, ReasonUnregistered: 1, ReasonFuture: 1},
		},
		{
			name:    "last will of a connection made after the newest fix marks offline",
			msgs:    []msg{{"owntracks/dinkes/A1", location(-6.10, 106.1, t0-10)}, {"owntracks/dinkes/A1", fmt.Sprintf(`{"_type":"lwt","tst":%d}`, t0-5)}},
			applied: 2, wantLat: -6.10, wantLive: tracking.Offline,
		},
		{
			name:    "last will without tst marks offline",
			msgs:    []msg{{"owntracks/dinkes/A1", location(-6.10, 106.1, t0)}, {"owntracks/dinkes/A1", `{"_type":"lwt"}`}},
			applied: 2, wantLat: -6.10, wantLive: tracking.Offline,
		},
		{
			name:    "last will older than the newest fix is history (issue 22, item 20)",
			msgs:    []msg{{"owntracks/dinkes/A1", location(-6.10, 106.1, t0)}, {"owntracks/dinkes/A1", fmt.Sprintf(`{"_type":"lwt","tst":%d}`, t0-60)}},
			applied: 1, history: 1, wantLat: -6.10, wantLive: tracking.Live,
		},
		{
			name:    "other OwnTracks types are ignored",
			msgs:    []msg{{"owntracks/dinkes/A1", `{"_type":"waypoint"}`}},
			ignored: 1, wantLive: tracking.Offline,
		},
		{
			name:    "crew status",
			msgs:    []msg{{"siaga112/units/A1/status", `{"status":"on_scene"}`}, {"siaga112/units/A1/status", `{"status":"nap"}`}},
			applied: 1, wantLive: tracking.Offline, rejected: map[Reason]uint64{ReasonBadStatus: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := newFleet(t, "A1")
			in := NewIngest(Config{URL: "tcp://127.0.0.1:1"}, ix)
			for _, m := range tt.msgs {
				in.Handle(m.topic, []byte(m.payload))
			}
			s := in.Stats()
			if s.Received != uint64(len(tt.msgs)) || s.Applied != tt.applied || s.History != tt.history || s.Ignored != tt.ignored {
				t.Fatalf("stats %+v, want applied %d history %d ignored %d", s, tt.applied, tt.history, tt.ignored)
			}
			for _, r := range Reasons {
				if s.Rejected[r] != tt.rejected[r] {
					t.Fatalf("rejected[%s] = %d, want %d", r, s.Rejected[r], tt.rejected[r])
				}
			}
			u, _ := ix.Get("A1")
			if u.Position.Lat != tt.wantLat || u.Liveness != tt.wantLive {
				t.Fatalf("unit lat %v liveness %q, want %v %q", u.Position.Lat, u.Liveness, tt.wantLat, tt.wantLive)
			}
		})
	}
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func startIngest(t *testing.T, url string, f Fleet) *Ingest {
	t.Helper()
	in := NewIngest(Config{URL: url, ClientID: fmt.Sprintf("test-ingest-%d", time.Now().UnixNano())}, f)
	startCtx(t, in)
	return in
}

func startCtx(t *testing.T, in *Ingest) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := in.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Close)
}

func newPublisher(t *testing.T, url string) *Publisher {
	t.Helper()
	p, err := NewPublisher(PublisherConfig{URL: url, ClientID: fmt.Sprintf("test-pub-%d", time.Now().UnixNano()), QoS: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// mosquittoURL says what MQTT_TEST_URL is for.
const mosquittoURL = "a real Mosquitto to test against, e.g. tcp://127.0.0.1:1883; bash .ci/run sets it"

// Against the real Mosquitto that .ci/run starts.
func TestIngestMosquitto(t *testing.T) {
	url := trackingtest.Env(t, "MQTT_TEST_URL", mosquittoURL)
	id := fmt.Sprintf("T%d", time.Now().UnixNano())
	ix := newFleet(t, id)
	in := startIngest(t, url, ix)
	pub := newPublisher(t, url)
	now := time.Now()

	fix := tracking.Position{Lat: -6.12, Lon: 106.15, At: now.Truncate(time.Millisecond), Battery: 50}
	if err := pub.PublishFix("dinkes", id, fix); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, "fix applied and unit live", func() bool {
		u, _ := ix.Get(id)
		return u.Liveness == tracking.Live && u.Position.Lat == -6.12
	})

	before := in.Stats()
	for _, payload := range []string{"garbage", `{"_type":"location","lat":"x"}`, location(-91, 106, now.Unix())} {
		if err := pub.Publish(LocationTopic("dinkes", id), []byte(payload)); err != nil {
			t.Fatal(err)
		}
	}
	older := fix
	older.At, older.Lat = fix.At.Add(-time.Minute), -6.2
	pub.PublishFix("dinkes", id, older)
	pub.PublishFix("dinkes", "UNREGISTERED-"+id, fix)
	newer := fix
	newer.At, newer.Lat = fix.At.Add(time.Second), -6.13
	pub.PublishFix("dinkes", id, newer)
	eventually(t, 2*time.Second, "newer fix applied after garbage", func() bool {
		u, _ := ix.Get(id)
		return u.Position.Lat == -6.13
	})
	after := in.Stats()
	for _, r := range []Reason{ReasonNotJSON, ReasonWrongType, ReasonOutOfRange, ReasonUnregistered} {
		if after.Rejected[r] <= before.Rejected[r] {
			t.Errorf("rejected[%s] did not grow", r)
		}
	}
	if after.History <= before.History {
		t.Errorf("older fix not counted as history")
	}

	if err := pub.Publish(LocationTopic("dinkes", id), []byte(fmt.Sprintf(`{"_type":"lwt","tst":%d}`, newer.At.Unix()+1))); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, "last will marks offline", func() bool {
		u, _ := ix.Get(id)
		return u.Liveness == tracking.Offline
	})
	if err := pub.Publish(StatusTopic(id), []byte(`{"status":"en_route"}`)); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, "crew status applied", func() bool {
		u, _ := ix.Get(id)
		return u.Status == tracking.EnRoute
	})
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// The broker goes away and comes back: the ingest reconnects and resubscribes
// by itself.
func TestIngestReconnects(t *testing.T) {
	addr := freePort(t)
	b, err := StartBroker(addr, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix := newFleet(t, "A1")
	in := startIngest(t, b.URL(), ix)
	b.Close()
	eventually(t, 15*time.Second, "ingest notices the broker is gone", func() bool { return !in.Connected() })

	// Same port, new broker: it knows nothing of the old subscriptions.
	var b2 *Broker
	eventually(t, 5*time.Second, "port free again", func() bool {
		b2, err = StartBroker(addr, nil, nil)
		return err == nil
	})
	defer b2.Close()
	restarted := time.Now()
	eventually(t, 15*time.Second, "ingest reconnected and resubscribed", in.Connected)
	t.Logf("resubscribed %v after the broker came back", time.Since(restarted).Round(time.Millisecond))
	pub := newPublisher(t, b2.URL())
	if err := pub.PublishFix("dinkes", "A1", tracking.Position{Lat: -6.1, Lon: 106.1, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, "fix applied after reconnect", func() bool {
		u, _ := ix.Get("A1")
		return u.Liveness == tracking.Live
	})
	if in.Stats().Reconnects == 0 {
		t.Error("reconnect not counted")
	}
}

func TestBrokerPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = StartBroker(l.Addr().String(), nil, nil)
	if err == nil {
		t.Fatal("broker started on a taken port")
	}
	for _, want := range []string{"--mqtt-listen", "--mqtt-url", l.Addr().String()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestLocationRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 0, 0, 123e6, time.UTC)
	for _, p := range []tracking.Position{
		{Lat: -6.123456, Lon: 106.154321, At: at, SpeedKmh: tracking.Some(42), Heading: tracking.Some(270), AccuracyM: tracking.Some(5), Battery: 77},
		{Lat: -6.123456, Lon: 106.154321, At: at, Battery: -1}, // absent readings stay absent
	} {
		m, err := owntracks.Decode(AppendLocation(nil, p, "A1"), at, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Location.Position(); got != p {
			t.Fatalf("round trip: got %+v, want %+v", got, p)
		}
	}
}

func BenchmarkHandle(b *testing.B) {
	ix := newFleet(b, "A1")
	in := NewIngest(Config{URL: "tcp://127.0.0.1:1"}, ix)
	t0 := time.Now()
	payloads := make([][]byte, 1024)
	for i := range payloads {
		payloads[i] = AppendLocation(nil, tracking.Position{Lat: -6.1, Lon: 106.1 + float64(i)*1e-5, At: t0}, "")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		in.Handle("owntracks/dinkes/A1", payloads[i%len(payloads)])
	}
}

// BenchmarkHandlePOI: an iOS location carrying a 40 KiB POI image, the
// largest payload the apps send.
func BenchmarkHandlePOI(b *testing.B) {
	ix := newFleet(b, "A1")
	in := NewIngest(Config{URL: "tcp://127.0.0.1:1"}, ix)
	image := strings.Repeat("/9j/4AAQSkZJRgABAQ", 40<<10/18)
	t0 := time.Now()
	payloads := make([][]byte, 64)
	for i := range payloads {
		payloads[i] = []byte(fmt.Sprintf(`{"_type":"location","lat":-6.1,"lon":%f,"tst":%d,"acc":5,"cog":270,"vel":38,"poi":"Pasar","image":%q}`,
			106.1+float64(i)*1e-5, t0.Unix()+int64(i), image))
	}
	b.SetBytes(int64(len(payloads[0])))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		in.Handle("owntracks/dinkes/A1", payloads[i%len(payloads)])
	}
}

// stallFleet blocks ApplyFix until released, as a starved ingest would.
type stallFleet struct {
	Fleet
	stall chan struct{}
}

func (s stallFleet) ApplyFix(id string, p tracking.Position) (fleet.Outcome, error) {
	<-s.stall
	return s.Fleet.ApplyFix(id, p)
}

// A handler stalled past the keep-alive makes paho drop and re-establish the
// connection; ingestion must then carry on (the broker's clean-up of the old
// session must not take the new one's subscriptions with it).
func TestIngestSurvivesStalledHandler(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a keep-alive; skipped with -short")
	}
	b, err := StartBroker(freePort(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ix := newFleet(t, "A1")
	stall := make(chan struct{})
	in := startIngest(t, b.URL(), stallFleet{ix, stall})
	pub, err := NewPublisher(PublisherConfig{URL: b.URL(), ClientID: "stall-pub", QoS: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	now := time.Now()
	// Enough messages to fill paho's queues, so its reader stops reading
	// and the keep-alive fails.
	for i := range 20000 {
		pub.PublishFix("dinkes", "A1", tracking.Position{Lat: -6.1, Lon: 106.1, At: now.Add(time.Duration(i) * time.Millisecond)})
	}
	eventually(t, 40*time.Second, "the stalled ingest loses its connection", func() bool { return !in.Connected() })
	close(stall)
	eventually(t, 15*time.Second, "reconnected", in.Connected)
	pub.PublishFix("dinkes", "A1", tracking.Position{Lat: -6.2, Lon: 106.2, At: now.Add(time.Minute)})
	eventually(t, 10*time.Second, "a fix after the reconnect is applied", func() bool {
		u, _ := ix.Get("A1")
		return u.Position.Lat == -6.2
	})
}

// startMosquitto runs a private Mosquitto on addr's port (not the shared
// one, which other tests use), or skips when the binary is absent.
func startMosquitto(t *testing.T, port string) *exec.Cmd {
	t.Helper()
	bin := trackingtest.Tool(t, "mosquitto", "mosquitto")
	cmd := exec.Command(bin, "-p", port)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	eventually(t, 5*time.Second, "mosquitto listening", func() bool {
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return cmd
}

// An external broker restarts: ingestion resumes by itself and the
// subscriptions come back.
func TestIngestSurvivesMosquittoRestart(t *testing.T) {
	_, port, _ := net.SplitHostPort(freePort(t))
	url := "tcp://127.0.0.1:" + port
	m := startMosquitto(t, port)
	ix := newFleet(t, "A1")
	in := startIngest(t, url, ix)

	m.Process.Kill()
	m.Wait()
	eventually(t, 15*time.Second, "the ingest notices", func() bool { return !in.Connected() })
	back := time.Now()
	startMosquitto(t, port)
	eventually(t, 15*time.Second, "resubscribed to the restarted broker", in.Connected)
	pub := newPublisher(t, url)
	if err := pub.PublishFix("dinkes", "A1", tracking.Position{Lat: -6.1, Lon: 106.1, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "a fix applied after the restart", func() bool {
		u, _ := ix.Get("A1")
		return u.Liveness == tracking.Live
	})
	t.Logf("ingestion resumed %v after Mosquitto came back", time.Since(back).Round(time.Millisecond))
}

// The embedded broker refuses oversized packets; ingestion goes on.
func TestBrokerCapsPacketSize(t *testing.T) {
	b, err := StartBroker(freePort(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ix := newFleet(t, "A1")
	in := startIngest(t, b.URL(), ix)
	big, err := NewPublisher(PublisherConfig{URL: b.URL(), ClientID: "big", QoS: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	if err := big.Publish(LocationTopic("dinkes", "A1"), []byte(strings.Repeat("x", MaxPacket+1))); err == nil {
		// The broker drops the connection; the publish may or may not report it.
		t.Log("oversized publish reported no error")
	}
	pub := newPublisher(t, b.URL())
	pub.PublishFix("dinkes", "A1", tracking.Position{Lat: -6.1, Lon: 106.1, At: time.Now()})
	eventually(t, 5*time.Second, "ingestion goes on", func() bool {
		u, _ := ix.Get("A1")
		return u.Liveness == tracking.Live
	})
	// The broker never passed the oversized packet on.
	if s := in.Stats(); s.Received != 1 || s.Rejected[ReasonTooLarge] != 0 {
		t.Fatalf("the ingest saw %d messages (%d too large); want only the good fix", s.Received, s.Rejected[ReasonTooLarge])
	}
}
