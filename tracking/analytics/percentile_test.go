package analytics

import (
	"math"
	"testing"
)

// Expected values worked out by hand with the nearest-rank rule:
// rank = ceil(p/100 × n).
func TestPercentile(t *testing.T) {
	tests := []struct {
		name     string
		values   []float64
		p50, p90 float64
	}{
		{"one value", []float64{42}, 42, 42},
		{"odd count", []float64{5, 1, 3}, 3, 5},                                    // ranks 2 and 3
		{"even count", []float64{4, 1, 3, 2}, 2, 4},                                // ranks 2 and 4
		{"ten values", []float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 50, 90}, // ranks 5 and 9
		{"eleven values", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6, 10},     // ranks 6 and 10
		{"ties", []float64{7, 7, 7, 1, 7}, 7, 7},
		{"ties at the edge", []float64{1, 1, 2, 2}, 1, 2},                           // ranks 2 and 4
		{"unsorted with duplicates", []float64{300, 60, 60, 120, 600, 60}, 60, 600}, // sorted 60,60,60,120,300,600: ranks 3 and 6
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(append([]float64(nil), tt.values...))
			if s.Count != len(tt.values) || s.P50 != tt.p50 || s.P90 != tt.p90 {
				t.Fatalf("got %+v, want p50 %v p90 %v", s, tt.p50, tt.p90)
			}
		})
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Fatal("percentile of nothing is not NaN")
	}
}
