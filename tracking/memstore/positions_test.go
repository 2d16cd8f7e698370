package memstore

import (
	"context"
	"testing"
	"time"

	"siaga112/tracking"
)

// The ring keeps the newest fixes of each unit, answers a window in time
// order, and a limit keeps the newest.
func TestPositionsRing(t *testing.T) {
	p := NewPositions(5, 0)
	t0 := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	for i := range 8 {
		p.Append("A", tracking.Position{Lon: 106, Lat: -6, At: t0.Add(time.Duration(i) * time.Minute), Battery: -1}, t0)
	}
	p.Append("B", tracking.Position{Lon: 106, Lat: -6, At: t0, Battery: -1}, t0)
	minutes := func(pts []tracking.TrackPoint) []int {
		var out []int
		for _, tp := range pts {
			out = append(out, int(tp.At.Sub(t0)/time.Minute))
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		from, to int
		limit    int
		want     []int
	}{
		{"all kept", 0, 60, 0, []int{3, 4, 5, 6, 7}},
		{"window, to exclusive", 4, 6, 0, []int{4, 5}},
		{"limit keeps the newest", 0, 60, 2, []int{6, 7}},
		{"before the ring", 0, 3, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pts, _ := p.Track(context.Background(), "A", t0.Add(time.Duration(tc.from)*time.Minute), t0.Add(time.Duration(tc.to)*time.Minute), tc.limit)
			if got := minutes(pts); len(got) != len(tc.want) || (len(got) > 0 && (got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1])) {
				t.Fatalf("minutes %v, want %v", got, tc.want)
			}
		})
	}
	if pts, _ := p.Track(context.Background(), "B", t0, t0.Add(time.Hour), 0); len(pts) != 1 || pts[0].AccuracyM.Valid {
		t.Fatalf("B: %+v (an unknown accuracy stays unknown)", pts)
	}
}

// Once the total is reached, rings stop growing but keep their newest
// minRing fixes.
func TestPositionsTotalBound(t *testing.T) {
	p := NewPositions(100, 50)
	t0 := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	for u := range 10 {
		for i := range 100 {
			p.Append(string(rune('A'+u)), tracking.Position{Lon: 106, Lat: -6, At: t0.Add(time.Duration(i) * time.Second), Battery: -1}, t0)
		}
	}
	if p.total > 50+10*minRing {
		t.Fatalf("%d fixes held, bound %d", p.total, 50+10*minRing)
	}
	pts, _ := p.Track(context.Background(), "J", t0, t0.Add(time.Hour), 0)
	if len(pts) != minRing || !pts[len(pts)-1].At.Equal(t0.Add(99*time.Second)) {
		t.Fatalf("last unit keeps %d fixes ending %v", len(pts), pts[len(pts)-1].At)
	}
}

// Append is on the fix path of a server without a database.
func BenchmarkPositionsAppend(b *testing.B) {
	p := NewPositions(0, 0)
	t0 := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Append("A", tracking.Position{Lon: 106, Lat: -6, At: t0.Add(time.Duration(i)), Battery: -1}, t0)
	}
}
