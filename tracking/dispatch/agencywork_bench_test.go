package dispatch

import (
	"fmt"
	"testing"

	"siaga112/tracking"
)

// BenchmarkListFor: an agency's list among 2,000 open incidents of every
// category (each page load and queue refresh of an agency user).
func BenchmarkListFor(b *testing.B) {
	r := newRig(b, Config{})
	cats := []tracking.Category{"fire", "medical", "fallen_tree", "hearse", "traffic_accident"}
	for i := range 2000 {
		if _, _, err := r.svc.CreateIncident(r.ctx, NewIncident{Category: cats[i%len(cats)], Lat: kaligandu[1], Lon: kaligandu[0], Caller: fmt.Sprintf("0812%07d", i)}, "op"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if n := len(r.svc.ListFor("dinkes", Filter{Status: tracking.IncidentOpen})); n != 400 {
			b.Fatalf("%d", n)
		}
	}
}

// BenchmarkRecordCall: one logged ghost call through the journal (memory store).
func BenchmarkRecordCall(b *testing.B) {
	r := newRig(b, Config{PrankWindow: 1})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := r.svc.RecordCall(r.ctx, NewCall{Number: fmt.Sprintf("0813%07d", i%1000), Outcome: tracking.CallGhost}, "op"); err != nil {
			b.Fatal(err)
		}
	}
}
