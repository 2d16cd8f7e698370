package mqtt

import (
	"testing"

	"github.com/mochi-mqtt/server/v2/packets"
)

// A device's message names the login the broker numbered, whatever user
// properties the device sent (an MQTT 5 device could forge one).
func TestWithLogin(t *testing.T) {
	var l logins
	dev := &session{unit: "AMB-01"}
	l.add(dev)
	forged := packets.UserProperty{Key: LoginProperty, Val: "999999"}
	other := packets.UserProperty{Key: "app", Val: "owntracks"}
	tests := []struct {
		name  string
		props []packets.UserProperty
		s     *session
		want  uint64
		keeps int // properties of the device's own kept
	}{
		{"a device without properties", nil, dev, dev.login, 0},
		{"a forged login is replaced", []packets.UserProperty{forged}, dev, dev.login, 0},
		{"the device's other properties stay", []packets.UserProperty{other, forged}, dev, dev.login, 1},
		{"the gateway user's messages name no login", []packets.UserProperty{forged}, &session{admin: true}, 0, 0},
		{"no session: no login", []packets.UserProperty{forged, other}, nil, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withLogin(tt.props, tt.s)
			if n := loginOf(got); n != tt.want {
				t.Fatalf("login %d, want %d (%v)", n, tt.want, got)
			}
			kept := 0
			for _, p := range got {
				if p.Key == LoginProperty && p.Val == forged.Val {
					t.Fatalf("forged property kept: %v", got)
				}
				if p.Key != LoginProperty {
					kept++
				}
			}
			if kept != tt.keeps {
				t.Fatalf("kept %d of the device's properties, want %d", kept, tt.keeps)
			}
		})
	}
	if l.get(dev.login) != dev || l.live("AMB-01") != 1 {
		t.Fatal("the login is not recorded")
	}
	if ss := l.take("AMB-01"); len(ss) != 1 || l.get(dev.login) != nil || l.live("AMB-01") != 0 {
		t.Fatal("take did not remove the login")
	}
}
