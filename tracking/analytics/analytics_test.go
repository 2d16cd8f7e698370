package analytics

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
)

var locator = geo.NewApproxIndex(mapdata.Serang().Districts())

var importer = Importer{
	Known:   func(c tracking.Category) bool { return c == "fire" || c == "medical" },
	Locator: locator,
	Now:     func() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) },
}

const header = "id,category,lat,lon,received_at,dispatched_at,on_scene_at,closed_at\n"

// Kaligandu (36.73.01.1010) and Kasemen's point (36.73.02).
const (
	kaligandu = "-6.110699,106.177791"
	kasemen   = "-6.059083,106.185147"
)

func TestImportRefusesBadRows(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		lines []int
		says  string
	}{
		{"unknown category", header + "a," + "ufo," + kaligandu + ",2025-01-01T08:00:00+07:00,,,\n", []int{2}, `unknown category "ufo"`},
		{"outside the city", header + "a,fire,-6.2088,106.8456,2025-01-01T08:00:00+07:00,,,\n", []int{2}, "outside Kota Serang"},
		{"times out of order", header + "a,fire," + kaligandu + ",2025-01-01T08:00:00+07:00,2025-01-01T07:59:00+07:00,,\n", []int{2}, "dispatched_at is before received_at"},
		{"on scene before dispatch", header + "a,fire," + kaligandu + ",2025-01-01T08:00:00+07:00,2025-01-01T08:05:00+07:00,2025-01-01T08:04:00+07:00,\n", []int{2}, "on_scene_at is before dispatched_at"},
		{"bad time", header + "a,fire," + kaligandu + ",yesterday,,,\n", []int{2}, "not an RFC 3339 time"},
		{"no received time", header + "a,fire," + kaligandu + ",,,,\n", []int{2}, "received_at is empty"},
		{"bad number", header + "a,fire,north,106.1,2025-01-01T08:00:00Z,,,\n", []int{2}, "not decimal degrees"},
		{"repeated id", header + "a,fire," + kaligandu + ",2025-01-01T08:00:00Z,,,\na,fire," + kaligandu + ",2025-01-01T09:00:00Z,,,\n", []int{3}, "repeats row 2"},
		{"two bad among good", header +
			"ok1,fire," + kaligandu + ",2025-01-01T08:00:00Z,,,\n" +
			"bad1,ufo," + kaligandu + ",2025-01-01T08:00:00Z,,,\n" +
			"ok2,fire," + kaligandu + ",2025-01-01T08:00:00Z,,,\n" +
			"bad2,fire," + kaligandu + ",2025-13-01T08:00:00Z,,,\n", []int{3, 5}, "nothing was imported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := importer.Parse(strings.NewReader(tt.file))
			var ie *ImportError
			if !errors.As(err, &ie) || rs != nil {
				t.Fatalf("err %v, %d records; want an ImportError and nothing", err, len(rs))
			}
			var lines []int
			for _, r := range ie.Rows {
				lines = append(lines, r.Line)
			}
			if fmt.Sprint(lines) != fmt.Sprint(tt.lines) || !strings.Contains(ie.Error()+fmt.Sprint(ie.Rows), tt.says) {
				t.Fatalf("rows %v (%v), want lines %v saying %q", ie.Rows, ie, tt.lines, tt.says)
			}
		})
	}
	for _, bad := range []string{"", "id,category\n", "nonsense"} {
		if _, err := importer.Parse(strings.NewReader(bad)); tracking.CodeOf(err) != tracking.CodeInvalid {
			t.Errorf("file %q: %v", bad, err)
		}
	}
}

func TestImportGeolocatesAndDedupes(t *testing.T) {
	file := header +
		"h1,fire," + kaligandu + ",2025-01-01T08:00:00+07:00,2025-01-01T08:01:00+07:00,2025-01-01T08:09:00+07:00,2025-01-01T09:00:00+07:00\n" +
		"h2,medical," + kasemen + ",2025-01-02T08:00:00+07:00,,,\n"
	rs, err := importer.Parse(strings.NewReader(file))
	if err != nil || len(rs) != 2 {
		t.Fatalf("%d records, %v", len(rs), err)
	}
	if rs[0].KelurahanCode != "36.73.01.1010" || rs[0].KecamatanCode != "36.73.01" || rs[1].KecamatanCode != "36.73.02" || rs[1].OnSceneAt != nil {
		t.Fatalf("records %+v", rs)
	}
	ix := NewIndex()
	if n := ix.Add(rs); n != 2 {
		t.Fatalf("added %d", n)
	}
	if n := ix.Add(rs); n != 0 || ix.Len() != 2 {
		t.Fatalf("re-import added %d, holds %d", n, ix.Len())
	}
}

// fixture builds records with known response times (seconds) per place.
func fixture(t *testing.T) *Index {
	t.Helper()
	base := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	var rs []tracking.HistoryRecord
	add := func(id string, cat tracking.Category, kel, kec string, p orb.Point, dispatchS, onSceneS int, at time.Time) {
		r := tracking.HistoryRecord{ID: id, Category: cat, Lat: p[1], Lon: p[0], KelurahanCode: kel, KecamatanCode: kec, ReceivedAt: at}
		if dispatchS >= 0 {
			d := at.Add(time.Duration(dispatchS) * time.Second)
			r.DispatchedAt = &d
		}
		if onSceneS >= 0 {
			o := at.Add(time.Duration(onSceneS) * time.Second)
			r.OnSceneAt = &o
		}
		rs = append(rs, r)
	}
	kal, kas := orb.Point{106.177791, -6.110699}, orb.Point{106.185147, -6.059083}
	// Kaligandu, fire: response 300, 600, 600, 900 s (even count, ties); dispatch after 60 s each.
	for i, s := range []int{600, 300, 900, 600} {
		add(fmt.Sprintf("k%d", i), "fire", "36.73.01.1010", "36.73.01", kal, 60, s, base.Add(time.Duration(i)*time.Hour))
	}
	// Kasemen, medical: response 120, 240, 480 s (odd count); one without on-scene stamp.
	for i, s := range []int{480, 120, 240, -1} {
		add(fmt.Sprintf("m%d", i), "medical", "36.73.02.1001", "36.73.02", kas, 30, s, base.Add(time.Duration(24+i)*time.Hour))
	}
	ix := NewIndex()
	ix.Add(rs)
	return ix
}

func TestResponseTimePercentiles(t *testing.T) {
	ix := fixture(t)
	day2 := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		q        Query
		want     map[string]Summary
		excluded int
	}{
		{"by kecamatan", Query{Segment: SegmentResponse, By: ByKecamatan},
			map[string]Summary{"36.73.01": {4, 600, 900}, "36.73.02": {3, 240, 480}}, 1},
		{"one category", Query{Segment: SegmentResponse, By: ByKelurahan, Category: "fire"},
			map[string]Summary{"36.73.01.1010": {4, 600, 900}}, 0},
		{"time range", Query{Segment: SegmentResponse, By: ByKecamatan, From: day2},
			map[string]Summary{"36.73.02": {3, 240, 480}}, 1},
		{"until", Query{Segment: SegmentResponse, By: ByKecamatan, To: day2},
			map[string]Summary{"36.73.01": {4, 600, 900}}, 0},
		{"call processing", Query{Segment: SegmentCallProcessing, By: ByKecamatan},
			map[string]Summary{"36.73.01": {4, 60, 60}, "36.73.02": {4, 30, 30}}, 0},
		{"travel", Query{Segment: SegmentTravel, By: ByKelurahan, Category: "medical"},
			map[string]Summary{"36.73.02.1001": {3, 210, 450}}, 1},
		{"unknown category", Query{Segment: SegmentResponse, By: ByKecamatan, Category: "ufo"}, map[string]Summary{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Run(tt.q, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]Summary{}
			for _, g := range res.Groups {
				got[g.Key] = g.Summary
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || res.Excluded != tt.excluded {
				t.Fatalf("got %v excluded %d, want %v excluded %d", got, res.Excluded, tt.want, tt.excluded)
			}
		})
	}
}

func TestQueryValidation(t *testing.T) {
	for _, q := range []Query{
		{Segment: "lunch", By: ByKecamatan},
		{Segment: SegmentResponse, By: "provinsi"},
		{Segment: SegmentResponse, By: ByH3, Res: 16},
		{Segment: SegmentResponse, By: ByKecamatan, From: time.Unix(10, 0), To: time.Unix(5, 0)},
	} {
		if _, err := NewIndex().Run(q, nil); tracking.CodeOf(err) != tracking.CodeInvalid {
			t.Errorf("%+v: %v", q, err)
		}
	}
}

// Every incident lands in exactly one H3 cell, at every resolution.
func TestH3CellsAccountForEveryIncident(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ix, rs := randomHistory(5000, rng)
	ix.Add(rs)
	for _, res := range []int{6, 8, 10} { // computed, kept, computed
		r, err := ix.Run(Query{Segment: SegmentResponse, By: ByH3, Res: res}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, g := range r.Groups {
			sum += g.Count
			if c := h3.Cell(h3.IndexFromString(g.Key)); !c.IsValid() || c.Resolution() != res {
				t.Fatalf("bad cell %q", g.Key)
			}
		}
		if sum+r.Excluded != len(rs) || r.Matched != len(rs) {
			t.Fatalf("res %d: cells hold %d, excluded %d, of %d", res, sum, r.Excluded, len(rs))
		}
	}
}

func TestLiveIncidentsCount(t *testing.T) {
	ix := fixture(t)
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	on := at.Add(1200 * time.Second)
	live := []tracking.HistoryRecord{{ID: "live", Category: "fire", Lat: -6.110699, Lon: 106.177791, KecamatanCode: "36.73.01", KelurahanCode: "36.73.01.1010", ReceivedAt: at, OnSceneAt: &on}}
	res, _ := ix.Run(Query{Segment: SegmentResponse, By: ByKecamatan, Category: "fire"}, live)
	if len(res.Groups) != 1 || res.Groups[0].Summary != (Summary{5, 600, 1200}) {
		t.Fatalf("with a live incident: %+v", res.Groups)
	}
}

func TestCoverage(t *testing.T) {
	cells := CityCells(orb.Bound{Min: orb.Point{106.07, -6.21}, Max: orb.Point{106.25, -6.02}}, 7, locator)
	if len(cells) < 10 {
		t.Fatalf("%d cells cover the city at res 7", len(cells))
	}
	unit := tracking.Unit{ID: "A1", Type: tracking.Ambulance, Position: tracking.Position{Lon: 106.15, Lat: -6.12}}
	cov, err := Coverage(cells, func(p orb.Point) (tracking.Unit, float64, bool) {
		return unit, geo.Distance(p, orb.Point{106.15, -6.12}), true
	}, tracking.DefaultTravel())
	if err != nil || len(cov) != len(cells) {
		t.Fatalf("%d cells, %v", len(cov), err)
	}
	for _, c := range cov {
		want := geo.Distance(orb.Point{c.Cell.LatLng().Lng, c.Cell.LatLng().Lat}, orb.Point{106.15, -6.12}) * 1.4 / (40 / 3.6)
		if c.UnitID != "A1" || c.ETASeconds < want-1 || c.ETASeconds > want+1 {
			t.Fatalf("cell %v: %+v, want ETA %.0f", c.Cell, c, want)
		}
	}
	none, _ := Coverage(cells[:1], func(orb.Point) (tracking.Unit, float64, bool) { return tracking.Unit{}, 0, false }, tracking.DefaultTravel())
	if none[0].UnitID != "" || none[0].ETASeconds == none[0].ETASeconds {
		t.Fatalf("no unit: %+v", none[0])
	}
}

var kelurahan = mapdata.Serang().Kelurahan

// randomHistory makes n records around random kelurahan over a year.
func randomHistory(n int, rng *rand.Rand) (*Index, []tracking.HistoryRecord) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cats := []tracking.Category{"fire", "medical", "traffic_accident", "ambulance"}
	rs := make([]tracking.HistoryRecord, n)
	for i := range rs {
		k := kelurahan[rng.IntN(len(kelurahan))]
		p := geo.Destination(k.Point, rng.Float64()*360, rng.Float64()*300)
		at := start.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		d := at.Add(time.Duration(30+rng.IntN(120)) * time.Second)
		r := tracking.HistoryRecord{ID: fmt.Sprintf("H%07d", i), Category: cats[rng.IntN(len(cats))], Lat: p[1], Lon: p[0],
			KecamatanCode: k.KecamatanCode, KelurahanCode: k.Code, ReceivedAt: at, DispatchedAt: &d}
		if rng.IntN(10) > 0 {
			o := d.Add(time.Duration(120+rng.IntN(1500)) * time.Second)
			r.OnSceneAt = &o
		}
		rs[i] = r
	}
	return NewIndex(), rs
}

func FuzzImportCSV(f *testing.F) {
	f.Add(header + "h1,fire," + kaligandu + ",2025-01-01T08:00:00+07:00,2025-01-01T08:01:00+07:00,,\n")
	f.Add(header + "\"a,b\",fire,1,2,x,,,\n")
	f.Add("id,category,lat,lon,received_at,dispatched_at,on_scene_at,closed_at\n\"\n")
	f.Add("\ufeffID,Category,Lat,Lon,Received_At,Dispatched_At,On_Scene_At,Closed_At\nx,medical," + kasemen + ",2025-02-02T02:02:02Z,,,\n")
	f.Fuzz(func(t *testing.T, file string) {
		rs, err := importer.Parse(strings.NewReader(file))
		if err != nil {
			if rs != nil {
				t.Fatal("records with an error")
			}
			var ie *ImportError
			if errors.As(err, &ie) && (ie.Total == 0 || len(ie.Rows) == 0) {
				t.Fatal("an ImportError without rows")
			}
			return
		}
		ids := map[string]bool{}
		for _, r := range rs {
			if ids[r.ID] || r.KelurahanCode == "" || r.ReceivedAt.IsZero() {
				t.Fatalf("bad record accepted: %+v", r)
			}
			ids[r.ID] = true
		}
	})
}

// BenchmarkQuery: a year of a big city's history, 1,000,000 incidents.
func BenchmarkQuery(b *testing.B) {
	ix, rs := randomHistory(1_000_000, rand.New(rand.NewPCG(3, 4)))
	start := time.Now()
	ix.Add(rs)
	b.Logf("indexed 1,000,000 records in %v", time.Since(start))
	for _, q := range []struct {
		name string
		q    Query
	}{
		{"kelurahan-all", Query{Segment: SegmentResponse, By: ByKelurahan}},
		{"h3-res8-all", Query{Segment: SegmentResponse, By: ByH3, Res: 8}},
		{"kecamatan-fire-quarter", Query{Segment: SegmentResponse, By: ByKecamatan, Category: "fire",
			From: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		b.Run(q.name, func(b *testing.B) {
			for range b.N {
				if _, err := ix.Run(q.q, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkImport: parse, validate and geolocate CSV rows.
func BenchmarkImport(b *testing.B) {
	_, rs := randomHistory(10_000, rand.New(rand.NewPCG(5, 6)))
	var sb strings.Builder
	sb.WriteString(header)
	for _, r := range rs {
		fmt.Fprintf(&sb, "%s,%s,%f,%f,%s,%s,,\n", r.ID, "fire", r.Lat, r.Lon, r.ReceivedAt.Format(time.RFC3339), r.DispatchedAt.Format(time.RFC3339))
	}
	file := sb.String()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := importer.Parse(strings.NewReader(file)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(rs))/time.Since(start).Seconds(), "rows/s")
}
