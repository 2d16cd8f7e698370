package tracking

import (
	"strings"
	"testing"
	"time"
)

var callT0 = time.Date(2026, 1, 1, 10, 0, 0, 0, time.FixedZone("WIB", 7*3600))

func TestNewCallEvent(t *testing.T) {
	now := callT0
	for _, tc := range []struct {
		name                              string
		callID, number, event, reason, at string
		wantField                         string // "" : accepted
		wantNumber                        string
		wantAt                            time.Time
	}{
		{"ringing, at defaults to now", "c1@pbx", "+62 812-3456-7890", "ringing", "", "", "", "081234567890", now},
		{"rejected with reason", "c1@pbx", "0812 3456 7890", "rejected", "blocked", "", "", "081234567890", now},
		{"at given", "c1", "081234567890", "answered", "", "2026-01-01T09:59:00+07:00", "", "081234567890", now.Add(-time.Minute)},
		{"at in UTC", "c1", "081234567890", "ended", "bye", "2026-01-01T02:59:30Z", "", "081234567890", now.Add(-30 * time.Second)},
		{"anonymous", "c1", "Anonymous", "ringing", "", "", "", AnonymousCaller, now},
		{"missing call_id", "", "081234567890", "ringing", "", "", "call_id", "", time.Time{}},
		{"call_id too long", strings.Repeat("x", MaxCallID+1), "081234567890", "ringing", "", "", "call_id", "", time.Time{}},
		{"call_id control character", "c1\r\nX-Evil: 1", "081234567890", "ringing", "", "", "call_id", "", time.Time{}},
		{"number not a phone", "c1", "<script>", "ringing", "", "", "number", "", time.Time{}},
		{"number missing", "c1", "", "ringing", "", "", "number", "", time.Time{}},
		{"unknown event", "c1", "081234567890", "picked_up", "", "", "event", "", time.Time{}},
		{"at not RFC 3339", "c1", "081234567890", "ringing", "", "01/01/2026 10:00", "at", "", time.Time{}},
		{"at too far ahead", "c1", "081234567890", "ringing", "", "2026-01-01T10:06:00+07:00", "at", "", time.Time{}},
		{"at just ahead", "c1", "081234567890", "ringing", "", "2026-01-01T10:04:00+07:00", "", "081234567890", now.Add(4 * time.Minute)},
		{"at too old", "c1", "081234567890", "ringing", "", "2025-12-31T09:59:00+07:00", "at", "", time.Time{}},
		{"reason control character", "c1", "081234567890", "ended", "bye\x00", "", "reason", "", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := NewCallEvent(tc.callID, tc.number, tc.event, tc.reason, tc.at, now)
			if tc.wantField != "" {
				if CodeOf(err) != CodeInvalid || !strings.Contains(err.Error(), `"`+tc.wantField+`"`) {
					t.Fatalf("got %+v, %v; want an invalid error naming %q", e, err, tc.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Number != tc.wantNumber || !e.At.Equal(tc.wantAt) || string(e.Event) != tc.event || e.Reason != tc.reason {
				t.Fatalf("got %+v", e)
			}
		})
	}
}

func ev(kind CallEventKind, sec int, reason string) CallEvent {
	return CallEvent{CallID: "c1", Number: "081234567890", Event: kind, Reason: reason, At: callT0.Add(time.Duration(sec) * time.Second)}
}

func TestFoldCallEvents(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name     string
		events   []CallEvent
		state    CallState
		reason   string
		at       int
		ringing  bool
		answered bool
		ended    bool
		duration *float64
	}{
		{"ringing only", []CallEvent{ev(CallRinging, 0, "")}, CallRinging, "", 0, true, false, false, nil},
		{"answered call", []CallEvent{ev(CallRinging, 0, ""), ev(CallAnswered, 5, "")}, CallAnswered, "", 0, true, true, false, nil},
		{"whole call", []CallEvent{ev(CallRinging, 0, ""), ev(CallAnswered, 5, ""), ev(CallEnded, 65, "bye")}, CallEnded, "bye", 0, true, true, true, f(60)},
		{"missed call", []CallEvent{ev(CallRinging, 0, ""), ev(CallEnded, 20, "487 Request Terminated")}, CallEnded, "487 Request Terminated", 0, true, false, true, nil},
		{"rejected", []CallEvent{ev(CallRejected, 0, "blocked")}, CallRejected, "blocked", 0, false, false, false, nil},
		{"end before answer (clock skew) is 0 s", []CallEvent{ev(CallAnswered, 10, ""), ev(CallEnded, 9, "bye")}, CallEnded, "bye", 9, false, true, true, f(0)},
		{"two ends: the earliest gives the reason", []CallEvent{ev(CallAnswered, 0, ""), ev(CallEnded, 30, "bye"), ev(CallEnded, 31, "487 Request Terminated")}, CallEnded, "bye", 0, false, true, true, f(30)},
		{"sub-second duration", []CallEvent{ev(CallAnswered, 0, ""), {CallID: "c1", Number: "081234567890", Event: CallEnded, At: callT0.Add(1500 * time.Millisecond)}}, CallEnded, "", 0, false, true, true, f(1.5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Every order gives the same record.
			var first *PhoneCall
			permute(tc.events, func(order []CallEvent) {
				c, err := FoldCallEvents(order)
				if err != nil {
					t.Fatal(err)
				}
				if first == nil {
					first = &c
					if c.State != tc.state || c.Reason != tc.reason || !c.At.Equal(callT0.Add(time.Duration(tc.at)*time.Second)) ||
						(c.RingingAt != nil) != tc.ringing || (c.AnsweredAt != nil) != tc.answered || (c.EndedAt != nil) != tc.ended ||
						(c.DurationS == nil) != (tc.duration == nil) || (c.DurationS != nil && *c.DurationS != *tc.duration) {
						t.Fatalf("got %+v (duration %v)", c, c.DurationS)
					}
					return
				}
				if !c.equal(*first) {
					t.Fatalf("order %v gives %+v, another order %+v", kinds(order), c, *first)
				}
			})
		})
	}
}

func TestApplyRepeatedEventChangesNothing(t *testing.T) {
	c, _ := FoldCallEvents([]CallEvent{ev(CallRinging, 0, ""), ev(CallAnswered, 5, ""), ev(CallEnded, 65, "bye")})
	for _, e := range []CallEvent{ev(CallRinging, 0, ""), ev(CallRinging, 3, ""), ev(CallAnswered, 5, ""), ev(CallEnded, 65, "bye"), ev(CallEnded, 70, "bye")} {
		got, changed, err := c.Apply(e)
		if err != nil || changed || !got.equal(c) {
			t.Fatalf("repeat %s@%v: changed=%v err=%v → %+v", e.Event, e.At, changed, err, got)
		}
	}
	if _, changed, _ := c.Apply(ev(CallRinging, -2, "")); !changed {
		t.Fatal("an earlier ringing (delivered late) must move ringing_at and at")
	}
}

func TestApplyRefusesAnotherNumber(t *testing.T) {
	c, _ := FoldCallEvents([]CallEvent{ev(CallRinging, 0, "")})
	e := ev(CallAnswered, 5, "")
	e.Number = "081299998888"
	if _, _, err := c.Apply(e); CodeOf(err) != CodeConflict {
		t.Fatalf("another number: %v, want conflict", err)
	}
	e = ev(CallAnswered, 5, "")
	e.CallID = "c2"
	if _, _, err := c.Apply(e); CodeOf(err) != CodeConflict {
		t.Fatalf("another call_id: %v, want conflict", err)
	}
}

func TestRejectedCallIsNeverAPrank(t *testing.T) {
	rejected, _ := FoldCallEvents([]CallEvent{ev(CallRejected, 0, "blocked")})
	answered, _ := FoldCallEvents([]CallEvent{ev(CallAnswered, 0, ""), ev(CallEnded, 9, "bye")})
	for _, o := range CallOutcomes {
		err := rejected.Classifiable(o)
		if o.Regulated() != (CodeOf(err) == CodeConflict) {
			t.Errorf("rejected call as %s: %v", o, err)
		}
		if err := answered.Classifiable(o); err != nil {
			t.Errorf("answered call as %s: %v", o, err)
		}
	}
}

func permute(evs []CallEvent, f func([]CallEvent)) {
	var rec func(k int)
	a := append([]CallEvent(nil), evs...)
	rec = func(k int) {
		if k == len(a) {
			f(append([]CallEvent(nil), a...))
			return
		}
		for i := k; i < len(a); i++ {
			a[k], a[i] = a[i], a[k]
			rec(k + 1)
			a[k], a[i] = a[i], a[k]
		}
	}
	rec(0)
}

func kinds(evs []CallEvent) []CallEventKind {
	var out []CallEventKind
	for _, e := range evs {
		out = append(out, e.Event)
	}
	return out
}
