package places_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/mapdata/places"
	"siaga112/mapdata/places/osmload"
)

// cityBox is Kota Serang's official outline's box widened by 5 km.
func cityBox() orb.Bound {
	var b orb.Bound
	for i, d := range mapdata.SerangDistricts() {
		if i == 0 {
			b = d.Shape.Bound()
		}
		b = b.Union(d.Shape.Bound())
	}
	return places.Widen(b, 5000)
}

var town = sync.OnceValues(func() (*places.Places, error) {
	x, _, err := osmload.ReadFile(context.Background(), "testdata/town.osm.pbf", cityBox())
	if err != nil {
		return nil, err
	}
	return places.New(places.Config{Extract: x, Bound: cityBox()}), nil
})

func testTown(t testing.TB) *places.Places {
	t.Helper()
	p, err := town()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ids(rs []places.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func rank(rs []places.Result, id string) int {
	for i, r := range rs {
		if r.ID == id {
			return i + 1
		}
	}
	return 0
}

// Gazetteer codes of the rows below.
const (
	kelMesjidPriyayi  = "gazetteer:36.73.02.1002"
	kelLontarbaru     = "gazetteer:36.73.01.1009"
	kelNyapah         = "gazetteer:36.73.03.1003"
	kecCurug          = "gazetteer:36.73.04"
	kelCurug          = "gazetteer:36.73.04.1001"
	kelSukawanaSerang = "gazetteer:36.73.01.1008"
	kelSukawanaCurug  = "gazetteer:36.73.04.1007"
	kelUmbulTengah    = "gazetteer:36.73.06.1009"
	kelCipare         = "gazetteer:36.73.01.1002"
	sudirman          = "osm:way/100"
	ahmadYani         = "osm:way/110"
	gangMawar         = "osm:way/130"
	fatahHasan        = "osm:way/150"
	serangCilegon     = "osm:way/160"
	diponegoro        = "osm:way/170"
	rsud              = "osm:way/200"
)

// formRow is one way a caller says a place: first means the place must be
// the first answer, top3 among the first three.
type formRow struct {
	name    string
	q       string
	want    string
	top3    bool
	matched string
}

var formRows = []formRow{
	{name: "case and dots", q: "JL. JENDERAL SUDIRMAN", want: sudirman},
	{name: "Jl and Jend", q: "jl jend sudirman", want: sudirman},
	{name: "Jln", q: "jln ahmad yani", want: ahmadYani},
	{name: "Gg", q: "gg mawar", want: gangMawar},
	{name: "Kp", q: "kp kaloran", want: "osm:node/1007"},
	{name: "Kmp", q: "Kmp. Kaloran", want: "osm:node/1007"},
	{name: "Ps", q: "ps rau", want: "osm:node/1004"},
	{name: "Psr", q: "Psr. Rau", want: "osm:node/1004"},
	{name: "PKM", q: "pkm unyur", want: "osm:node/1001"},
	{name: "SDN with a leading zero", q: "SDN 01 Serang", want: "osm:node/1002"},
	{name: "SMPN", q: "smpn 02 kota serang", want: "osm:node/1003"},
	{name: "Mesjid in a POI", q: "mesjid agung", want: "osm:node/1005"},
	{name: "Mesjid Priyayi as masjid", q: "masjid priyayi", want: kelMesjidPriyayi},
	{name: "Mesjid Priyayi as written", q: "Mesjid Priyayi", want: kelMesjidPriyayi},
	{name: "RS", q: "rs dradjat", want: rsud},
	{name: "short_name", q: "RSUD Serang", want: rsud, matched: "RSUD Serang"},
	{name: "KH", q: "jl kh abdul fatah hasan", want: fatahHasan},
	{name: "K.H.", q: "Jl. K.H. Abdul Fatah", want: fatahHasan},
	{name: "hyphen and en dash", q: "JL. RAYA SERANG-CILEGON", want: serangCilegon},
	{name: "spaced dash", q: "jalan raya serang — cilegon", want: serangCilegon},
	{name: "Kel. hint", q: "Kel. Nyapah", want: kelNyapah},
	{name: "Kelurahan hint", q: "kelurahan curug", want: kelCurug},
	{name: "Kec. hint", q: "kec. curug", want: kecCurug},
	{name: "Kecamatan hint", q: "Kecamatan Curug", want: kecCurug},
	{name: "Desa hint", q: "desa sukawana", want: kelSukawanaSerang},
	{name: "compound written apart", q: "Lontar Baru", want: kelLontarbaru},
	{name: "compound as written", q: "lontarbaru", want: kelLontarbaru},
	{name: "compound written together", q: "tamansari", want: "osm:node/1011"},
	{name: "any order", q: "sudirman jenderal", want: sudirman},
	{name: "street without Jalan", q: "sudirman", want: sudirman},
	{name: "name has more words", q: "umbul", want: kelUmbulTengah},
	{name: "prefix on the last word", q: "umbul ten", want: kelUmbulTengah},
	{name: "prefix of a street", q: "jl ahmad ya", want: ahmadYani},
	{name: "two letters", q: "ny", want: kelNyapah},
	{name: "two letters of a POI", q: "ap", want: "osm:node/1008", top3: true},
	{name: "alt_name", q: "polresta", want: "osm:node/1010", matched: "Polresta Serang"},
	{name: "old_name", q: "jalan tengah", want: diponegoro, matched: "Jalan Tengah"},
	{name: "typo: swapped letters", q: "diponegroo", want: diponegoro},
	{name: "typo: one letter changed", q: "jl sudirmen", want: sudirman},
	{name: "typo: one letter missing", q: "puskesmas unyr", want: "osm:node/1001"},
	{name: "control characters dropped", q: "apotek sehat", want: "osm:node/1008"},
	{name: "kelurahan by name", q: "cipare", want: kelCipare},
}

func TestSearchForms(t *testing.T) {
	p := testTown(t)
	first, top3 := 0, 0
	var missed []string
	for _, tc := range formRows {
		t.Run(tc.name, func(t *testing.T) {
			rs := p.Search(tc.q, places.Options{Limit: 10})
			r := rank(rs, tc.want)
			switch {
			case r == 1:
				first++
				top3++
			case r > 0 && r <= 3:
				top3++
			}
			if r == 0 || (!tc.top3 && r != 1) || r > 3 {
				missed = append(missed, tc.name)
				t.Errorf("%q: %s is at rank %d; got %v", tc.q, tc.want, r, rs)
				return
			}
			if got := rs[r-1].Matched; got != tc.matched {
				t.Errorf("%q: matched %q, want %q", tc.q, got, tc.matched)
			}
		})
	}
	t.Logf("form rows: %d of %d first, %d in the top 3; missed: %v", first, len(formRows), top3, missed)
}

func TestSearchNotFound(t *testing.T) {
	p := testTown(t)
	for _, tc := range []struct{ name, q, absent string }{
		{"two typos in one word", "dipnegroo", diponegoro},
		{"one typo in each of two words", "sudirmen jendral", sudirman},
		{"typo in a short word", "jlan ahmad yani", ahmadYani}, // "jlan" is one edit from "jalan": found
		{"beyond the city's box", "thamrin", "osm:way/190"},
		{"beyond the box, a POI", "rs jakarta", "osm:node/1012"},
		{"a boundary", "kota serang", "osm:way/210"},
		{"place repeating a kelurahan", "cipare", "osm:node/1006"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := p.Search(tc.q, places.Options{Limit: 50})
			found := rank(rs, tc.absent) > 0
			if want := tc.name == "typo in a short word"; found != want {
				t.Errorf("%q: %s found %v, want %v: %v", tc.q, tc.absent, found, want, rs)
			}
		})
	}
}

func TestSearchTwoSukawana(t *testing.T) {
	p := testTown(t)
	rs := p.Search("sukawana", places.Options{Limit: 5})
	if len(rs) < 2 || !(rank(rs, kelSukawanaSerang) <= 2 && rank(rs, kelSukawanaCurug) <= 2) || rank(rs, kelSukawanaCurug) == 0 {
		t.Fatalf("both Sukawana should lead: %v", rs)
	}
	if rs[0].Score != 1 || rs[1].Score != 1 {
		t.Errorf("both are exact names, score 1: %v", rs)
	}
	// Each wins near itself.
	for _, want := range []string{kelSukawanaSerang, kelSukawanaCurug} {
		a, _ := mapdata.Serang().Lookup(strings.TrimPrefix(want, "gazetteer:"))
		bias := orb.Point{a.Point[0] + 0.002, a.Point[1]}
		rs := p.Search("sukawana", places.Options{Limit: 5, Bias: &bias})
		if rs[0].ID != want || rs[0].DistanceM < 200 || rs[0].DistanceM > 250 {
			t.Errorf("biased near %s: %v (distance %.0f m)", want, rs, rs[0].DistanceM)
		}
	}
}

func TestSearchHintOrder(t *testing.T) {
	p := testTown(t)
	rs := p.Search("kec. curug", places.Options{Limit: 5})
	if rank(rs, kecCurug) != 1 || rank(rs, kelCurug) != 2 {
		t.Errorf("kec. curug: the kecamatan, then the kelurahan: %v", rs)
	}
	rs = p.Search("curug", places.Options{Limit: 5})
	if rank(rs, kelCurug) != 1 || rank(rs, kecCurug) != 2 {
		t.Errorf("curug: the kelurahan (a nearer point), then the kecamatan: %v", rs)
	}
}

func TestSearchScores(t *testing.T) {
	p := testTown(t)
	bias := orb.Point{106.16, -6.12}
	for _, q := range []string{"jalan", "ja", "sudirman", "jl sudirman", "umbul ten", "diponegroo", "serang", "s", "kec. curug", "sudirman & veteran"} {
		for _, b := range []*orb.Point{nil, &bias} {
			rs := p.Search(q, places.Options{Limit: 50, Bias: b})
			for i, r := range rs {
				if r.Score <= 0 || r.Score > 1 {
					t.Errorf("%q: score %v out of (0, 1]", q, r.Score)
				}
				if i > 0 && r.Score > rs[i-1].Score {
					t.Errorf("%q (bias %v): scores rise at %d: %v", q, b != nil, i, rs)
				}
			}
		}
	}
	rs := p.Search("Jalan Jenderal Sudirman", places.Options{})
	if rs[0].Score != 1 {
		t.Errorf("an exact name scores 1: %v", rs[0])
	}
	rs = p.Search("sudirman", places.Options{})
	if rs[0].Score >= 1 {
		t.Errorf("a part of a name scores below 1: %v", rs[0])
	}
}

func TestSearchStreetPoint(t *testing.T) {
	p := testTown(t)
	rs := p.Search("jalan jenderal sudirman", places.Options{Limit: 1})
	// Half-way along 106.150 → 106.165 on lat -6.12.
	if pt := rs[0].Point; fmt.Sprintf("%.4f %.4f", pt[0], pt[1]) != "106.1575 -6.1200" {
		t.Errorf("street's point without a bias: %v", pt)
	}
	bias := orb.Point{106.1612, -6.1190}
	rs = p.Search("jalan jenderal sudirman", places.Options{Limit: 1, Bias: &bias})
	if pt := rs[0].Point; fmt.Sprintf("%.4f %.4f", pt[0], pt[1]) != "106.1612 -6.1200" || rs[0].DistanceM < 105 || rs[0].DistanceM > 115 {
		t.Errorf("street's point nearest the bias: %v, %.1f m", pt, rs[0].DistanceM)
	}
	rs = p.Search("rsud serang", places.Options{Limit: 1})
	if pt := rs[0].Point; !(orb.Bound{Min: orb.Point{106.149, -6.112}, Max: orb.Point{106.151, -6.110}}).Contains(pt) {
		t.Errorf("an area's point lies inside it: %v", pt)
	}
}

func TestCrossings(t *testing.T) {
	p := testTown(t)
	nearNode1 := orb.Point{106.1502, -6.1201}
	for _, tc := range []struct {
		name string
		q    string
		bias *orb.Point
		want []string // the first answers, crossings
	}{
		{"ampersand", "Jl. Sudirman & Jl. Ahmad Yani", nil, []string{"osm:intersection/2"}},
		{"slash", "sudirman / ahmad yani", nil, []string{"osm:intersection/2"}},
		{"slash without spaces", "sudirman/ahmad yani", nil, []string{"osm:intersection/2"}},
		{"x as a word", "jl sudirman x jl ahmad yani", nil, []string{"osm:intersection/2"}},
		{"another pair", "gg mawar & ahmad yani", nil, []string{"osm:intersection/5"}},
		{"two crossings, nearest the bias first", "jl veteran & sudirman", &nearNode1, []string{"osm:intersection/1", "osm:intersection/3"}},
		{"prefix on a side", "jl sudirman & jl ahmad ya", nil, []string{"osm:intersection/2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := p.Search(tc.q, places.Options{Limit: 10, Bias: tc.bias})
			if got := ids(rs); len(got) < len(tc.want) || strings.Join(got[:len(tc.want)], ",") != strings.Join(tc.want, ",") {
				t.Fatalf("%q: %v, want first %v", tc.q, rs, tc.want)
			}
			r := rs[0]
			if r.Kind != places.KindIntersection || r.Source != places.SourceOSM || !strings.Contains(r.Name, " & ") {
				t.Errorf("crossing answer: %+v", r)
			}
		})
	}
	// A pair that never meets: a plain search, the separator a space.
	rs := p.Search("gg mawar & jl sudirman", places.Options{Limit: 10})
	for _, r := range rs {
		if r.Kind == places.KindIntersection {
			t.Errorf("Gang Mawar never meets Sudirman: %v", rs)
		}
	}
	// Two separators: no crossing either.
	rs = p.Search("sudirman & ahmad yani & veteran", places.Options{Limit: 10})
	if len(rs) > 0 && rs[0].Kind == places.KindIntersection {
		t.Errorf("two separators make no crossing: %v", rs)
	}
	if pt := rs; len(pt) > 0 {
		_ = pt
	}
	rs = p.Search("sudirman & ahmad yani", places.Options{Limit: 1})
	if rs[0].Point != (orb.Point{106.155, -6.12}) || rs[0].Name != "Jalan Jenderal Sudirman & Jalan Ahmad Yani" {
		t.Errorf("the crossing is the shared node, named by both: %+v", rs[0])
	}
}

func TestReverse(t *testing.T) {
	p := testTown(t)
	// 55 m south of Sudirman between two vertices, 60 m from the mosque.
	st, pl := p.Reverse(orb.Point{106.1512, -6.1205})
	if st == nil || st.ID != sudirman || st.DistanceM < 50 || st.DistanceM > 60 {
		t.Errorf("street: %+v", st)
	}
	if pl == nil || pl.ID != "osm:node/1005" {
		t.Errorf("place: %+v", pl)
	}
	// Far from every street.
	if st, pl := p.Reverse(orb.Point{106.20, -6.16}); st != nil || pl != nil {
		t.Errorf("nothing within reach: %+v %+v", st, pl)
	}
	// The book's entries are places too.
	p2 := places.New(places.Config{})
	p2.SetBook([]places.BookEntry{{ID: "a1", Name: "Posko Banjir", Kind: "facility", Point: orb.Point{106.2, -6.16}}})
	if st, pl := p2.Reverse(orb.Point{106.2003, -6.16}); st != nil || pl == nil || pl.ID != "placebook:a1" {
		t.Errorf("without an extract: street %+v, place %+v", st, pl)
	}
}

func TestBook(t *testing.T) {
	p := places.New(places.Config{})
	if rs := p.Search("posko <b>banjir</b>", places.Options{}); len(rs) != 0 {
		t.Fatalf("empty book: %v", rs)
	}
	p.SetBook([]places.BookEntry{{ID: "pb-1", Name: "Posko <b>Banjir</b>", Kind: "facility", Aliases: []string{"Tenda Biru"}, Point: orb.Point{106.15, -6.12}}})
	rs := p.Search("tenda biru", places.Options{})
	if len(rs) != 1 || rs[0].ID != "placebook:pb-1" || rs[0].Matched != "Tenda Biru" || rs[0].Source != "placebook" || rs[0].Kind != "facility" || rs[0].Score != 1 {
		t.Fatalf("by alias: %+v", rs)
	}
	if rs := p.Search("posko banjir", places.Options{}); len(rs) == 0 || rs[0].Name != "Posko <b>Banjir</b>" {
		t.Fatalf("by name (markup is only text): %+v", rs)
	}
	p.SetBook(nil)
	if rs := p.Search("tenda biru", places.Options{}); len(rs) != 0 {
		t.Fatalf("removed: %v", rs)
	}
}

// Every area is found by its name, at a point /api/locate puts inside it.
func TestGazetteerPoints(t *testing.T) {
	p := testTown(t)
	ix := geo.NewExactIndex(mapdata.SerangDistricts())
	g := mapdata.Serang()
	for _, a := range append(append([]mapdata.Area{}, g.Kelurahan...), g.Kecamatan...) {
		rs := p.Search(a.Name, places.Options{Limit: 10})
		r := rank(rs, "gazetteer:"+a.Code)
		if r == 0 || rs[r-1].Score != 1 {
			t.Errorf("%s %s: rank %d in %v", a.Code, a.Name, r, rs)
			continue
		}
		loc, err := ix.Locate(rs[r-1].Point)
		if err != nil || (loc.Kelurahan.Code != a.Code && loc.Kecamatan.Code != a.Code) {
			t.Errorf("%s %s: its point lies in %+v (%v)", a.Code, a.Name, loc, err)
		}
	}
}
