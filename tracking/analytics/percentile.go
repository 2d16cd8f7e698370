// Package analytics turns incident timestamps into response-time
// percentiles by place, category and time, for the planners; it also
// imports the history of the earlier 112 system and estimates live
// coverage. It does no I/O.
package analytics

import (
	"math"
	"slices"
)

// Percentile is the nearest-rank percentile of values (sorted ascending):
// the smallest value such that at least p% of the values are less than or
// equal to it, i.e. the value at rank ⌈p/100 × n⌉ (1-based). It is always one
// of the observed values, never an interpolation. NaN for no values.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	return sorted[min(max(rank, 1), n)-1]
}

// Summary is a group's count and percentiles, in seconds.
type Summary struct {
	Count int
	P50   float64
	P90   float64
}

// Summarize sorts values in place and summarizes them.
func Summarize(values []float64) Summary {
	slices.Sort(values)
	return Summary{Count: len(values), P50: Percentile(values, 50), P90: Percentile(values, 90)}
}
