package deadline_test

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
	"siaga112/tracking/deadline"
	"siaga112/tracking/postgres"
	"siaga112/tracking/postgres/pgtest"
	"siaga112/tracking/webhook"
)

// The scenario with the pieces of this package wired as the lead
// will: a short deadline, warning → overdue → webhooks delivered with a
// valid signature, once each, also across a restart on PostgreSQL.
func TestWarningOverdueWebhookOnceAcrossRestart(t *testing.T) {
	dbURL := pgtest.URL(t)
	const secret = "agency-gateway-secret"
	var mu sync.Mutex
	var got []string
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		if r.Header.Get("X-Siaga112-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			t.Errorf("bad signature")
		}
		var b struct {
			Event string
			Data  tracking.Incident
		}
		json.Unmarshal(body, &b)
		mu.Lock()
		got = append(got, b.Event+" "+b.Data.ID)
		mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	deliveries := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), got...) }

	in := tracking.Incident{ID: "INC-42", LeadAgency: "dinkes", Status: tracking.IncidentOpen, Caller: "+6281234567890"}
	const short = 600 * time.Millisecond

	// run is one server life: store, webhooks following the bus, the clock.
	run := func(subscribe bool, life time.Duration) {
		st, err := postgres.Open(context.Background(), dbURL, postgres.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close(context.Background())
		bus := tracking.NewBus()
		hooks := webhook.New(webhook.Config{Outbox: st.Webhooks(), PollEvery: 20 * time.Millisecond, Backoff: 20 * time.Millisecond,
			AllowPrivate: true}) // the receiver is on 127.0.0.1
		if subscribe {
			if _, err := hooks.Subscribe(context.Background(), tracking.Webhook{URL: rc.URL, Events: []tracking.WebhookEvent{
				tracking.EventIncidentDeadlineWarning, tracking.EventIncidentOverdue}, Secret: secret}); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), life)
		defer cancel()
		var wg sync.WaitGroup
		wg.Add(3)
		go func() { defer wg.Done(); hooks.Run(ctx) }()
		go func() { defer wg.Done(); hooks.Follow(ctx, bus) }()
		for bus.Subscribers() == 0 {
			time.Sleep(time.Millisecond)
		}
		if subscribe { // the first life: the case comes in now
			in.ReceivedAt = time.Now()
		}
		clock := deadline.New(short, st.DeadlineMarks())
		cases := func(context.Context) ([]deadline.Case, error) { return []deadline.Case{deadline.CaseOf(in)}, nil }
		fire := func(f deadline.Firing) {
			v := in.Clone()
			bus.Publish(tracking.Event{Kind: "incident", Action: f.Action(), At: time.Now(), Incident: &v})
		}
		go func() {
			defer wg.Done()
			clock.Run(ctx, time.Now, cases, fire, nil, 50*time.Millisecond, func(err error) { t.Error(err) })
		}()
		wg.Wait()
	}

	run(true, 2*time.Second) // past the warning (400 ms) and the deadline (600 ms)
	if d := deliveries(); len(d) != 2 || d[0] != "incident.deadline_warning INC-42" || d[1] != "incident.overdue INC-42" {
		t.Fatalf("first life delivered %v", d)
	}
	run(false, 500*time.Millisecond) // restart: the marks and the outbox say all is done
	if d := deliveries(); len(d) != 2 {
		t.Fatalf("after the restart: %v", d)
	}
}
