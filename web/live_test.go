package web

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
)

func liveServer(t *testing.T) (*httptest.Server, *dispatch.Service, *Server) {
	t.Helper()
	st := newStack(t, "")
	return st.ts, st.svc, st.srv
}

func liveStack(t *testing.T) *stack {
	t.Helper()
	return newStack(t, "")
}

func dial(t *testing.T, ts *httptest.Server) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/api/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(16 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func read(t *testing.T, c *websocket.Conn) liveMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m liveMsg
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLiveSnapshotThenDeltas(t *testing.T) {
	st := liveStack(t)
	ts, svc := st.ts, st.svc
	st.units.Register(context.Background(), tracking.Registration{ID: "AMB-1", Type: tracking.Ambulance, Agency: "dinkes"}, "admin")
	c := dial(t, ts)
	snap := read(t, c)
	if snap.Type != "snapshot" || len(snap.Units) != 1 || snap.Units[0].ID != "AMB-1" {
		t.Fatalf("snapshot %+v", snap)
	}
	// Many fixes of one unit within a batch arrive as one update, the newest.
	for i := range 20 {
		st.clk.Add(time.Millisecond) // a fix is never ahead of the clock (the units service takes it as of its receipt)
		st.units.ApplyFix("AMB-1", tracking.Position{Lon: 106.15 + float64(i)*1e-4, Lat: -6.11, At: st.clk.Now(), Battery: -1})
	}
	m := read(t, c)
	if m.Type != "units" || len(m.Units) != 1 || m.Units[0].Properties["liveness"] != "live" {
		t.Fatalf("units delta %+v", m)
	}
	if m.Units[0].Geometry == nil || m.Units[0].Geometry.Bound().Min[0] < 106.1518 {
		t.Fatalf("not the newest position: %v", m.Units[0].Geometry)
	}
	in, _, err := svc.CreateIncident(context.Background(), dispatch.NewIncident{Category: "medical", Lat: -6.110699, Lon: 106.177791, Caller: "0811"}, "call-taker")
	if err != nil {
		t.Fatal(err)
	}
	for {
		m = read(t, c)
		if m.Type == "incident" {
			break
		}
	}
	if m.Incident.ID != in.ID || m.Action != "created" {
		t.Fatalf("incident delta %+v", m)
	}
}

// A client that stops reading is dropped; the server and other clients go on.
func TestLiveDropsSlowClient(t *testing.T) {
	ts, svc, srv := liveServer(t)
	dial(t, ts) // the slow one: never read
	fast := dial(t, ts)
	got := make(chan int, 1)
	go func() {
		n := 0
		for {
			_, b, err := fast.Read(context.Background())
			if err != nil {
				got <- n
				return
			}
			if strings.Contains(string(b[:40]), `"incident"`) {
				n++
			}
		}
	}()
	// Incident events go out at once, each about 2 KB here, so a socket
	// nobody reads backs up within seconds.
	big := strings.Repeat("x", dispatch.MaxDescription)
	created := 0
	deadline := time.Now().Add(60 * time.Second)
	for srv.hub.dropped.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("slow client not dropped after %d incidents", created)
		}
		for range 10 { // a steady stream the fast client keeps up with
			if _, _, err := svc.CreateIncident(context.Background(), dispatch.NewIncident{Category: "stunting", Lat: -6.110699, Lon: 106.177791, Caller: "0811", Description: big}, "call-taker"); err != nil {
				t.Fatal(err)
			}
			created++
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	fast.Close(websocket.StatusNormalClosure, "")
	if n := <-got; n < created/2 {
		t.Fatalf("the fast client got %d of %d incidents", n, created)
	}
	// Both handlers end (the dropped one after its close handshake times
	// out, as its peer never reads): no client is leaked.
	for wait := time.Now().Add(15 * time.Second); srv.hub.connected.Load() != 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatalf("%d clients still counted", srv.hub.connected.Load())
		}
	}
}
