package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/postgres/pgtest"
)

// benchApp builds the server as cmd does (no MQTT broker: the benchmarks
// call the ingest's handler directly); db "" keeps state in memory.
func benchApp(b *testing.B, db string) *app.App {
	b.Helper()
	a, err := app.New(context.Background(), app.Config{MQTTListen: "127.0.0.1:0", MQTTClientID: fmt.Sprint("bench-", time.Now().UnixNano()),
		AdminToken: "bench", OpenAPI: true, DB: db, IncidentRate: 1 << 30}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	for i := range 100 {
		id := fmt.Sprintf("B%03d", i)
		a.Units.Register(context.Background(), tracking.Registration{ID: id, Type: tracking.Ambulance, Agency: "dinkes"}, "bench")
		a.Units.ApplyFix(id, tracking.Position{Lon: 106.17 + float64(i)*1e-4, Lat: -6.11, At: time.Now(), Battery: -1})
	}
	return a
}

func dbURL(b *testing.B, withDB bool) string {
	if !withDB {
		return ""
	}
	return pgtest.URL(b)
}

// BenchmarkIngestFix: one OwnTracks fix from payload to the fleet, the
// position log and dispatch's arrival watch, as the MQTT ingest applies it.
func BenchmarkIngestFix(b *testing.B) {
	for _, withDB := range []bool{false, true} {
		b.Run(fmt.Sprintf("postgres=%v", withDB), func(b *testing.B) {
			a := benchApp(b, dbURL(b, withDB))
			t0 := time.Now()
			payloads := make([][]byte, 1000)
			for i := range payloads {
				payloads[i] = mqtt.AppendLocation(nil, tracking.Position{Lat: -6.11, Lon: 106.17 + float64(i%100)*1e-4, At: t0.Add(time.Duration(i) * time.Millisecond)}, "")
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				p := mqtt.AppendLocation(payloads[i%1000][:0:0], tracking.Position{Lat: -6.11, Lon: 106.17, At: t0.Add(time.Duration(i+1) * time.Millisecond)}, "")
				a.Ingest.Handle(fmt.Sprintf("owntracks/dinkes/B%03d", i%100), p)
			}
		})
	}
}

// BenchmarkCreateIncident: POST /api/incidents through the whole handler,
// 8 call-takers at once; with PostgreSQL each answer waits for its commit.
func BenchmarkCreateIncident(b *testing.B) {
	for _, withDB := range []bool{false, true} {
		b.Run(fmt.Sprintf("postgres=%v", withDB), func(b *testing.B) {
			a := benchApp(b, dbURL(b, withDB))
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body := fmt.Sprintf(`{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"08%09d"}`, n.Add(1))
					w := httptest.NewRecorder()
					a.Web.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/api/incidents", strings.NewReader(body)))
					if w.Code != http.StatusCreated {
						b.Errorf("%d %s", w.Code, w.Body)
						return
					}
				}
			})
		})
	}
}
