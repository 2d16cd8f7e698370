package web

import (
	"encoding/json"
	"math"
	"testing"
)

// appendJSONFloat writes what encoding/json writes, for every float64.
func FuzzAppendJSONFloat(f *testing.F) {
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 1234, 123.456, 1e-7, 1e20, 1e21, 1 << 53, 1<<53 + 2, -(1 << 53), 9007199254740993,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1, 252, 1.5, -4e-9, 106.15, -6.12} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		want, err := json.Marshal(v)
		if err != nil {
			want = []byte("null") // NaN and infinities
		}
		if got := appendJSONFloat(nil, v); string(got) != string(want) {
			t.Errorf("%v (%b): got %s, want %s", v, math.Float64bits(v), got, want)
		}
	})
}

func BenchmarkAppendJSONFloat(b *testing.B) {
	for _, tt := range []struct {
		name string
		v    float64
	}{{"whole", 1234}, {"fraction", 106.153721}} {
		b.Run(tt.name, func(b *testing.B) {
			buf := make([]byte, 0, 32)
			for b.Loop() {
				buf = appendJSONFloat(buf[:0], tt.v)
			}
		})
	}
}
