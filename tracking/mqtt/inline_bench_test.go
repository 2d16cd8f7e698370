package mqtt

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkInlineIngest is the in-process path of the embedded broker: a
// message routed by mochi to the ingest's inline subscription, decoded and
// applied to a 2,000-unit fleet (no network, no client).
func BenchmarkInlineIngest(b *testing.B) {
	br, err := NewBroker(BrokerConfig{Listen: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	const units = 2000
	ids := make([]string, units)
	for i := range ids {
		ids[i] = fmt.Sprintf("U%04d", i)
	}
	ix := newFleet(b, ids...)
	in := NewIngest(Config{Broker: br}, ix)
	if err := in.startInline(br); err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	t0 := time.Now().Unix() - 100_000_000
	topics := make([]string, units)
	for i := range topics {
		topics[i] = LocationTopic("dinkes", ids[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		u := i % units
		// Each unit at its own place: identical points make R-tree deletes scan.
		br.srv.Publish(topics[u], []byte(location(-6.0-float64(u)*1e-4, 106.1+float64(i%7)*1e-4, t0+int64(i/units))), false, 0)
	}
	b.StopTimer()
	if s := in.Stats(); s.Applied+s.History == 0 {
		b.Fatalf("nothing applied: %+v", s)
	}
}
