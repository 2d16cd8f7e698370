package mapdata

import (
	"encoding/csv"
	"errors"
	"os"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"siaga112/geo"
)

type heldOut struct {
	p         orb.Point
	kelurahan string // "" outside the city
}

// readHeldOut reads testdata/heldout.csv: points labelled by shapely (see
// heldout.py), never by this project's code.
func readHeldOut(t *testing.T) []heldOut {
	t.Helper()
	f, err := os.Open("testdata/heldout.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []heldOut
	for _, r := range rows[1:] {
		lon, err1 := strconv.ParseFloat(r[0], 64)
		lat, err2 := strconv.ParseFloat(r[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad row %v", r)
		}
		out = append(out, heldOut{orb.Point{lon, lat}, r[2]})
	}
	return out
}

// The default locator (embedded polygons) puts every held-out point in the
// kelurahan shapely puts it in, and refuses every point outside the city.
// The approximate locator on the same points is logged for comparison.
func TestHeldOutPoints(t *testing.T) {
	pts := readHeldOut(t)
	for _, tt := range []struct {
		name  string
		ix    *geo.DistrictIndex
		exact bool
	}{
		{"default (embedded polygons)", geo.NewExactIndex(SerangDistricts()), true},
		{"approximate (gazetteer points)", geo.NewApproxIndex(Serang().Districts()), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var in, kelOK, kecOK, out, refused int
			for _, h := range pts {
				loc, err := tt.ix.Locate(h.p)
				if h.kelurahan == "" {
					out++
					if errors.Is(err, geo.ErrOutside) {
						refused++
					} else if tt.exact {
						t.Errorf("%v is outside the city, located in %+v (%v)", h.p, loc, err)
					}
					continue
				}
				in++
				kel, _ := Serang().Lookup(h.kelurahan)
				if err == nil && loc.Kelurahan.Code == h.kelurahan {
					kelOK++
				} else if tt.exact {
					t.Errorf("%v: shapely says %s, got %+v (%v)", h.p, h.kelurahan, loc, err)
				}
				if err == nil && loc.Kecamatan.Code == kel.KecamatanCode {
					kecOK++
				}
			}
			t.Logf("%d inside: kelurahan right %.1f%%, kecamatan right %.1f%%; %d outside: refused %.1f%%",
				in, pct(kelOK, in), pct(kecOK, in), out, pct(refused, out))
		})
	}
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}
