package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"siaga112/tracking/httpingest"
)

// nextSecond waits for the next whole second of the clock and returns it:
// a tracker's next fix comes at least a second after the one before.
func nextSecond() int64 {
	now := time.Now()
	next := now.Truncate(time.Second).Add(time.Second)
	time.Sleep(next.Sub(now) + 5*time.Millisecond)
	return next.Unix()
}

// A fix stamped ahead of the server clock never freezes the unit, on any
// ingest (issue 22, item 2: a fix 23 h ahead was applied and every correct
// fix after it was history): 4 minutes ahead is taken as of its receipt,
// 6 minutes ahead is refused and counted (future); either way the correct
// fix that follows is applied. Over MQTT (the embedded broker, a paho
// device), the OsmAnd port and OwnTracks HTTP.
func TestFixAheadThenACorrectFix(t *testing.T) {
	s := newTrackerStack(t, "")
	id := fmt.Sprintf("FA%d", time.Now().UnixNano()%1e9)
	pass := s.register(t, id)
	imei := "IMEI-" + id
	if code, body := s.api(t, "PUT", "/api/units/"+id, `{"type":"ambulance","agency":"dinkes","tracker_id":"`+imei+`"}`); code != 200 {
		t.Fatalf("set tracker_id: %d %s", code, body)
	}
	c := paho.NewClient(paho.NewClientOptions().AddBroker(s.a.BrokerURL).SetClientID(id).SetUsername(id).SetPassword(pass).SetAutoReconnect(false))
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer c.Disconnect(100)

	lat := -6.1000
	send := map[string]func(t *testing.T, lat float64, tst int64){
		"MQTT": func(t *testing.T, lat float64, tst int64) {
			tok := c.Publish("owntracks/dinkes/"+id, 1, false, loc(lat, 106.15, tst))
			if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
				t.Fatalf("publish: %v", tok.Error())
			}
		},
		"OsmAnd": func(t *testing.T, lat float64, tst int64) {
			code, body := curl(t, s.osmand+fmt.Sprintf("/?id=%s&lat=%v&lon=106.15&timestamp=%d&key=%s", imei, lat, tst, pass))
			if code != 200 && !(code == 400 && strings.Contains(body, "ahead")) {
				t.Fatalf("OsmAnd answered %d %s", code, body)
			}
		},
		"OwnTracks HTTP": func(t *testing.T, lat float64, tst int64) {
			if code, body := curl(t, "-u", id+":"+pass, "-d", loc(lat, 106.15, tst), s.web.URL+"/pub"); code != 200 || body != "[]" {
				t.Fatalf("/pub answered %d %s, want 200 []", code, body)
			}
		},
	}
	refused := map[string]func() uint64{
		"MQTT":           func() uint64 { return s.a.Ingest.Stats().Rejected["future"] },
		"OsmAnd":         func() uint64 { return refusedHTTP(t, s, httpingest.ProtoOsmAnd, "future") },
		"OwnTracks HTTP": func() uint64 { return refusedHTTP(t, s, httpingest.ProtoOwnTracks, "future") },
	}
	for _, ingest := range []string{"MQTT", "OsmAnd", "OwnTracks HTTP"} {
		for _, tt := range []struct {
			ahead   time.Duration
			refused bool
		}{{4 * time.Minute, false}, {6 * time.Minute, true}} {
			t.Run(fmt.Sprintf("%s, %v ahead", ingest, tt.ahead), func(t *testing.T) {
				before := refused[ingest]()
				lat -= 0.001
				ahead := lat
				send[ingest](t, ahead, time.Now().Add(tt.ahead).Unix())
				if tt.refused {
					until(t, "the fix ahead counted as future", func() bool { return refused[ingest]() == before+1 })
				} else {
					until(t, "the fix ahead applied", func() bool { u, _ := s.a.Units.Get(id); return u.Position.Lat == ahead })
					if u, _ := s.a.Units.Get(id); u.Position.At.After(time.Now()) {
						t.Fatalf("reported_at %v is ahead of the server clock", u.Position.At)
					}
				}
				lat -= 0.001
				correct := lat
				send[ingest](t, correct, nextSecond())
				until(t, "the correct fix after it applied", func() bool { u, _ := s.a.Units.Get(id); return u.Position.Lat == correct })
			})
		}
	}
}

// refusedHTTP reads siaga112_http_ingest_refused_total{protocol,reason}
// from /metrics.
func refusedHTTP(t *testing.T, s *trackerStack, protocol, reason string) uint64 {
	t.Helper()
	code, body := s.api(t, "GET", "/metrics", "")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	return metricValue(body, fmt.Sprintf(`siaga112_http_ingest_refused_total{protocol=%q,reason=%q}`, protocol, reason))
}

// metricValue is the value of one series in a Prometheus text exposition;
// 0 when absent.
func metricValue(exposition, series string) uint64 {
	for _, line := range strings.Split(exposition, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var n float64
			fmt.Sscan(v, &n)
			return uint64(n)
		}
	}
	return 0
}
