package lograte

import (
	"testing"
	"time"
)

func TestAllow(t *testing.T) {
	l := New(time.Hour)
	tests := []struct {
		name     string
		key      string
		wantOK   bool
		wantHeld int
	}{
		{"first line of a key passes", "a", true, 0},
		{"second within the interval is held", "a", false, 0},
		{"third is held too", "a", false, 0},
		{"another key passes", "b", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			held, ok := l.Allow(tt.key)
			if ok != tt.wantOK || held != tt.wantHeld {
				t.Fatalf("Allow(%q) = %d, %v; want %d, %v", tt.key, held, ok, tt.wantHeld, tt.wantOK)
			}
		})
	}
	l.last["a"] = time.Now().Add(-2 * time.Hour) // the interval has passed
	if held, ok := l.Allow("a"); !ok || held != 2 {
		t.Fatalf("after the interval: %d, %v; want the 2 held lines counted", held, ok)
	}
}
