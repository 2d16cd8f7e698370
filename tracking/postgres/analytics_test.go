package postgres

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/analytics"
)

func randomHistory(n int, seed uint64) []tracking.HistoryRecord {
	rng := rand.New(rand.NewPCG(seed, 7))
	kel := mapdata.Serang().Kelurahan
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cats := []tracking.Category{"fire", "medical", "traffic_accident"}
	rs := make([]tracking.HistoryRecord, n)
	for i := range rs {
		k := kel[rng.IntN(len(kel))]
		p := geo.Destination(k.Point, rng.Float64()*360, rng.Float64()*300)
		at := start.Add(time.Duration(rng.Int64N(int64(365*24*time.Hour))) / time.Millisecond * time.Millisecond)
		d := at.Add(time.Duration(30+rng.IntN(120)) * time.Second)
		r := tracking.HistoryRecord{ID: fmt.Sprintf("H%07d", i), Category: cats[rng.IntN(len(cats))], Lat: p[1], Lon: p[0],
			KecamatanCode: k.KecamatanCode, KelurahanCode: k.Code, ReceivedAt: at, DispatchedAt: &d}
		if rng.IntN(10) > 0 {
			o := d.Add(time.Duration(120+rng.IntN(1500))*time.Second + time.Duration(rng.IntN(1000))*time.Millisecond)
			r.OnSceneAt = &o
		}
		rs[i] = r
	}
	return rs
}

// The SQL answers equal the in-memory index's on the same history.
func TestSQLAnalyticsMatchMemory(t *testing.T) {
	s := openTest(t, testURL(t), Config{})
	ctx := context.Background()
	rs := randomHistory(5000, 1)
	if n, err := s.SaveHistory(ctx, rs); err != nil || n != len(rs) {
		t.Fatalf("saved %d, %v", n, err)
	}
	mem := analytics.NewIndex()
	mem.Add(rs)
	mid := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []analytics.Query{
		{Segment: analytics.SegmentResponse, By: analytics.ByKecamatan},
		{Segment: analytics.SegmentTravel, By: analytics.ByKelurahan, Category: "fire"},
		{Segment: analytics.SegmentCallProcessing, By: analytics.ByH3, Res: 8, From: mid},
		{Segment: analytics.SegmentResponse, By: analytics.ByH3, Res: 9, To: mid, Category: "medical"},
	} {
		t.Run(fmt.Sprintf("%s-%s-%d-%s", q.Segment, q.By, q.Res, q.Category), func(t *testing.T) {
			want, _ := mem.Run(q, nil)
			got, err := s.Run(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got.Matched != want.Matched || got.Excluded != want.Excluded || len(got.Groups) != len(want.Groups) {
				t.Fatalf("SQL matched %d excluded %d groups %d; memory %d %d %d", got.Matched, got.Excluded, len(got.Groups), want.Matched, want.Excluded, len(want.Groups))
			}
			for i, g := range want.Groups {
				h := got.Groups[i]
				if h.Key != g.Key || h.Count != g.Count || math.Abs(h.P50-g.P50) > 1e-6 || math.Abs(h.P90-g.P90) > 1e-6 {
					t.Fatalf("group %d: SQL %+v, memory %+v", i, h, g)
				}
			}
		})
	}
	if s.CanRun(analytics.Query{By: analytics.ByH3, Res: 11}) {
		t.Fatal("claims an H3 resolution it has no column for")
	}
}

// BenchmarkSQLQuery: a year of 1,000,000 incidents in PostgreSQL.
func BenchmarkSQLQuery(b *testing.B) {
	s := openTest(b, testURL(b), Config{})
	ctx := context.Background()
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	rs := randomHistory(n, 2)
	start := time.Now()
	for i := 0; i < len(rs); i += 100_000 {
		if _, err := s.SaveHistory(ctx, rs[i:min(i+100_000, len(rs))]); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("imported %d rows through SaveHistory (COPY) at %.0f rows/s", n, float64(n)/time.Since(start).Seconds())
	s.Pool().Exec(ctx, "ANALYZE incident_history")
	for _, q := range []struct {
		name string
		q    analytics.Query
	}{
		{"kelurahan-all", analytics.Query{Segment: analytics.SegmentResponse, By: analytics.ByKelurahan}},
		{"h3-res8-all", analytics.Query{Segment: analytics.SegmentResponse, By: analytics.ByH3, Res: 8}},
		{"kecamatan-fire-quarter", analytics.Query{Segment: analytics.SegmentResponse, By: analytics.ByKecamatan, Category: "fire",
			From: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		b.Run(q.name, func(b *testing.B) {
			for range b.N {
				if _, err := s.Run(ctx, q.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
