package geofence

import (
	"os"
	"strings"
	"testing"

	"siaga112/tracking"
)

func readFences(t testing.TB) []Fence {
	t.Helper()
	b, err := os.ReadFile("testdata/fences.geojson")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestParseSample(t *testing.T) {
	fs := readFences(t)
	if len(fs) != 3 {
		t.Fatalf("%d fences, want 3", len(fs))
	}
	tests := []struct {
		name   string
		f      Fence
		id     string
		kind   Kind
		circle bool
	}{
		{"polygon with a feature id", fs[0], "rs-example", Hospital, false},
		{"circle with radius_m", fs[1], "pos-damkar", Station, true},
		{"multipolygon with an id property", fs[2], "depot-1", Depot, false},
	}
	for _, tt := range tests {
		if tt.f.ID != tt.id || tt.f.Kind != tt.kind || tt.f.IsCircle() != tt.circle {
			t.Errorf("%s: got %+v", tt.name, tt.f)
		}
	}
	if fs[1].RadiusM != 75 || fs[1].Agency != "damkar" {
		t.Errorf("circle: got radius %g agency %q", fs[1].RadiusM, fs[1].Agency)
	}
}

func feature(id, props, geom string) string {
	return `{"type":"Feature","id":"` + id + `","properties":{` + props + `},"geometry":` + geom + `}`
}

func fc(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

const (
	okProps = `"name":"A","kind":"hospital"`
	square  = `{"type":"Polygon","coordinates":[[[106.1,-6.1],[106.2,-6.1],[106.2,-6.0],[106.1,-6.0],[106.1,-6.1]]]}`
	point   = `{"type":"Point","coordinates":[106.1,-6.1]}`
)

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not JSON", `{"type":`, "not JSON"},
		{"not a collection", `{"type":"Feature"}`, "FeatureCollection"},
		{"too large", `{"type":"FeatureCollection","features":[]}` + strings.Repeat(" ", MaxFileBytes), "larger than"},
		{"too many features", fc(strings.Repeat(feature("x", okProps, square)+",", MaxFences) + feature("y", okProps, square)), "more than the"},
		{"markup in a name", fc(feature("a", `"name":"<script>alert(1)</script>","kind":"hospital"`, square)), "markup"},
		{"control character in a name", fc(feature("a", `"name":"A\u0000B","kind":"hospital"`, square)), "control character"},
		{"name missing", fc(feature("a", `"kind":"hospital"`, square)), "name is missing"},
		{"name too long", fc(feature("a", `"name":"`+strings.Repeat("é", MaxNameLen+1)+`","kind":"hospital"`, square)), "longer than"},
		{"unknown kind", fc(feature("a", `"name":"A","kind":"castle"`, square)), "kind \"castle\""},
		{"bad id", fc(feature("a b", okProps, square)), "fence id"},
		{"no id", fc(`{"type":"Feature","properties":{"name":"A","kind":"hospital"},"geometry":` + square + `}`), "no id"},
		{"duplicate id", fc(feature("a", okProps, square), feature("a", okProps, square)), "already given"},
		{"circle without radius", fc(feature("a", okProps, point)), "radius_m"},
		{"circle radius too large", fc(feature("a", okProps+`,"radius_m":1e9`, point)), "outside"},
		{"circle radius NaN-like", fc(feature("a", okProps+`,"radius_m":"NaN"`, point)), "radius_m"},
		{"lat beyond 90", fc(feature("a", okProps+`,"radius_m":50`, `{"type":"Point","coordinates":[-6.1,106.1]}`)), "[lat, lon]"},
		{"open ring", fc(feature("a", okProps, `{"type":"Polygon","coordinates":[[[106.1,-6.1],[106.2,-6.1],[106.2,-6.0],[106.1,-6.0]]]}`)), "not closed"},
		{"short ring", fc(feature("a", okProps, `{"type":"Polygon","coordinates":[[[106.1,-6.1],[106.2,-6.1],[106.1,-6.1]]]}`)), "at least 4"},
		{"bow tie", fc(feature("a", okProps, `{"type":"Polygon","coordinates":[[[106.1,-6.1],[106.2,-6.0],[106.2,-6.1],[106.1,-6.0],[106.1,-6.1]]]}`)), "not valid"},
		{"a line", fc(feature("a", okProps, `{"type":"LineString","coordinates":[[106.1,-6.1],[106.2,-6.1]]}`)), "LineString"},
		{"no geometry", fc(`{"type":"Feature","id":"a","properties":{"name":"A","kind":"hospital"},"geometry":null}`), "no geometry"},
		{"huge number", fc(feature("a", okProps+`,"radius_m":1e999`, point)), "not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("accepted: %+v", fs)
			}
			if tracking.CodeOf(err) != tracking.CodeInvalid || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q (code %q), want code invalid and %q", err, tracking.CodeOf(err), tt.want)
			}
			if len(err.Error()) > 4000 {
				t.Fatalf("error of %d bytes echoes the input", len(err.Error()))
			}
		})
	}
}

// FuzzParse: any input is refused with a coded error or yields fences that
// are sound: finite, bounded, named without markup.
func FuzzParse(f *testing.F) {
	b, err := os.ReadFile("testdata/fences.geojson")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(fc(feature("a", okProps, square))))
	f.Add([]byte(fc(feature("a", okProps+`,"radius_m":50`, point))))
	f.Add([]byte(`{"type":"FeatureCollection","features":[null]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := Parse(b)
		if err != nil {
			if tracking.CodeOf(err) != tracking.CodeInvalid {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		ix := NewIndex(fs)
		for _, fe := range fs {
			if fe.Name == "" || strings.ContainsAny(fe.Name, "<>") || parseKind(string(fe.Kind)) == "" {
				t.Fatalf("unsound fence %+v", fe)
			}
			c := fe.Center
			if !fe.IsCircle() {
				c = fe.Shape[0][0][0]
			}
			_ = ix.Containing(nil, c)
			_ = fe.OutsideM(c)
		}
	})
}
