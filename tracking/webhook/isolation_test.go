package webhook

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"siaga112/tracking"
)

// hangingReceiver accepts every delivery and never answers (until the test
// ends); it counts the requests it holds.
func hangingReceiver(t *testing.T) (*httptest.Server, func() int) {
	hang := make(chan struct{})
	var mu sync.Mutex
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); srv.Close() })
	return srv, func() int { mu.Lock(); defer mu.Unlock(); return hits }
}

// timedReceiver notes when each event (by its data's "n") arrived.
type timedReceiver struct {
	mu  sync.Mutex
	got map[int]time.Time
	srv *httptest.Server
}

func newTimedReceiver(t *testing.T) *timedReceiver {
	r := &timedReceiver{got: map[int]time.Time{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var b struct{ Data struct{ N int } }
		if err := json.NewDecoder(req.Body).Decode(&b); err != nil {
			t.Errorf("delivery body: %v", err)
		}
		r.mu.Lock()
		if _, dup := r.got[b.Data.N]; !dup {
			r.got[b.Data.N] = time.Now()
		}
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *timedReceiver) at(n int) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.got[n]
	return at, ok
}

// Issue 22, finding 22: a receiver that accepts and never answers delays
// only itself. With the service's defaults (10 s timeout, 30 s backoff, 1 s
// poll) and 30 incidents 50 ms apart, the healthy receiver gets each within
// 2 s of its publication, and so does a deadline warning published after
// them. Before, the deliveries shared 4 workers the hanging receiver held:
// 3 of 30 arrived within 2 s.
func TestHangingReceiverDelaysOnlyItself(t *testing.T) {
	hanging, hangingHits := hangingReceiver(t)
	healthy := newTimedReceiver(t)
	s := start(t, NewMemory(), func(c *Config) {
		c.Timeout, c.Backoff, c.MaxBackoff, c.PollEvery = 10*time.Second, 30*time.Second, time.Hour, time.Second
	})
	events := []tracking.WebhookEvent{tracking.EventIncidentCreated, tracking.EventIncidentDeadlineWarning}
	subscribe(t, s, hanging.URL, events...)
	subscribe(t, s, healthy.srv.URL, events...)

	const n = 30
	published := make([]time.Time, n+1)
	for i := range n {
		published[i] = time.Now()
		if !s.Publish(tracking.EventIncidentCreated, published[i], map[string]int{"n": i}) {
			t.Fatalf("publish %d refused", i)
		}
		time.Sleep(50 * time.Millisecond)
	}
	published[n] = time.Now()
	s.Publish(tracking.EventIncidentDeadlineWarning, published[n], map[string]int{"n": n})

	time.Sleep(2500 * time.Millisecond) // the last one's 2 s, and a margin
	var late []int
	var worst time.Duration
	for i := range n + 1 {
		at, ok := healthy.at(i)
		if !ok || at.Sub(published[i]) > 2*time.Second {
			late = append(late, i)
			continue
		}
		worst = max(worst, at.Sub(published[i]))
	}
	t.Logf("healthy receiver: %d of %d within 2 s (worst of those %v); the hanging receiver holds %d requests",
		n+1-len(late), n+1, worst.Round(time.Millisecond), hangingHits())
	if len(late) > 0 {
		t.Fatalf("deliveries %v (of 0–%d; %d is the deadline warning) did not reach the healthy receiver within 2 s while another receiver hung", late, n, n)
	}
}

// A hanging receiver is tried at most PerReceiver at a time: the rest of its
// deliveries wait for its own slots and then for its backoff.
func TestHangingReceiverHoldsOnlyItsOwnSlots(t *testing.T) {
	hanging, hits := hangingReceiver(t)
	s := start(t, NewMemory(), func(c *Config) {
		c.PerReceiver, c.Timeout, c.Backoff, c.MaxBackoff = 2, 500*time.Millisecond, time.Hour, time.Hour
	})
	subscribe(t, s, hanging.URL, tracking.EventIncidentCreated)
	for i := range 20 {
		s.Publish(tracking.EventIncidentCreated, time.Now(), i)
	}
	waitFor(t, func() bool { return s.Stats().Enqueued == 20 })
	time.Sleep(1500 * time.Millisecond) // three timeouts
	if h := hits(); h == 0 || h > 2 {
		t.Fatalf("the hanging receiver was tried %d times; want 1 or 2 (its slots), then its backoff", h)
	}
}
