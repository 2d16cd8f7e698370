package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

// liveOnly is a server with a fleet of n live units, its bus and a cap.
func liveOnly(t *testing.T, n, cap int) (*httptest.Server, *Server, *fleet.Index, *tracking.Bus) {
	t.Helper()
	ix := fleet.New(fleet.Config{})
	for i := range n {
		id := fmt.Sprintf("U%05d", i)
		ix.Register(tracking.Registration{ID: id, Type: tracking.Ambulance, Agency: "dinkes", Callsign: "Ambulans " + id})
		ix.ApplyFix(id, tracking.Position{Lon: 106.1 + float64(i%100)*1e-3, Lat: -6.1 - float64(i/100)*1e-3, At: time.Now(), SpeedKmh: tracking.Some(40), Battery: 80})
	}
	bus := tracking.NewBus()
	s, err := New(Config{Fleet: indexOnly{ix}, Bus: bus, LiveClients: cap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, s, ix, bus
}

// One client past the cap is answered 503 with a sentence; the others
// are served.
func TestLiveClientCap(t *testing.T) {
	ts, _, _, _ := liveOnly(t, 3, 2)
	for range 2 {
		if m := read(t, dial(t, ts)); m.Type != "snapshot" || len(m.Units) != 3 {
			t.Fatalf("first message %+v", m)
		}
	}
	resp, err := http.Get(ts.URL + "/api/live")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("client past the cap: %d, want 503", resp.StatusCode)
	}
}

// Hundreds of clients joining together share one snapshot per tick and
// one encoding of each delta: the server's memory grows with the units, not
// with units × clients (before, 500 clients of 2,000 units took RSS from
// 40 MB to 2.3 GB).
func TestLiveManyClientsShareSnapshots(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of WebSockets")
	}
	// Under the race detector on two cores 300 sockets cannot all drain a
	// 2,000-unit snapshot within the write timeout; 60 still show sharing.
	units, clients := 2000, 300
	if raceEnabled {
		clients = 60
	}
	ts, s, ix, bus := liveOnly(t, units, clients)
	// Hundreds of clients in this process read their 700 KB snapshots
	// on the server's two cores, in 4–14 s under the race detector: the
	// heartbeat would drop them as stalled (a pong not back within 5 s).
	// This test is about memory; stalled clients are live_stall_test.go's.
	s.hub.pingEvery = 0
	before := rssMB(t)
	conns := make([]*websocket.Conn, clients)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/api/live", nil)
			if err != nil {
				errs <- err
				return
			}
			c.SetReadLimit(16 << 20)
			_, b, err := c.Read(ctx)
			if err != nil || !strings.HasPrefix(string(b), `{"type":"snapshot"`) {
				errs <- fmt.Errorf("first message: %.40s %v", b, err)
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	defer func() {
		for _, c := range conns {
			c.CloseNow()
		}
	}()
	joined := rssMB(t)
	snaps := s.hub.snapshots.Load()
	if snaps >= int64(clients/4) {
		t.Fatalf("%d snapshots built for %d clients: not shared", snaps, clients)
	}
	// A tenth of the units move: one delta, encoded once, reaches every client.
	for _, u := range ix.List()[:units/10] {
		p := u.Position
		p.At = p.At.Add(time.Second)
		ix.ApplyFix(u.ID, p)
		bus.Publish(tracking.Event{Kind: "unit", Action: "moved", Unit: &u})
	}
	for _, c := range conns {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, b, err := c.Read(ctx)
		cancel()
		if err != nil || !strings.HasPrefix(string(b), `{"type":"units"`) {
			t.Fatalf("delta: %.40s %v", b, err)
		}
	}
	after := rssMB(t)
	t.Logf("%d units, %d live clients: RSS %.0f MB before, %.0f MB joined, %.0f MB after a delta; %d snapshots built",
		units, clients, before, joined, after, snaps)
}

// rssMB is this process's resident set (server and clients together).
func rssMB(t *testing.T) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb float64
			fmt.Sscanf(strings.TrimPrefix(line, "VmRSS:"), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}
