package web

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"siaga112/tracking"
)

// Issue 22, finding 24: with --live-clients 2 held by two WebSocket clients
// that read their snapshot and then stop reading, a third client is
// admitted within 8 s, on an idle feed and on a busy one. Before, a client
// that stopped reading kept its slot until the kernel's socket buffers
// filled and a write then timed out: 23–75 s with traffic, for ever
// without.
func TestLiveStalledClientsFreeTheirSlots(t *testing.T) {
	for _, tc := range []struct {
		name string
		busy bool // units move every 50 ms
	}{
		{"idle feed", false},
		{"busy feed", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts, s, ix, bus := liveOnly(t, 50, 2)
			if tc.busy {
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						case <-time.After(50 * time.Millisecond):
						}
						for _, u := range ix.List() {
							p := u.Position
							p.At = p.At.Add(time.Duration(i+1) * time.Millisecond)
							ix.ApplyFix(u.ID, p)
							bus.Publish(tracking.Event{Kind: "unit", Action: "moved", Unit: &u})
						}
					}
				}()
				t.Cleanup(func() { close(stop); wg.Wait() })
			}
			for range 2 { // each reads its snapshot, then never reads again
				if m := read(t, dial(t, ts)); m.Type != "snapshot" {
					t.Fatalf("first message %+v", m)
				}
			}
			stalled := time.Now()
			if resp, err := http.Get(ts.URL + "/api/live"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("a third client while two are connected: %v %v, want 503", resp, err)
			}
			var third *websocket.Conn
			for third == nil {
				if time.Since(stalled) > 8*time.Second {
					t.Fatalf("no slot freed within 8 s of two clients stopping to read (dropped %d)", s.hub.dropped.Load())
				}
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/api/live", nil)
				cancel()
				if err != nil {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				c.SetReadLimit(16 << 20)
				t.Cleanup(func() { c.CloseNow() })
				third = c
			}
			t.Logf("a third client admitted %v after two stopped reading", time.Since(stalled).Round(10*time.Millisecond))
			if m := read(t, third); m.Type != "snapshot" || len(m.Units) != 50 {
				t.Fatalf("the third client's first message %+v", m)
			}
			if d := s.hub.dropped.Load(); d < 1 {
				t.Fatalf("dropped = %d; the stalled clients were not counted", d)
			}
		})
	}
}
