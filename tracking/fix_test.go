package tracking

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestFixCheck(t *testing.T) {
	now := time.Date(2025, 11, 27, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		fix  Fix
		want FixProblem
	}{
		{"Serang", Fix{Lat: -6.12, Lon: 106.15, At: now}, FixOK},
		{"null island", Fix{Lat: 0, Lon: 0, At: now}, FixNullIsland},
		{"on the equator is fine", Fix{Lat: 0, Lon: 106.15, At: now}, FixOK},
		{"on the prime meridian is fine", Fix{Lat: -6.12, Lon: 0, At: now}, FixOK},
		{"NaN", Fix{Lat: math.NaN(), Lon: 106, At: now}, FixOutOfRange},
		{"latitude 91", Fix{Lat: 91, Lon: 106, At: now}, FixOutOfRange},
		{"no time", Fix{Lat: -6.12, Lon: 106.15}, FixOutOfRange},
		{"4 minutes ahead", Fix{Lat: -6.12, Lon: 106.15, At: now.Add(4 * time.Minute)}, FixOK},
		{"5 minutes ahead exactly", Fix{Lat: -6.12, Lon: 106.15, At: now.Add(MaxFixAhead)}, FixOK},
		{"6 minutes ahead (issue 22: a day was allowed)", Fix{Lat: -6.12, Lon: 106.15, At: now.Add(6 * time.Minute)}, FixFuture},
		{"23 hours ahead (issue 22: froze the unit)", Fix{Lat: -6.12, Lon: 106.15, At: now.Add(23 * time.Hour)}, FixFuture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := tt.fix.Check(now); got != tt.want {
				t.Fatalf("Check = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFixNormalize(t *testing.T) {
	f := Fix{SpeedKmh: Some(-1), Heading: Some(725), AccuracyM: Some(math.Inf(1)), AltitudeM: Some(-12), Battery: Some(101)}.Normalize()
	if f.SpeedKmh.Valid || f.AccuracyM.Valid || f.Battery.Valid || f.Heading != Some(5) || f.AltitudeM != Some(-12) {
		t.Fatalf("normalized %+v", f)
	}
	if g := (Fix{Heading: Some(-1)}).Normalize(); g.Heading.Valid {
		t.Fatalf("heading -1 kept: %+v", g)
	}
	p := Fix{Lat: 1, Lon: 2, SpeedKmh: Some(0)}.Position()
	if p.Battery != -1 || p.SpeedKmh != Some(0) || p.Heading.Valid || p.AccuracyM.Valid {
		t.Fatalf("Position %+v", p)
	}
}

func TestOptionalJSON(t *testing.T) {
	b, _ := json.Marshal(struct{ A, B Optional }{A: Some(0), B: Optional{}})
	if string(b) != `{"A":0,"B":null}` {
		t.Fatalf("got %s", b)
	}
}

func TestCleanLabel(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "RSUD Serang", "RSUD Serang"},
		{"controls and NUL dropped, markup kept as text", " <b>Pos</b>\x00\x07\n", "<b>Pos</b>"},
		{"invalid UTF-8 replaced", "a\xffb", "a\uFFFDb"},
		{"right-to-left override dropped", "RSUD \u202eGNARES", "RSUD GNARES"},
		{"line and paragraph separators dropped", "RSUD\u2028Serang\u2029", "RSUDSerang"},
		{"zero-width and BOM dropped", "\ufeffRS\u200bUD\u2066", "RSUD"},
		{"letters of other scripts kept", "Rumah Sakit 日本 عربي", "Rumah Sakit 日本 عربي"},
		{"cut on a rune boundary", strings.Repeat("é", 100), strings.Repeat("é", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanLabel(tt.in, MaxRegionNameLen); got != tt.want {
				t.Fatalf("CleanLabel = %q, want %q", got, tt.want)
			}
		})
	}
}

// Optional writes what encoding/json writes for the same float64.
func TestOptionalJSONMatchesFloat(t *testing.T) {
	for _, v := range []float64{0, -0.0, 1, 42.5, 359.99999, 1e-7, 1e-6, 123456789012345678901234.0, -6.123456789, 1e20} {
		got, err := json.Marshal(Some(v))
		want, _ := json.Marshal(v)
		if err != nil || string(got) != string(want) {
			t.Errorf("Some(%v) = %s (%v), want %s", v, got, err, want)
		}
	}
	if _, err := json.Marshal(Some(math.NaN())); err == nil {
		t.Error("NaN marshalled")
	}
}

func TestEpochSeconds(t *testing.T) {
	tests := []struct {
		name string
		s    float64
		want time.Time
		ok   bool
	}{
		{"whole seconds", 1764201600, time.Unix(1764201600, 0).UTC(), true},
		{"fraction rounded to the millisecond", 1764201600.0006, time.UnixMilli(1764201600001).UTC(), true},
		{"fraction rounded down", 1764201600.0004, time.UnixMilli(1764201600000).UTC(), true},
		{"zero is no time", 0, time.Time{}, false},
		{"rounds to the epoch: no time", 0.0004, time.Time{}, false},
		{"the first millisecond", 0.0006, time.UnixMilli(1).UTC(), true},
		{"negative", -1, time.Time{}, false},
		{"year 10000", 253402300800, time.Time{}, false},
		{"NaN", math.NaN(), time.Time{}, false},
		{"+Inf", math.Inf(1), time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := EpochSeconds(tt.s)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Fatalf("EpochSeconds(%v) = %v, %v; want %v, %v", tt.s, got, ok, tt.want, tt.ok)
			}
		})
	}
}
