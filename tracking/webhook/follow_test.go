package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking"
)

func TestFollowBus(t *testing.T) {
	rc := newReceiver(t)
	s := start(t, NewMemory(), nil)
	subscribe(t, s, rc.srv.URL, tracking.WebhookEvents...)
	bus := tracking.NewBus()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Follow(ctx, bus); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, func() bool { return bus.Subscribers() == 1 })

	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	until := now.Add(24 * time.Hour)
	in := tracking.Incident{ID: "INC-7", Caller: "+6281234567890"}
	caller := func(blocked, proposed bool) *tracking.Caller {
		c := tracking.Caller{Number: "+6281299990000", ProposedPermanentBlock: proposed}
		if blocked {
			c.BlockedUntil = &until
		}
		return &c
	}
	for _, e := range []tracking.Event{
		{Kind: "unit", Action: "moved", At: now},
		{Kind: "incident", Action: "created", At: now, Incident: &in},
		{Kind: "incident", Action: "assignment", At: now, Incident: &in}, // not a webhook event
		{Kind: "caller", Action: "prank", At: now, Caller: caller(false, false)},
		{Kind: "caller", Action: "prank", At: now, Caller: caller(true, false)}, // blocked
		{Kind: "caller", Action: "prank", At: now, Caller: caller(true, false)}, // still blocked: nothing
		{Kind: "caller", Action: "prank", At: now, Caller: caller(true, true)},  // proposed
		{Kind: "incident", Action: "overdue", At: now, Incident: &in},
	} {
		bus.Publish(e)
	}
	var got []string
	for range 4 {
		r := rc.wait(t)
		var b struct {
			Event string
			Data  map[string]any
		}
		json.Unmarshal(r.body, &b)
		got = append(got, b.Event)
		for _, k := range []string{"caller", "number"} {
			if v, ok := b.Data[k].(string); ok && v != "" && v[0] != '*' {
				t.Fatalf("%s leaves unmasked: %s", k, v)
			}
		}
	}
	// Deliveries run concurrently: compare as a set.
	want := map[string]bool{"incident.created": true, "caller.blocked": true, "caller.proposed": true, "incident.overdue": true}
	for _, g := range got {
		if !want[g] {
			t.Fatalf("got %v", got)
		}
		delete(want, g)
	}
	select {
	case r := <-rc.gotCh:
		t.Fatalf("extra delivery %s", r.body)
	case <-time.After(200 * time.Millisecond):
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(s)
	if mfs, err := reg.Gather(); err != nil || len(mfs) != 8 {
		t.Fatalf("metrics %d (%v)", len(mfs), err)
	}
}

// A busy fleet's fixes on the bus never push webhook events out: Follow's
// room holds incidents and callers only (its subscription was dropped by
// the first 4,097 fixes before).
func TestFollowKeepsUpUnderAFixFlood(t *testing.T) {
	rc := newReceiver(t)
	s := start(t, NewMemory(), nil)
	subscribe(t, s, rc.srv.URL, tracking.EventIncidentCreated)
	bus := tracking.NewBus()
	sub := Subscribe(bus) // taken first, read later: as slow as a reader gets
	for i := range 3 * FollowBuffer {
		bus.Publish(tracking.Event{Kind: "unit", Action: "moved", Unit: &tracking.Unit{ID: fmt.Sprintf("AMB-%d", i)}})
	}
	in := tracking.Incident{ID: "INC-1", Caller: "081234567890"}
	bus.Publish(tracking.Event{Kind: "incident", Action: "created", Incident: &in})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.FollowFrom(ctx, bus, sub)
	got := rc.wait(t)
	if got.header.Get(HeaderEvent) != string(tracking.EventIncidentCreated) {
		t.Fatalf("delivery of %q, want incident.created", got.header.Get(HeaderEvent))
	}
	if d := s.Stats().BusDrops; d != 0 {
		t.Fatalf("%d bus drops, want none", d)
	}
}
