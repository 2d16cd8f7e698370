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
