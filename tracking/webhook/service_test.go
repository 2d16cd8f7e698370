package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"siaga112/tracking"
)

const secret = "s3cret-s3cret-s3cret"

// receiver records what it is sent and answers with the codes in plan, then
// 200s.
type receiver struct {
	mu    sync.Mutex
	plan  []int
	got   []received
	srv   *httptest.Server
	gotCh chan received
}

type received struct {
	header http.Header
	body   []byte
	status int
}

func newReceiver(t *testing.T, plan ...int) *receiver {
	r := &receiver{plan: plan, gotCh: make(chan received, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		status := 200
		if len(r.plan) > 0 {
			status, r.plan = r.plan[0], r.plan[1:]
		}
		rec := received{header: req.Header.Clone(), body: b, status: status}
		r.got = append(r.got, rec)
		r.mu.Unlock()
		w.WriteHeader(status)
		r.gotCh <- rec
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) wait(t *testing.T) received {
	t.Helper()
	select {
	case rec := <-r.gotCh:
		return rec
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery within 10 s")
		return received{}
	}
}

// start runs a fast-retrying service on out until the test ends.
func start(t *testing.T, out tracking.WebhookOutbox, tune func(*Config)) *Service {
	// The receivers are httptest servers on 127.0.0.1.
	cfg := Config{Outbox: out, Backoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond, PollEvery: 10 * time.Millisecond, Timeout: 2 * time.Second, AllowPrivate: true}
	if tune != nil {
		tune(&cfg)
	}
	s := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

func subscribe(t *testing.T, s *Service, url string, events ...tracking.WebhookEvent) tracking.Webhook {
	t.Helper()
	w, err := s.Subscribe(context.Background(), tracking.Webhook{URL: url, Events: events, Secret: secret, CreatedBy: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// The signature is checked with crypto/hmac directly, not with Verify.
func TestDeliverySignedAndHeaders(t *testing.T) {
	rc := newReceiver(t)
	s := start(t, NewMemory(), nil)
	w := subscribe(t, s, rc.srv.URL+"/hook", tracking.EventIncidentOverdue)
	subscribe(t, s, rc.srv.URL+"/other", tracking.EventCallerBlocked) // not subscribed: gets nothing
	at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	if !s.Publish(tracking.EventIncidentOverdue, at, map[string]string{"id": "INC-1", "note": "<b>&</b>"}) {
		t.Fatal("publish refused")
	}
	got := rc.wait(t)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(got.body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); got.header.Get("X-Siaga112-Signature") != want {
		t.Fatalf("signature %q, want %q", got.header.Get("X-Siaga112-Signature"), want)
	}
	var b struct {
		ID    string
		Event string
		At    time.Time
		Data  map[string]string
	}
	if err := json.Unmarshal(got.body, &b); err != nil {
		t.Fatal(err)
	}
	if got.header.Get("X-Siaga112-Event") != "incident.overdue" || b.Event != "incident.overdue" || b.ID == "" ||
		got.header.Get("X-Siaga112-Delivery") != b.ID || !b.At.Equal(at) || b.Data["note"] != "<b>&</b>" ||
		got.header.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v body %s", got.header, got.body)
	}
	waitFor(t, func() bool { return s.Stats().Delivered == 1 })
	ds, _ := s.Deliveries(context.Background(), w.ID, 10)
	if len(ds) != 1 || ds[0].Status != tracking.DeliveryDelivered || len(ds[0].Log) != 1 || ds[0].Log[0].StatusCode != 200 {
		t.Fatalf("log %+v", ds)
	}
	select {
	case extra := <-rc.gotCh:
		t.Fatalf("delivered twice or to the wrong webhook: %s", extra.body)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestRetriesAfter500s(t *testing.T) {
	rc := newReceiver(t, 500, 503, 200)
	s := start(t, NewMemory(), nil)
	w := subscribe(t, s, rc.srv.URL, tracking.EventIncidentCreated)
	s.Publish(tracking.EventIncidentCreated, time.Now(), 1)
	first, second, third := rc.wait(t), rc.wait(t), rc.wait(t)
	if first.header.Get(HeaderDelivery) != third.header.Get(HeaderDelivery) || string(first.body) != string(third.body) || second.status != 503 {
		t.Fatal("a retry is not the same delivery")
	}
	waitFor(t, func() bool { return s.Stats().Delivered == 1 })
	ds, _ := s.Deliveries(context.Background(), w.ID, 10)
	if len(ds) != 1 || ds[0].Attempts != 3 || ds[0].Status != tracking.DeliveryDelivered {
		t.Fatalf("delivery %+v", ds)
	}
	var codes []int
	for _, a := range ds[0].Log {
		codes = append(codes, a.StatusCode)
	}
	if len(codes) != 3 || codes[0] != 500 || codes[1] != 503 || codes[2] != 200 || ds[0].Log[0].Error == "" {
		t.Fatalf("attempts %+v", ds[0].Log)
	}
}

func TestGivesUpAfterTheDay(t *testing.T) {
	rc := newReceiver(t, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500)
	s := start(t, NewMemory(), func(c *Config) { c.GiveUpAfter = 150 * time.Millisecond })
	w := subscribe(t, s, rc.srv.URL, tracking.EventIncidentCreated)
	s.Publish(tracking.EventIncidentCreated, time.Now(), 1)
	waitFor(t, func() bool { return s.Stats().Failed == 1 })
	ds, _ := s.Deliveries(context.Background(), w.ID, 10)
	if ds[0].Status != tracking.DeliveryFailed || ds[0].Attempts < 2 || ds[0].DoneAt == nil {
		t.Fatalf("delivery %+v", ds[0])
	}
	n := ds[0].Attempts
	time.Sleep(100 * time.Millisecond)
	if ds, _ := s.Deliveries(context.Background(), w.ID, 10); ds[0].Attempts != n {
		t.Fatal("a failed delivery was attempted again")
	}
}

// A receiver that never answers holds its only slot; Publish still takes
// every event and they all reach the outbox; the hung attempt times out
// and is logged.
func TestDeadReceiverDoesNotBlockPublish(t *testing.T) {
	hang := make(chan struct{})
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); dead.Close() })
	out := NewMemory()
	s := start(t, out, func(c *Config) { c.PerReceiver = 1; c.Timeout = 200 * time.Millisecond; c.Queue = 1000 })
	w := subscribe(t, s, dead.URL, tracking.EventIncidentCreated)
	for i := range 500 {
		if !s.Publish(tracking.EventIncidentCreated, time.Now(), i) {
			t.Fatalf("publish %d refused", i)
		}
	}
	waitFor(t, func() bool { return s.Stats().Enqueued == 500 })
	waitFor(t, func() bool {
		ds, _ := s.Deliveries(context.Background(), w.ID, 500)
		for _, d := range ds {
			if len(d.Log) > 0 && d.Log[0].StatusCode == 0 && d.Log[0].Error != "" {
				return true
			}
		}
		return false
	})
}

func TestFullQueueRefusedAndCounted(t *testing.T) {
	s := New(Config{Outbox: NewMemory(), Queue: 10}) // not running: nothing drains the queue
	for i := range 10 {
		if !s.Publish(tracking.EventIncidentCreated, time.Now(), i) {
			t.Fatalf("publish %d refused", i)
		}
	}
	if s.Publish(tracking.EventIncidentCreated, time.Now(), 10) {
		t.Fatal("the 11th event was taken by a full queue")
	}
	if st := s.Stats(); st.Refused != 1 || st.Published != 10 || st.Queued != 10 {
		t.Fatalf("stats %+v", st)
	}
}

func TestDeletedWebhookGetsNothingMore(t *testing.T) {
	rc := newReceiver(t, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500)
	s := start(t, NewMemory(), func(c *Config) { c.Backoff = 50 * time.Millisecond })
	w := subscribe(t, s, rc.srv.URL, tracking.EventIncidentCreated)
	s.Publish(tracking.EventIncidentCreated, time.Now(), 1)
	rc.wait(t)
	if err := s.Unsubscribe(context.Background(), w.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // an attempt in flight may still land
	for len(rc.gotCh) > 0 {
		<-rc.gotCh
	}
	select {
	case <-rc.gotCh:
		t.Fatal("delivered after the webhook was deleted")
	case <-time.After(300 * time.Millisecond):
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	s := New(Config{Outbox: NewMemory(), Backoff: 30 * time.Second, MaxBackoff: time.Hour})
	for _, tc := range []struct {
		name     string
		n        int
		min, max time.Duration
	}{
		{"first", 1, 15 * time.Second, 30 * time.Second},
		{"third", 3, 60 * time.Second, 120 * time.Second},
		{"capped", 10, 30 * time.Minute, time.Hour},
		{"huge", 1000, 30 * time.Minute, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 50 {
				d := s.backoff(tc.n)
				if d < tc.min || d > tc.max {
					t.Fatalf("backoff(%d) = %v outside [%v, %v]", tc.n, d, tc.min, tc.max)
				}
				seen[d] = true
			}
			if len(seen) < 2 {
				t.Fatal("no jitter")
			}
		})
	}
}

func TestFromBusMasksCaller(t *testing.T) {
	in := tracking.Incident{ID: "INC-1", Caller: "+6281234567890"}
	name, data, ok := FromBus(tracking.Event{Kind: "incident", Action: "overdue", Incident: &in})
	if !ok || name != tracking.EventIncidentOverdue || data.(tracking.Incident).Caller != "**********7890" || in.Caller != "+6281234567890" {
		t.Fatalf("FromBus = %v %+v %v", name, data, ok)
	}
	if _, _, ok := FromBus(tracking.Event{Kind: "unit", Action: "moved"}); ok {
		t.Fatal("a unit move became a webhook event")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func BenchmarkPublish(b *testing.B) {
	s := New(Config{Outbox: NewMemory(), Queue: b.N + 1})
	in := tracking.Incident{ID: "INC-1", Caller: "+6281234567890", Description: "kebakaran rumah"}
	b.ReportAllocs()
	for b.Loop() {
		s.Publish(tracking.EventIncidentCreated, time.Now(), in)
	}
}

// A dead receiver does not hold the workers: after its first failures its
// other deliveries wait for the retry, and a healthy webhook gets all of
// its own.
func TestDeadReceiverDoesNotStarveOthers(t *testing.T) {
	hang := make(chan struct{})
	var mu sync.Mutex
	deadHits := 0
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		deadHits++
		mu.Unlock()
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); dead.Close() })
	rc := newReceiver(t)
	const workers = 2
	s := start(t, NewMemory(), func(c *Config) {
		c.PerReceiver, c.Timeout, c.Backoff, c.MaxBackoff = workers, 200*time.Millisecond, time.Hour, time.Hour
	})
	deadHook := subscribe(t, s, dead.URL, tracking.EventIncidentCreated)
	subscribe(t, s, rc.srv.URL, tracking.EventIncidentCreated)
	for i := range 20 {
		s.Publish(tracking.EventIncidentCreated, time.Now(), i)
	}
	waitFor(t, func() bool { return s.Stats().Delivered == 20 })
	time.Sleep(300 * time.Millisecond) // let any attempt in flight end
	mu.Lock()
	hits := deadHits
	mu.Unlock()
	if hits > workers {
		t.Fatalf("the dead receiver was tried %d times; at most %d (one per slot) before its deliveries were postponed", hits, workers)
	}
	ds, _ := s.Deliveries(context.Background(), deadHook.ID, 50)
	if len(ds) != 20 {
		t.Fatalf("dead hook has %d deliveries", len(ds))
	}
}
