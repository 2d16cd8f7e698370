package main

import (
	"math"
	"testing"
)

func TestServerQuantile(t *testing.T) {
	inf := math.Inf(1)
	before := map[float64]float64{0.001: 10, 0.01: 10, inf: 10}
	for _, tc := range []struct {
		name  string
		after map[float64]float64
		q     float64
		want  string
	}{
		{"all fast", map[float64]float64{0.001: 110, 0.01: 110, inf: 110}, 0.99, "≤ 1 ms"},
		{"tail slow", map[float64]float64{0.001: 100, 0.01: 110, inf: 110}, 0.99, "≤ 10 ms"},
		{"beyond the last bound", map[float64]float64{0.001: 10, 0.01: 10, inf: 110}, 0.5, "> 10 s"},
		{"nothing new", before, 0.5, "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := serverQuantile(before, tc.after, tc.q); got != tc.want {
				t.Fatalf("%q, want %q", got, tc.want)
			}
		})
	}
}
