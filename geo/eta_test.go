package geo

import (
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestDetourModel(t *testing.T) {
	from := orb.Point{106.15, -6.12}
	to := Destination(from, 90, 1000) // 1 km east
	m := testModel()
	tests := []struct {
		name     string
		profile  string
		wantM    float64
		wantTime time.Duration
		wantErr  bool
	}{
		// 1 km × 1.4 = 1.4 km at 40 km/h = 126 s.
		{"ambulance", "ambulance", 1400, 126 * time.Second, false},
		// 1.4 km at 30 km/h = 168 s.
		{"hearse", "hearse", 1400, 168 * time.Second, false},
		{"unknown profile", "tank", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := m.Route(from, to, tt.profile)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr {
				return
			}
			if d := r.DistanceM - tt.wantM; d > 0.01 || d < -0.01 || r.Duration != tt.wantTime {
				t.Fatalf("route %+v, want %v m in %v", r, tt.wantM, tt.wantTime)
			}
		})
	}
}

func TestParseSpeeds(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]float64
		wantErr bool
	}{
		{"two", "ambulance=40, police=45.5", map[string]float64{"ambulance": 40, "police": 45.5}, false},
		{"empty", "", map[string]float64{}, false},
		{"no equals", "ambulance40", nil, true},
		{"not a number", "ambulance=fast", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSpeeds(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
	if s := FormatSpeeds(testModel().SpeedKmh); s != "ambulance=40,fire_truck=35,hearse=30,police=45,rescue=35" {
		t.Fatalf("FormatSpeeds = %q", s)
	}
}

func TestDetourModelValidate(t *testing.T) {
	tests := []struct {
		name string
		m    DetourModel
		ok   bool
	}{
		{"defaults", testModel(), true},
		{"shortcut through walls", DetourModel{Detour: 0.8}, false},
		{"zero speed", DetourModel{Detour: 1.4, SpeedKmh: map[string]float64{"ambulance": 0}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.m.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate = %v", err)
			}
		})
	}
}

// testModel is the default model (tracking.DefaultTravel), written out:
// geo knows no unit types.
func testModel() DetourModel {
	return DetourModel{Detour: DefaultDetour, SpeedKmh: map[string]float64{"ambulance": 40, "fire_truck": 35, "hearse": 30, "rescue": 35, "police": 45}}
}
