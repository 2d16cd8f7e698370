package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"siaga112/tracking"
)

// RunWebhookOutbox checks a tracking.WebhookOutbox: subscriptions, claims
// with leases, the delivery log and deletes. open returns an empty outbox.
func RunWebhookOutbox(t *testing.T, open func(t *testing.T) tracking.WebhookOutbox) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	hook := tracking.Webhook{ID: "wh_a", URL: "https://gw.example/hook", Events: []tracking.WebhookEvent{tracking.EventIncidentOverdue},
		Secret: "0123456789abcdef", CreatedAt: t0, CreatedBy: "admin"}
	delivery := func(i int, at time.Time) tracking.Delivery {
		return tracking.Delivery{ID: fmt.Sprintf("dl_%03d", i), WebhookID: "wh_a", Event: tracking.EventIncidentOverdue,
			Body: []byte(fmt.Sprintf(`{"n":%d}`, i)), CreatedAt: at, Status: tracking.DeliveryPending, NextAttemptAt: at}
	}

	t.Run("claim leases and retries", func(t *testing.T) {
		o := open(t)
		if err := o.AddWebhook(ctx, hook); err != nil {
			t.Fatal(err)
		}
		hs, err := o.Webhooks(ctx)
		if err != nil || len(hs) != 1 || hs[0].Secret != hook.Secret || len(hs[0].Events) != 1 || !hs[0].CreatedAt.Equal(t0) {
			t.Fatalf("webhooks = %+v (%v)", hs, err)
		}
		if err := o.Enqueue(ctx, []tracking.Delivery{delivery(1, t0), delivery(2, t0.Add(time.Second)), delivery(3, t0.Add(time.Hour))}); err != nil {
			t.Fatal(err)
		}
		got, err := o.Claim(ctx, "wh_a", t0.Add(time.Second), time.Minute, 10)
		if err != nil || len(got) != 2 || got[0].ID != "dl_001" || string(got[0].Body) != `{"n":1}` {
			t.Fatalf("claim = %+v (%v)", got, err)
		}
		if again, _ := o.Claim(ctx, "wh_a", t0.Add(2*time.Second), time.Minute, 10); len(again) != 0 {
			t.Fatalf("leased deliveries claimed again: %+v", again)
		}
		a := tracking.Attempt{At: t0.Add(2 * time.Second), StatusCode: 500, Error: "answered 500", DurationMS: 12}
		if err := o.Record(ctx, "dl_001", tracking.Outcome{Attempt: a, Status: tracking.DeliveryPending, Next: t0.Add(10 * time.Second)}); err != nil {
			t.Fatal(err)
		}
		ok := tracking.Attempt{At: t0.Add(3 * time.Second), StatusCode: 204, DurationMS: 3}
		if err := o.Record(ctx, "dl_002", tracking.Outcome{Attempt: ok, Status: tracking.DeliveryDelivered}); err != nil {
			t.Fatal(err)
		}
		if n, _ := o.Pending(ctx); n != 2 {
			t.Fatalf("pending = %d, want 2", n)
		}
		if got, _ := o.Claim(ctx, "wh_a", t0.Add(9*time.Second), time.Minute, 10); len(got) != 0 {
			t.Fatalf("claimed before its retry time: %+v", got)
		}
		got, _ = o.Claim(ctx, "wh_a", t0.Add(10*time.Second), time.Minute, 10)
		if len(got) != 1 || got[0].ID != "dl_001" || got[0].Attempts != 1 || got[0].LastStatus != 500 {
			t.Fatalf("retry claim = %+v", got)
		}
		log, err := o.Deliveries(ctx, "wh_a", 10)
		if err != nil || len(log) != 3 {
			t.Fatalf("deliveries = %+v (%v)", log, err)
		}
		byID := map[string]tracking.Delivery{}
		for _, d := range log {
			byID[d.ID] = d
		}
		if d := byID["dl_002"]; d.Status != tracking.DeliveryDelivered || d.DoneAt == nil || len(d.Log) != 1 || d.Log[0].StatusCode != 204 {
			t.Fatalf("delivered = %+v", d)
		}
		if d := byID["dl_001"]; len(d.Log) != 1 || d.Log[0].Error != "answered 500" || d.Log[0].DurationMS != 12 || !d.Log[0].At.Equal(a.At) {
			t.Fatalf("retried = %+v", d)
		}
		if _, err := o.Deliveries(ctx, "wh_nope", 10); tracking.CodeOf(err) != tracking.CodeNotFound {
			t.Fatalf("unknown webhook: %v", err)
		}
		// Postpone moves only pending deliveries due earlier.
		if err := o.Postpone(ctx, "wh_a", t0.Add(30*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, _ := o.Claim(ctx, "wh_a", t0.Add(29*time.Minute), time.Minute, 10); len(got) != 0 {
			t.Fatalf("claimed a postponed delivery: %+v", got)
		}
		got, _ = o.Claim(ctx, "wh_a", t0.Add(61*time.Minute), time.Minute, 10)
		if len(got) != 2 || got[0].ID != "dl_001" || got[1].ID != "dl_003" {
			t.Fatalf("after postpone claimed %+v", got)
		}
		// Prune takes the delivered one (done at +3 s), not the pending ones.
		if n, err := o.Prune(ctx, t0.Add(3*time.Second)); err != nil || n != 0 {
			t.Fatalf("prune at the done time took %d (%v)", n, err)
		}
		if n, err := o.Prune(ctx, t0.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("prune took %d (%v)", n, err)
		}
		if log, _ := o.Deliveries(ctx, "wh_a", 10); len(log) != 2 {
			t.Fatalf("after prune: %+v", log)
		}
		if n, _ := o.Pending(ctx); n != 2 {
			t.Fatalf("pending after prune = %d", n)
		}
	})

	// Each webhook's deliveries are claimed on their own (issue 22): a
	// backlog of one never stands before another's.
	t.Run("claims by webhook", func(t *testing.T) {
		o := open(t)
		other := hook
		other.ID, other.URL = "wh_b", "https://other.example/hook"
		for _, h := range []tracking.Webhook{hook, other} {
			if err := o.AddWebhook(ctx, h); err != nil {
				t.Fatal(err)
			}
		}
		if ids, err := o.Due(ctx, t0); err != nil || len(ids) != 0 {
			t.Fatalf("due before any delivery = %v (%v)", ids, err)
		}
		var ds []tracking.Delivery
		for i := range 5 { // wh_a's backlog, older than wh_b's one
			ds = append(ds, delivery(i, t0))
		}
		b := delivery(9, t0.Add(time.Second))
		b.WebhookID = "wh_b"
		later := delivery(10, t0.Add(time.Hour))
		later.WebhookID = "wh_b"
		if err := o.Enqueue(ctx, append(ds, b, later)); err != nil {
			t.Fatal(err)
		}
		ids, err := o.Due(ctx, t0.Add(time.Second))
		if err != nil || len(ids) != 2 || !(ids[0] == "wh_a" && ids[1] == "wh_b" || ids[0] == "wh_b" && ids[1] == "wh_a") {
			t.Fatalf("due = %v (%v), want wh_a and wh_b once each", ids, err)
		}
		got, err := o.Claim(ctx, "wh_b", t0.Add(time.Second), time.Minute, 10)
		if err != nil || len(got) != 1 || got[0].ID != "dl_009" || got[0].WebhookID != "wh_b" {
			t.Fatalf("claim for wh_b = %+v (%v)", got, err)
		}
		if ids, _ := o.Due(ctx, t0.Add(time.Second)); len(ids) != 1 || ids[0] != "wh_a" {
			t.Fatalf("due after wh_b's claim = %v, want [wh_a]", ids)
		}
		got, _ = o.Claim(ctx, "wh_a", t0.Add(time.Second), time.Minute, 2)
		if len(got) != 2 || got[0].ID != "dl_000" || got[1].ID != "dl_001" {
			t.Fatalf("claim 2 for wh_a = %+v", got)
		}
		if got, _ := o.Claim(ctx, "wh_nope", t0.Add(time.Hour), time.Minute, 10); len(got) != 0 {
			t.Fatalf("claim for an unknown webhook = %+v", got)
		}
	})

	t.Run("delete fails pending", func(t *testing.T) {
		o := open(t)
		if err := o.AddWebhook(ctx, hook); err != nil {
			t.Fatal(err)
		}
		if err := o.Enqueue(ctx, []tracking.Delivery{delivery(1, t0)}); err != nil {
			t.Fatal(err)
		}
		if err := o.DeleteWebhook(ctx, "wh_a"); err != nil {
			t.Fatal(err)
		}
		if err := o.DeleteWebhook(ctx, "wh_a"); tracking.CodeOf(err) != tracking.CodeNotFound {
			t.Fatalf("second delete: %v", err)
		}
		if n, _ := o.Pending(ctx); n != 0 {
			t.Fatalf("pending after delete = %d", n)
		}
		if got, _ := o.Claim(ctx, "wh_a", t0.Add(time.Hour), time.Minute, 10); len(got) != 0 {
			t.Fatalf("claimed a deleted webhook's delivery: %+v", got)
		}
	})
}
