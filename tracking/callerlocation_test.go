package tracking

import (
	"testing"
	"time"
)

func TestNewestCallerLocation(t *testing.T) {
	now := callT0
	loc := func(name string, fixAgo, recvAgo time.Duration) CallerLocation {
		return CallerLocation{Number: name, At: now.Add(-fixAgo), ReceivedAt: now.Add(-recvAgo)}
	}
	for _, tc := range []struct {
		name string
		ls   []CallerLocation
		want string // "" : none
	}{
		{"none", nil, ""},
		{"one fresh", []CallerLocation{loc("a", time.Hour, time.Hour)}, "a"},
		{"newest fix wins", []CallerLocation{loc("a", time.Hour, time.Minute), loc("b", 10*time.Minute, 10*time.Minute)}, "b"},
		{"same fix: later receipt", []CallerLocation{loc("a", time.Hour, 50*time.Minute), loc("b", time.Hour, 40*time.Minute)}, "b"},
		{"older than 24 h is not offered", []CallerLocation{loc("a", 25*time.Hour, 25*time.Hour)}, ""},
		{"24 h exactly is offered", []CallerLocation{loc("a", 24*time.Hour, 24*time.Hour)}, "a"},
		{"a fix time in the future counts from receipt", []CallerLocation{loc("a", -time.Hour, 30*time.Hour)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := NewestCallerLocation(tc.ls, now)
			if ok != (tc.want != "") || got.Number != tc.want {
				t.Fatalf("got %q, %v; want %q", got.Number, ok, tc.want)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"mobile", "+6281234567890", "**********7890"},
		{"national", "081234567890", "********7890"},
		{"short", "112", "***"},
		{"four", "1234", "****"},
		{"empty", "", ""},
		{"anonymous is no number", AnonymousCaller, AnonymousCaller},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MaskPhone(tc.in); got != tc.want {
				t.Fatalf("MaskPhone(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
