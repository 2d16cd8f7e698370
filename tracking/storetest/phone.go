package storetest

import (
	"context"
	"testing"
	"time"

	"siaga112/tracking"
)

// Phoner is a store that keeps what the phone edge reports.
type Phoner interface {
	tracking.Store
	tracking.PhoneLog
}

func callEvent(id, number string, k tracking.CallEventKind, at time.Time, reason string) tracking.Change {
	e := tracking.CallEvent{CallID: id, Number: number, Event: k, At: at, Reason: reason}
	return tracking.Change{Audit: tracking.Audit{Action: "call." + string(k), Actor: "kamailio"}, Action: "call", At: at, CallEvent: &e}
}

// RunPhone is the phone edge's contract: a call's events, in any order,
// repeated, make one call, the same as the fold in memory; an event for
// a call_id of another number changes nothing; a classification sets the
// outcome once; the newest fresh location is the one read back.
func RunPhone(t *testing.T, open func(t *testing.T) Phoner) {
	ctx := context.Background()
	ring, ans, end := t0, t0.Add(2*time.Second), t0.Add(62*time.Second+500*time.Millisecond)
	events := []tracking.Change{
		callEvent("c1@edge", "081234567890", tracking.CallRinging, ring, ""),
		callEvent("c1@edge", "081234567890", tracking.CallAnswered, ans, ""),
		callEvent("c1@edge", "081234567890", tracking.CallEnded, end, "bye"),
	}
	orders := []struct {
		name  string
		order []int
	}{
		{"in order", []int{0, 1, 2}},
		{"reversed", []int{2, 1, 0}},
		{"repeated and shuffled", []int{1, 2, 1, 0, 2, 0}},
	}
	var want tracking.PhoneCall
	for _, e := range events {
		want, _, _ = want.Apply(*e.CallEvent)
	}
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			s := open(t)
			for _, i := range o.order {
				if err := tracking.Apply(s, events[i]); err != nil {
					t.Fatal(err)
				}
			}
			// Another number under the same call_id changes nothing.
			if err := tracking.Apply(s, callEvent("c1@edge", "0899", tracking.CallRejected, t0, "blocked")); err != nil {
				t.Fatal(err)
			}
			got, err := s.PhoneCall(ctx, "c1@edge")
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tracking.CallEnded || got.Reason != "bye" || got.Number != "081234567890" || !got.At.Equal(ring) ||
				got.DurationS == nil || *got.DurationS != 60.5 || got.Outcome != "" {
				t.Fatalf("call %+v, want %+v", got, want)
			}
			if m, changed, err := want.Merge(got); err != nil || changed {
				t.Fatalf("the store's call differs from the fold in memory: %+v (%v)", m, err)
			}
			list, err := s.PhoneCalls(ctx, tracking.CallQuery{From: t0.Add(-time.Hour), To: t0.Add(time.Hour)})
			if err != nil || len(list) != 1 || list[0].CallID != "c1@edge" {
				t.Fatalf("PhoneCalls: %+v (%v)", list, err)
			}
			if list, _ := s.PhoneCalls(ctx, tracking.CallQuery{Number: "0899"}); len(list) != 0 {
				t.Fatalf("PhoneCalls of another number: %+v", list)
			}
		})
	}
	t.Run("classified once", func(t *testing.T) {
		s := open(t)
		if err := tracking.Apply(s, callEvent("c2", "0811", tracking.CallRejected, t0, "blocked")); err != nil {
			t.Fatal(err)
		}
		for _, o := range []tracking.CallOutcome{tracking.CallInformation, tracking.CallEmergency} {
			call := tracking.Call{ID: "L-" + string(o), At: t0.Add(time.Minute), Number: "0811", Outcome: o, By: "Budi", CallID: "c2"}
			if err := tracking.Apply(s, tracking.Change{Audit: audit, Action: "call", At: call.At, Call: &call}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.PhoneCall(ctx, "c2")
		if err != nil || got.Outcome != tracking.CallInformation || got.State != tracking.CallRejected || got.Reason != "blocked" {
			t.Fatalf("%+v (%v)", got, err)
		}
		if _, err := s.PhoneCall(ctx, "nope"); tracking.CodeOf(err) != tracking.CodeNotFound {
			t.Fatalf("unknown call: %v", err)
		}
	})
	t.Run("locations and raw AML", func(t *testing.T) {
		s := open(t)
		now := t0.Add(time.Hour)
		pct := 68
		old := tracking.CallerLocation{Number: "0811", Lat: -6.1, Lon: 106.1, RadiusM: 20, Source: tracking.SourceAMLSMS,
			Method: tracking.MethodGNSS, ConfidencePct: &pct, At: t0, ReceivedAt: t0.Add(time.Second)}
		newer := old
		newer.Lat, newer.At, newer.ReceivedAt, newer.Source, newer.Method, newer.ConfidencePct = -6.2, t0.Add(time.Minute), t0.Add(2*time.Minute), tracking.SourceAMLHTTPS, tracking.MethodWiFi, nil
		raw := tracking.RawAML{Number: "0811", Source: tracking.SourceAMLSMS, Version: "2", Text: `A"ML=2;x=<b>`, ReceivedAt: t0}
		for _, c := range []tracking.Change{
			{Audit: audit, At: t0, CallerLocation: &newer},
			{Audit: audit, At: t0, CallerLocation: &old, RawAML: &raw},
		} {
			if err := tracking.Apply(s, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.CallerLocation(ctx, "0811", now)
		if err != nil || got.Lat != -6.2 || got.Source != tracking.SourceAMLHTTPS || got.Method != tracking.MethodWiFi || got.ConfidencePct != nil ||
			!got.At.Equal(newer.At) || !got.ReceivedAt.Equal(newer.ReceivedAt) {
			t.Fatalf("newest: %+v (%v)", got, err)
		}
		if _, err := s.CallerLocation(ctx, "0811", now.Add(48*time.Hour)); tracking.CodeOf(err) != tracking.CodeNotFound {
			t.Fatalf("two days later: %v", err)
		}
		if _, err := s.CallerLocation(ctx, "0899", now); tracking.CodeOf(err) != tracking.CodeNotFound {
			t.Fatalf("another number: %v", err)
		}
	})
}
