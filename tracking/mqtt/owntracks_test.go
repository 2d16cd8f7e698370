package mqtt

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/owntracks"
)

var now = time.Date(2025, 11, 27, 0, 0, 0, 0, time.UTC)

// regionsAndSecrets records region events and holds OwnTracks secrets.
type regionsAndSecrets struct {
	mu      sync.Mutex
	events  []tracking.RegionEvent
	secrets map[string][]byte
}

func (r *regionsAndSecrets) RecordRegionEvent(e tracking.RegionEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

func (r *regionsAndSecrets) OwnTracksSecret(unit string) []byte { return r.secrets[unit] }

func TestHandleOwnTracks(t *testing.T) {
	t0 := time.Now().Unix()
	image := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xFF, 0xD8, 0x10}, 12000)) // 48 KiB
	iosPOI := fmt.Sprintf(`{"_type":"location","lat":-6.1201,"lon":106.1502,"tst":%d,"acc":5,"cog":270,"vel":38,"poi":"Pasar","image":%q,"imagename":"p.jpg"}`, t0, image)
	transition := fmt.Sprintf(`{"_type":"transition","event":"enter","desc":"RSUD Serang","rid":"r1","t":"c","lat":-6.12,"lon":106.15,"tst":%d}`, t0)
	encrypted, err := owntracks.Encrypt([]byte(location(-6.13, 106.16, t0)), []byte("kata sandi"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		topic    string
		payload  string
		applied  uint64
		ignored  uint64
		regions  uint64
		rejected Reason
		check    func(t *testing.T, u tracking.Unit)
	}{
		{name: "iOS location with a POI image (48 KiB)", topic: "owntracks/dinkes/A1", payload: iosPOI, applied: 1,
			check: func(t *testing.T, u tracking.Unit) {
				if u.Position.Heading != tracking.Some(270) || u.Position.SpeedKmh != tracking.Some(38) {
					t.Fatalf("position %+v", u.Position)
				}
			}},
		{name: "absent vel, cog and acc stay absent", topic: "owntracks/dinkes/A1", payload: location(-6.1, 106.1, t0), applied: 1,
			check: func(t *testing.T, u tracking.Unit) {
				if p := u.Position; p.SpeedKmh.Valid || p.Heading.Valid || p.AccuracyM.Valid {
					t.Fatalf("absent readings became present: %+v", p)
				}
			}},
		{name: "transition on /event is a region event", topic: "owntracks/dinkes/A1/event", payload: transition, regions: 1},
		{name: "transition on the main topic is a region event", topic: "owntracks/dinkes/A1", payload: transition, regions: 1},
		{name: "Android's default topic names the unit by username", topic: "owntracks/A1/Pixel7", payload: location(-6.14, 106.1, t0), applied: 1},
		{name: "encrypted payload opened with the unit's secret", topic: "owntracks/dinkes/A1", payload: string(encrypted), applied: 1,
			check: func(t *testing.T, u tracking.Unit) {
				if u.Position.Lat != -6.13 {
					t.Fatalf("position %+v", u.Position)
				}
			}},
		{name: "encrypted payload of a unit without a secret", topic: "owntracks/dinkes/B2", payload: string(encrypted), rejected: ReasonNoSecret},
		{name: "waypoints subtopic acknowledged and discarded", topic: "owntracks/dinkes/A1/waypoints", payload: `{"_type":"waypoints","waypoints":[]}`, ignored: 1},
		{name: "status on the main topic ignored", topic: "owntracks/dinkes/A1", payload: `{"_type":"status","android":{}}`, ignored: 1},
		{name: "null island refused", topic: "owntracks/dinkes/A1", payload: location(0, 0, t0), rejected: ReasonNullIsland},
		{name: "more than a day ahead refused", topic: "owntracks/dinkes/A1", payload: location(-6.1, 106.1, t0+25*3600), rejected: ReasonFuture},
		{name: "odd transition refused", topic: "owntracks/dinkes/A1/event", payload: `{"_type":"transition","event":"hover","tst":1}`, rejected: ReasonBadEvent},
		{name: "wrong passphrase", topic: "owntracks/dinkes/C3", payload: string(encrypted), rejected: ReasonDecrypt},
		{name: "over 64 KiB refused", topic: "owntracks/dinkes/A1", payload: `{"x":"` + string(bytes.Repeat([]byte("x"), MaxPayload)) + `"}`, rejected: ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := newFleet(t, "A1", "B2", "C3")
			rs := &regionsAndSecrets{secrets: map[string][]byte{"A1": []byte("kata sandi"), "C3": []byte("another")}}
			in := NewIngest(Config{URL: "tcp://127.0.0.1:1", Regions: rs, Secrets: rs}, ix)
			in.Handle(tt.topic, []byte(tt.payload))
			s := in.Stats()
			if s.Applied != tt.applied || s.Ignored != tt.ignored || s.Regions != tt.regions {
				t.Fatalf("stats %+v, want applied %d ignored %d regions %d", s, tt.applied, tt.ignored, tt.regions)
			}
			for _, r := range Reasons {
				want := uint64(0)
				if r == tt.rejected {
					want = 1
				}
				if s.Rejected[r] != want {
					t.Fatalf("rejected[%s] = %d, want %d", r, s.Rejected[r], want)
				}
			}
			if tt.regions > 0 {
				e := rs.events[0]
				if e.UnitID != "A1" || e.Kind != tracking.RegionEnter || e.Region != "RSUD Serang" {
					t.Fatalf("region event %+v", e)
				}
			}
			if tt.check != nil {
				u, _ := ix.Get("A1")
				tt.check(t, u)
			}
		})
	}
}

// FuzzHandle: whatever arrives on whatever topic, Handle counts it exactly
// once (applied, history, ignored, a region event or a known refusal),
// never panics, and never lets a bad fix into the fleet.
func FuzzHandle(f *testing.F) {
	seeds := []struct{ topic, payload string }{
		{"owntracks/dinkes/A1", `{"_type":"location","lat":-6.12,"lon":106.15,"tst":1764201600,"acc":8,"vel":42,"cog":90,"batt":80,"tid":"A1"}`},
		{"owntracks/dinkes/A1", `{"_type":"lwt","tst":1764201000}`},
		{"owntracks/dinkes/A1/event", `{"_type":"transition","event":"leave","desc":"<b>x</b>","tst":1764201000}`},
		{"owntracks/A1/phone", `{"_type":"encrypted","data":"AAAA"}`},
		{"siaga112/units/A1/status", `{"status":"on_scene","tst":1764201600}`},
		{"owntracks/a/b", `{"_type":"location","lat":"x"}`},
		{"owntracks/dinkes/A1", `{"_type":"location","lat":0,"lon":0,"tst":1764201600}`},
		{"x", `garbage`},
	}
	for _, s := range seeds {
		f.Add(s.topic, []byte(s.payload))
	}
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		ix := newFleet(t, "A1")
		rs := &regionsAndSecrets{secrets: map[string][]byte{"A1": []byte("k")}}
		in := NewIngest(Config{URL: "tcp://127.0.0.1:1", Regions: rs, Secrets: rs, Now: func() time.Time { return now }}, ix)
		in.Handle(topic, payload)
		s := in.Stats()
		n := s.Applied + s.History + s.Ignored + s.Regions
		for _, r := range Reasons {
			n += s.Rejected[r]
		}
		if s.Received != 1 || n != 1 {
			t.Fatalf("one message counted %d times: %+v", n, s)
		}
		u, _ := ix.Get("A1")
		if p := u.Position; u.HasPosition() && (p.Lat == 0 && p.Lon == 0 || p.At.Sub(now) > tracking.MaxFixAhead) {
			t.Fatalf("bad fix let through: %+v", p)
		}
	})
}
