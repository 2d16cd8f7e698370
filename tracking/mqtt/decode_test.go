package mqtt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
)

var now = time.Date(2025, 11, 27, 0, 0, 0, 0, time.UTC) // 1764201600

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		topic   string
		payload string
		kind    Kind
		reason  Reason
		check   func(t *testing.T, m Message)
	}{
		{
			name:    "owntracks location",
			topic:   "owntracks/dinkes/AMB-01",
			payload: `{"_type":"location","lat":-6.12,"lon":106.15,"tst":1764201600,"acc":8,"vel":42,"cog":90,"batt":80,"tid":"A1"}`,
			kind:    KindLocation,
			check: func(t *testing.T, m Message) {
				p := m.Position
				if m.UnitID != "AMB-01" || m.Agency != "dinkes" || p.Lat != -6.12 || p.Lon != 106.15 ||
					!p.At.Equal(now) || p.SpeedKmh != 42 || p.Heading != 90 || p.AccuracyM != 8 || p.Battery != 80 {
					t.Fatalf("decoded %+v", m)
				}
			},
		},
		{
			name:    "fractional seconds kept to the millisecond",
			topic:   "owntracks/dinkes/AMB-01",
			payload: `{"_type":"location","lat":-6.12,"lon":106.15,"tst":1764201600.125}`,
			kind:    KindLocation,
			check: func(t *testing.T, m Message) {
				if want := now.Add(125 * time.Millisecond); !m.Position.At.Equal(want) {
					t.Fatalf("At = %v, want %v", m.Position.At, want)
				}
				if m.Position.Battery != -1 {
					t.Fatalf("absent battery = %d, want -1", m.Position.Battery)
				}
			},
		},
		{
			name:    "negative speed and heading mean unknown",
			topic:   "owntracks/dinkes/AMB-01",
			payload: `{"_type":"location","lat":-6.12,"lon":106.15,"tst":1764201600,"vel":-1,"cog":-1}`,
			kind:    KindLocation,
			check: func(t *testing.T, m Message) {
				if m.Position.SpeedKmh != 0 || m.Position.Heading != 0 {
					t.Fatalf("decoded %+v", m.Position)
				}
			},
		},
		{name: "last will", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"lwt","tst":1764201000}`, kind: KindLastWill},
		{name: "unknown _type ignored", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"transition","event":"enter"}`, kind: KindIgnored},
		{name: "no _type ignored", topic: "owntracks/dinkes/AMB-01", payload: `{}`, kind: KindIgnored},
		{
			name: "crew status", topic: "siaga112/units/AMB-01/status", payload: `{"status":"on_scene","tst":1764201600}`, kind: KindStatus,
			check: func(t *testing.T, m Message) {
				if m.Status != tracking.OnScene || !m.At.Equal(now) || m.UnitID != "AMB-01" {
					t.Fatalf("decoded %+v", m)
				}
			},
		},
		{
			name: "crew status without tst is stamped now", topic: "siaga112/units/AMB-01/status", payload: `{"status":"returning"}`, kind: KindStatus,
			check: func(t *testing.T, m Message) {
				if !m.At.Equal(now) {
					t.Fatalf("At = %v", m.At)
				}
			},
		},
		{name: "garbage", topic: "owntracks/dinkes/AMB-01", payload: `garbage`, reason: ReasonNotJSON},
		{name: "truncated", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","lat":-6.1`, reason: ReasonNotJSON},
		{name: "NaN is not JSON", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","lat":NaN,"lon":106.1,"tst":1764201600}`, reason: ReasonNotJSON},
		{name: "string latitude", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","lat":"-6.1","lon":106.1,"tst":1764201600}`, reason: ReasonWrongType},
		{name: "array payload", topic: "owntracks/dinkes/AMB-01", payload: `[1,2]`, reason: ReasonWrongType},
		{name: "numeric _type", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":5}`, reason: ReasonWrongType},
		{name: "missing tst", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","lat":-6.1,"lon":106.1}`, reason: ReasonMissingField},
		{name: "latitude out of range", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","lat":-96.1,"lon":106.1,"tst":1764201600}`, reason: ReasonOutOfRange},
		{name: "longitude out of range", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","lat":-6.1,"lon":206.1,"tst":1764201600}`, reason: ReasonOutOfRange},
		{name: "overflowing number", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","lat":1e999,"lon":106.1,"tst":1764201600}`, reason: ReasonWrongType},
		{name: "negative time", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":-5}`, reason: ReasonOutOfRange},
		{name: "six minutes ahead", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201960}`, reason: ReasonFuture},
		{name: "four minutes ahead is fine", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201840}`, kind: KindLocation},
		{name: "unknown status", topic: "siaga112/units/AMB-01/status", payload: `{"status":"napping"}`, reason: ReasonBadStatus},
		{name: "status missing", topic: "siaga112/units/AMB-01/status", payload: `{"tst":1764201600}`, reason: ReasonMissingField},
		{name: "bad unit id in topic", topic: "owntracks/dinkes/%20x", payload: `{}`, reason: ReasonBadTopic},
		{name: "foreign topic", topic: "owntracks/dinkes/AMB-01/event", payload: `{}`, reason: ReasonBadTopic},
		{name: "oversized payload", topic: "owntracks/dinkes/AMB-01", payload: `{"_type":"location","pad":"` + strings.Repeat("x", MaxPayload) + `"}`, reason: ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode(tt.topic, []byte(tt.payload), now)
			if tt.reason != "" {
				var d *DropError
				if !errors.As(err, &d) || d.Reason != tt.reason {
					t.Fatalf("err = %v, want drop reason %q", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected drop: %v", err)
			}
			if m.Kind != tt.kind {
				t.Fatalf("kind = %v, want %v", m.Kind, tt.kind)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

// FuzzDecode: whatever arrives, Decode returns a message or a DropError with
// a known reason, never panics, and never lets a bad coordinate through.
func FuzzDecode(f *testing.F) {
	seeds := []struct{ topic, payload string }{
		{"owntracks/dinkes/AMB-01", `{"_type":"location","lat":-6.12,"lon":106.15,"tst":1764201600,"acc":8,"vel":42,"cog":90,"batt":80,"tid":"A1"}`},
		{"owntracks/dinkes/AMB-01", `{"_type":"lwt","tst":1764201000}`},
		{"siaga112/units/AMB-01/status", `{"status":"on_scene","tst":1764201600}`},
		{"owntracks/a/b", `{"_type":"location","lat":"x"}`},
		{"owntracks/a/b", `{"_type":"location","lat":1e308,"lon":-1e308,"tst":1e300}`},
		{"x", `garbage`},
	}
	for _, s := range seeds {
		f.Add(s.topic, []byte(s.payload))
	}
	known := map[Reason]bool{}
	for _, r := range Reasons {
		known[r] = true
	}
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		m, err := Decode(topic, payload, now)
		if err != nil {
			var d *DropError
			if !errors.As(err, &d) || !known[d.Reason] {
				t.Fatalf("error %v is not a DropError with a known reason", err)
			}
			return
		}
		if m.Kind == KindLocation {
			p := m.Position
			if !(p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180) || p.At.Sub(now) > MaxFuture || p.At.IsZero() {
				t.Fatalf("bad fix let through: %+v", p)
			}
		}
		if tracking.ValidateID("unit id", m.UnitID) != nil {
			t.Fatalf("bad unit id let through: %q", m.UnitID)
		}
	})
}
