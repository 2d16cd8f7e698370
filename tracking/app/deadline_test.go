package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
	"siaga112/tracking/webhook"
)

// hookReceiver records the deliveries it gets, checking each signature.
type hookReceiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	got    []hookDelivery
}

type hookDelivery struct {
	Event    string
	Incident string
	Caller   string
	SigOK    bool
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var body struct {
		ID   string `json:"id"`
		Data struct {
			ID     string `json:"id"`
			Caller string `json:"caller"`
		} `json:"data"`
	}
	json.Unmarshal(b, &body)
	h.mu.Lock()
	h.got = append(h.got, hookDelivery{Event: r.Header.Get("X-Siaga112-Event"), Incident: body.Data.ID, Caller: body.Data.Caller,
		SigOK: webhook.Verify(h.secret, b, r.Header.Get("X-Siaga112-Signature")) && body.ID == r.Header.Get("X-Siaga112-Delivery")})
	h.mu.Unlock()
}

func (h *hookReceiver) count(event string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, d := range h.got {
		if d.Event == event {
			n++
		}
	}
	return n
}

func (h *hookReceiver) all() []hookDelivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookDelivery(nil), h.got...)
}

// With a 6 s --agency-deadline on real PostgreSQL, an unacknowledged
// incident warns at 4 s and is overdue after 6 s: each a bus event (the
// pages' live feed) and a webhook delivered with a valid signature, once —
// also across two restarts, one between the warning and the overdue and
// one after both.
func TestDeadlineWarningOverdueWebhookOnceAcrossRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a 6 s deadline")
	}
	db := pgtest.URL(t)
	const deadline = 6 * time.Second
	recv := &hookReceiver{t: t, secret: "a-webhook-secret-of-some-length"}
	hooks := httptest.NewServer(recv)
	defer hooks.Close()
	cfg := app.Config{DB: db, AgencyDeadline: deadline, WebhookPoll: 50 * time.Millisecond, WebhookBackoff: 200 * time.Millisecond,
		WebhookAllowPrivate: true} // the receiver is on 127.0.0.1

	a1, base := newAccountsApp(t, cfg)
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	admin.must("POST", "/api/webhooks", map[string]any{"url": hooks.URL, "events": []string{"incident.deadline_warning", "incident.overdue"}, "secret": recv.secret}, 201, nil)
	var in incidentJSON
	admin.must("POST", "/api/incidents", map[string]any{"category": "fallen_tree", "lat": -6.12, "lon": 106.15, "caller": "081234567890", "description": "pohon tumbang"}, 201, &in)
	if got := in.AgencyDueAt.Sub(in.ReceivedAt); got != deadline {
		t.Fatalf("agency_due_at is %v after the report, want --agency-deadline %v", got, deadline)
	}
	sub := a1.Dispatch.Bus().Subscribe(64)
	waitUntil(t, 10*time.Second, func() bool { return recv.count("incident.deadline_warning") == 1 })
	if el := time.Since(in.ReceivedAt); el < deadline*2/3 {
		t.Fatalf("warning after %v, before two thirds of the deadline", el)
	}
	if recv.count("incident.overdue") != 0 {
		t.Fatal("overdue before the deadline")
	}
	if !sawAction(sub, "deadline_warning", in.ID) {
		t.Fatal("no deadline_warning event on the bus")
	}
	a1.Close()

	// Restart between the two alarms: the warning is not repeated; the
	// overdue fires once.
	a2, _ := newAccountsApp(t, cfg)
	sub2 := a2.Dispatch.Bus().Subscribe(64)
	waitUntil(t, 10*time.Second, func() bool { return recv.count("incident.overdue") == 1 })
	if el := time.Since(in.ReceivedAt); el <= deadline {
		t.Fatalf("overdue after %v, not past the deadline", el)
	}
	if !sawAction(sub2, "overdue", in.ID) {
		t.Fatal("no overdue event on the bus")
	}
	if g, err := a2.Dispatch.Get(in.ID); err != nil || !g.Overdue(time.Now()) {
		t.Fatalf("incident after the deadline: %+v %v", g, err)
	}
	a2.Close()

	// A restart after both: nothing fires again.
	newAccountsApp(t, cfg)
	time.Sleep(1500 * time.Millisecond)
	ds := recv.all()
	if len(ds) != 2 {
		t.Fatalf("deliveries %+v, want one warning and one overdue", ds)
	}
	for _, d := range ds {
		if !d.SigOK || d.Incident != in.ID || d.Caller != "********7890" {
			t.Fatalf("delivery %+v: want a valid signature, the incident, the number masked", d)
		}
	}
}

func sawAction(sub *tracking.Subscription, action, id string) bool {
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e := <-sub.C:
			if e.Kind == "incident" && e.Action == action && e.Incident != nil && e.Incident.ID == id {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

func waitUntil(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !ok() {
		if time.Now().After(end) {
			t.Fatalf("not within %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
