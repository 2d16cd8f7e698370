package tracking

import (
	"testing"
	"time"
)

// A call event and a caller location are published once their change is
// in the store (Journal.Record); the raw AML is not.
func TestPhoneChangesPublished(t *testing.T) {
	at := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	e := CallEvent{CallID: "c1", Number: "0811", Event: CallRinging, At: at}
	l := CallerLocation{Number: "0811", Lat: -6.1, Lon: 106.1, At: at, ReceivedAt: at}
	for _, tc := range []struct {
		name  string
		c     Change
		kinds []string
	}{
		{"call event", Change{CallEvent: &e, At: at}, []string{"call"}},
		{"location with its message", Change{CallerLocation: &l, RawAML: &RawAML{Number: "0811", Text: "A\"ML=1"}, At: at, Action: "location"}, []string{"location"}},
		{"raw message alone", Change{RawAML: &RawAML{Number: "0811", Text: "A\"ML=2"}, At: at}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var kinds []string
			for _, ev := range tc.c.Events() {
				kinds = append(kinds, ev.Kind)
				if ev.Kind == "call" && (ev.Call == nil || ev.Call.CallID != "c1" || ev.Action != "ringing") {
					t.Fatalf("%+v", ev)
				}
			}
			if len(kinds) != len(tc.kinds) || (len(kinds) > 0 && kinds[0] != tc.kinds[0]) {
				t.Fatalf("kinds %v, want %v", kinds, tc.kinds)
			}
		})
	}
}

// Merging another record of the same call brings every kind it holds,
// with the state's reason, and keeps an outcome once set.
func TestPhoneCallMerge(t *testing.T) {
	at := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	a, _ := FoldCallEvents([]CallEvent{{CallID: "c", Number: "0811", Event: CallRinging, At: at}})
	b, _ := FoldCallEvents([]CallEvent{
		{CallID: "c", Number: "0811", Event: CallAnswered, At: at.Add(time.Second)},
		{CallID: "c", Number: "0811", Event: CallEnded, Reason: "bye", At: at.Add(11 * time.Second)},
	})
	b.Outcome = CallEmergency
	m, changed, err := a.Merge(b)
	if err != nil || !changed || m.State != CallEnded || m.Reason != "bye" || m.RingingAt == nil || *m.DurationS != 10 || m.Outcome != CallEmergency {
		t.Fatalf("%+v %v %v", m, changed, err)
	}
	if _, changed, _ := m.Merge(b); changed {
		t.Fatal("merging the same record again changed it")
	}
	if _, _, err := m.Merge(PhoneCall{CallID: "c", Number: "0899", State: CallEnded, At: at, EndedAt: &at}); CodeOf(err) != CodeConflict {
		t.Fatalf("another number: %v", err)
	}
}

// FuzzNewCallEvent: an event from the phone system is refused with
// CodeInvalid or comes out normalised: a call_id that is text of at most
// MaxCallID bytes, a canonical number (normalising it again changes
// nothing), a known kind, a time inside the window; and it folds.
func FuzzNewCallEvent(f *testing.F) {
	now := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	f.Add("a84b4c76e66710@10.0.0.1", "+62 812-3456-7890", "ringing", "", "2026-01-01T09:59:00+07:00")
	f.Add("x\x00", "0000 0812", "ended", "bye", "")
	f.Add("<script>", "anonymous", "rejected", "blocked", "2026-01-01T03:00:00.123456789Z")
	f.Fuzz(func(t *testing.T, id, number, event, reason, at string) {
		e, err := NewCallEvent(id, number, event, reason, at, now)
		if err != nil {
			if CodeOf(err) != CodeInvalid {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		if CheckText("call_id", e.CallID, MaxCallID, false) != nil || e.CallID == "" {
			t.Fatalf("call_id %q accepted", e.CallID)
		}
		if n, err := NormalizeCallerNumber(e.Number); err != nil || n != e.Number {
			t.Fatalf("number %q is not canonical (%q, %v)", e.Number, n, err)
		}
		if e.At.After(now.Add(CallEventMaxAhead)) || e.At.Before(now.Add(-CallEventMaxAge)) {
			t.Fatalf("at %v outside the window", e.At)
		}
		if c, changed, err := (PhoneCall{}).Apply(e); err != nil || !changed || c.CallID != e.CallID {
			t.Fatalf("fold: %+v %v %v", c, changed, err)
		}
	})
}
