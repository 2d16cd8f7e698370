package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/postgres"
	"siaga112/tracking/postgres/pgtest"
)

// Deliveries owed when the server stops are delivered by the next one, from
// a new store on the same database, each once and signed.
func TestOutboxSurvivesRestart(t *testing.T) {
	dbURL := pgtest.URL(t)
	var mu sync.Mutex
	up := false
	seen := map[string]int{}
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if !up {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		body := make([]byte, r.ContentLength)
		if _, err := r.Body.Read(body); err != nil && len(body) == 0 {
			t.Error(err)
		}
		if !Verify(secret, body, r.Header.Get(HeaderSignature)) {
			t.Errorf("bad signature on %s", r.Header.Get(HeaderDelivery))
		}
		seen[r.Header.Get(HeaderDelivery)]++
	}))
	t.Cleanup(rc.Close)

	open := func() *postgres.Store {
		st, err := postgres.Open(context.Background(), dbURL, postgres.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	tune := func(c *Config) { c.Backoff, c.MaxBackoff = time.Hour, time.Hour } // no retry within the first run

	first := open()
	s1 := New(Config{Outbox: first.Webhooks(), AllowPrivate: true, PerReceiver: 3, Backoff: time.Hour, MaxBackoff: time.Hour, PollEvery: 10 * time.Millisecond})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s1.Run(ctx); close(done) }()
	w, err := s1.Subscribe(context.Background(), tracking.Webhook{URL: rc.URL, Events: []tracking.WebhookEvent{tracking.EventIncidentOverdue}, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		s1.Publish(tracking.EventIncidentOverdue, time.Now(), i)
	}
	waitFor(t, func() bool { // each delivery tried once and the 502 logged
		ds, _ := s1.Deliveries(context.Background(), w.ID, 10)
		n := 0
		for _, d := range ds {
			if len(d.Log) == 1 && d.Log[0].StatusCode == 502 {
				n++
			}
		}
		return n == 3
	})
	stop()
	<-done
	first.Close(context.Background())

	mu.Lock()
	up = true
	mu.Unlock()
	second := open()
	t.Cleanup(func() { second.Close(context.Background()) })
	later := func() time.Time { return time.Now().Add(2 * time.Hour) } // past the first run's retry time
	s2 := start(t, second.Webhooks(), func(c *Config) { tune(c); c.Now = later })
	waitFor(t, func() bool { return s2.Stats().Delivered == 3 })
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 {
		t.Fatalf("delivered %v, want 3 distinct deliveries", seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("delivery %s arrived %d times", id, n)
		}
	}
	ds, err := s2.Deliveries(context.Background(), w.ID, 10)
	if err != nil || len(ds) != 3 {
		t.Fatalf("log %+v (%v)", ds, err)
	}
	for _, d := range ds {
		if d.Status != tracking.DeliveryDelivered || d.Attempts != 2 || d.Log[0].StatusCode != 502 || d.Log[1].StatusCode != 200 {
			t.Fatalf("delivery %+v", d)
		}
	}
}
