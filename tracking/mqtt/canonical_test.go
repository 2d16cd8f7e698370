package mqtt

import (
	"strings"
	"testing"
)

func TestCanonicalTopic(t *testing.T) {
	s := &session{unit: "AMB-01", agency: "dinkes"}
	for _, tt := range []struct {
		name, topic, want string
		ok                bool
	}{
		{"own position", "owntracks/dinkes/AMB-01", "owntracks/dinkes/AMB-01", true},
		{"own subtopic", "owntracks/dinkes/AMB-01/event", "owntracks/dinkes/AMB-01/event", true},
		{"deep subtopic", "owntracks/dinkes/AMB-01/cmd/x", "owntracks/dinkes/AMB-01/cmd/x", true},
		{"Android default", "owntracks/AMB-01/pixel7", "owntracks/dinkes/AMB-01", true},
		{"Android subtopic", "owntracks/AMB-01/pixel7/waypoints", "owntracks/dinkes/AMB-01/waypoints", true},
		{"Android naming another unit", "owntracks/AMB-01/AMB-02", "owntracks/dinkes/AMB-01", true},
		{"own status", "siaga112/units/AMB-01/status", "siaga112/units/AMB-01/status", true},
		{"another unit", "owntracks/dinkes/AMB-02", "", false},
		{"another unit's subtopic", "owntracks/dinkes/AMB-02/event", "", false},
		{"another agency", "owntracks/damkar/AMB-01", "", false},
		{"another unit's status", "siaga112/units/AMB-02/status", "", false},
		{"empty device", "owntracks/AMB-01/", "", false},
		{"too short", "owntracks/AMB-01", "", false},
		{"not owntracks", "foo/dinkes/AMB-01", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.canonical(tt.topic)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("canonical(%q) = %q, %v; want %q, %v", tt.topic, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// FuzzCanonical: whatever topic a device names, what it may publish is only
// ever its own.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"owntracks/dinkes/AMB-01", "owntracks/AMB-01/x/event", "siaga112/units/AMB-01/status",
		"owntracks/dinkes/AMB-02", "owntracks//", "owntracks/AMB-01/\x00/+/#"} {
		f.Add(s)
	}
	s := &session{unit: "AMB-01", agency: "dinkes"}
	f.Fuzz(func(t *testing.T, topic string) {
		got, ok := s.canonical(topic)
		if !ok {
			return
		}
		if got != StatusTopic("AMB-01") && got != "owntracks/dinkes/AMB-01" && !strings.HasPrefix(got, "owntracks/dinkes/AMB-01/") {
			t.Fatalf("canonical(%q) = %q: not the device's own topic", topic, got)
		}
	})
}
