package geofence

import (
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
)

// drive returns fixes every 5 s at 36 km/h (50 m apart) from a to b, each
// jittered ±8 m across the track as a tracker's fixes are.
func drive(a, b orb.Point, start time.Time) []Fix {
	dist := geo.Distance(a, b)
	n := int(dist/50) + 1
	var fixes []Fix
	for i := 0; i <= n; i++ {
		frac := float64(i) / float64(n)
		p := orb.Point{a[0] + (b[0]-a[0])*frac, a[1] + (b[1]-a[1])*frac}
		jitter := 8.0
		if i%2 == 1 {
			jitter = -8
		}
		p = geo.Destination(p, 0, jitter)
		fixes = append(fixes, Fix{Point: p, At: start.Add(time.Duration(i) * 5 * time.Second), AccuracyM: 10})
	}
	return fixes
}

// Rules driven by fixes along real drives over the sample fences: the
// hospital is the square at 106.150–106.153, -6.120–-6.117; the damkar
// station a 75 m circle at 106.170, -6.110.
func TestRulesOnDrives(t *testing.T) {
	ix := NewIndex(readFences(t))
	hospital := orb.Point{106.1515, -6.1185}
	station := orb.Point{106.170, -6.110}
	tests := []struct {
		name     string
		unit     tracking.Unit
		from, to orb.Point
		want     []Suggestion
	}{
		{"transporting ambulance reaches the hospital",
			tracking.Unit{ID: "amb1", Type: tracking.Ambulance, Agency: "dinkes", Status: tracking.Transporting},
			orb.Point{106.140, -6.125}, hospital,
			[]Suggestion{{Unit: "amb1", From: tracking.Transporting, To: tracking.AtHospital, Rule: "arrived at hospital", Fence: "rs-example"}}},
		{"returning fire truck reaches its own station",
			tracking.Unit{ID: "fire1", Type: tracking.FireTruck, Agency: "damkar", Status: tracking.Returning},
			orb.Point{106.160, -6.125}, station,
			[]Suggestion{{Unit: "fire1", From: tracking.Returning, To: tracking.Available, Rule: "back at station", Fence: "pos-damkar"}}},
		{"returning police car at another agency's station: nothing",
			tracking.Unit{ID: "pol1", Type: tracking.Police, Agency: "polres", Status: tracking.Returning},
			orb.Point{106.160, -6.125}, station, nil},
		{"ambulance en route through the hospital: nothing",
			tracking.Unit{ID: "amb2", Type: tracking.Ambulance, Agency: "dinkes", Status: tracking.EnRoute},
			orb.Point{106.140, -6.125}, orb.Point{106.160, -6.110}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(ix, DefaultConfig())
			rules := DefaultRules()
			var got []Suggestion
			for _, fix := range drive(tt.from, tt.to, t0) {
				for _, e := range tr.Observe(tt.unit.ID, fix) {
					if s, ok := rules.Suggest(tt.unit, e); ok {
						got = append(got, s)
					}
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("suggestions %+v, want %+v", got, tt.want)
			}
			for i, s := range got {
				w := tt.want[i]
				if s.Unit != w.Unit || s.From != w.From || s.To != w.To || s.Rule != w.Rule || s.Fence != w.Fence || !s.Detected || s.At.IsZero() {
					t.Errorf("suggestion %+v, want %+v (detected, stamped)", s, w)
				}
			}
		})
	}
}

func TestParseRules(t *testing.T) {
	ok := `[{"name":"at depot","on":"enter","kind":"depot","unit_types":["fire_truck"],"from":["returning"],"to":"out_of_service"}]`
	rs, err := ParseRules([]byte(ok))
	if err != nil || len(rs) != 1 || rs[0].To != tracking.OutOfService {
		t.Fatalf("valid rules: %+v, %v", rs, err)
	}
	if err := DefaultRules().Validate(); err != nil {
		t.Fatalf("default rules: %v", err)
	}
	tests := []struct{ name, in, want string }{
		{"not an array", `{}`, "JSON array"},
		{"unknown field", `[{"name":"a","on":"enter","kind":"depot","from":["returning"],"to":"available","x":1}]`, "unknown field"},
		{"bad event", `[{"name":"a","on":"near","kind":"depot","from":["returning"],"to":"available"}]`, "on must be"},
		{"bad kind", `[{"name":"a","on":"enter","kind":"moon","from":["returning"],"to":"available"}]`, "kind"},
		{"bad status", `[{"name":"a","on":"enter","kind":"depot","from":["flying"],"to":"available"}]`, "flying"},
		{"bad unit type", `[{"name":"a","on":"enter","kind":"depot","unit_types":["tank"],"from":["returning"],"to":"available"}]`, "tank"},
		{"no from", `[{"name":"a","on":"enter","kind":"depot","from":[],"to":"available"}]`, "no status"},
		{"to in from", `[{"name":"a","on":"enter","kind":"depot","from":["available"],"to":"available"}]`, "also in from"},
		{"markup name", `[{"name":"<b>a</b>","on":"enter","kind":"depot","from":["returning"],"to":"available"}]`, "markup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules([]byte(tt.in))
			if err == nil || tracking.CodeOf(err) != tracking.CodeInvalid || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want invalid with %q", err, tt.want)
			}
		})
	}
}

func FuzzParseRules(f *testing.F) {
	f.Add([]byte(`[{"name":"a","on":"enter","kind":"depot","from":["returning"],"to":"available"}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := ParseRules(b)
		if err != nil {
			if tracking.CodeOf(err) != tracking.CodeInvalid {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		if err := rs.Validate(); err != nil {
			t.Fatalf("accepted rules fail validation: %v", err)
		}
	})
}
