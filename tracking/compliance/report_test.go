package compliance

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, WIB)

func at(h float64) *time.Time { t := t0.Add(time.Duration(h * float64(time.Hour))); return &t }

// A hand-counted month for two agencies, deadline 72 h, seen at +400 h.
func TestBuildByHand(t *testing.T) {
	d := 72 * time.Hour
	now := *at(400)
	cases := []Case{
		{IncidentID: "1", Agency: "dinkes", ReceivedAt: *at(0), AckedAt: at(2), DoneAt: at(10), ClosedAt: at(10)}, // within: ack 2 h, done 10 h
		{IncidentID: "2", Agency: "dinkes", ReceivedAt: *at(10), AckedAt: at(82), DoneAt: at(100)},                // at the deadline exactly: within; ack 72 h, done 90 h
		{IncidentID: "3", Agency: "dinkes", ReceivedAt: *at(20), AckedAt: at(100)},                                // late: ack 80 h; overdue total
		{IncidentID: "4", Agency: "dinkes", ReceivedAt: *at(30)},                                                  // never acked, open: overdue now
		{IncidentID: "5", Agency: "dinkes", ReceivedAt: *at(40), ClosedAt: at(50), DoneAt: at(50)},                // closed unacked before the deadline: not overdue; done 10 h
		{IncidentID: "6", Agency: "dinkes", ReceivedAt: *at(350)},                                                 // open, deadline still ahead
		{IncidentID: "7", Agency: "damkar", ReceivedAt: *at(5), ClosedAt: at(200), DoneAt: at(200)},               // closed unacked after the deadline: overdue total, not now
		{IncidentID: "8", Agency: "damkar", ReceivedAt: *at(-1), AckedAt: at(1)},                                  // before the window
		{IncidentID: "9", Agency: "zzz", ReceivedAt: *at(719.9), AckedAt: at(720)},                                // unknown agency, last minutes of the window
		{IncidentID: "10", Agency: "dinkes", ReceivedAt: *at(720), AckedAt: at(721)},                              // at to: outside
	}
	r := Build(cases, []Agency{{"damkar", "Damkar"}, {"dinkes", "Dinkes"}, {"bpbd", "BPBD"}}, t0, *at(720), now, d)
	if len(r.Agencies) != 4 || r.Agencies[0].Agency != "damkar" || r.Agencies[2].Agency != "bpbd" || r.Agencies[3].Agency != "zzz" {
		t.Fatalf("rows %+v", r.Agencies)
	}
	h := func(x float64) float64 { return x * 3600 }
	check := func(name string, row Row, received, within, late, overNow, overTotal int, ack50, ack90, done50, done90 *float64) {
		t.Run(name, func(t *testing.T) {
			if row.Received != received || row.AckedWithin != within || row.AckedLate != late || row.OverdueNow != overNow || row.OverdueTotal != overTotal {
				t.Fatalf("%+v", row)
			}
			for i, p := range [][2]*float64{{row.AckP50, ack50}, {row.AckP90, ack90}, {row.DoneP50, done50}, {row.DoneP90, done90}} {
				if (p[0] == nil) != (p[1] == nil) || (p[0] != nil && *p[0] != *p[1]) {
					t.Fatalf("percentile %d = %v, want %v", i, deref(p[0]), deref(p[1]))
				}
			}
		})
	}
	f := func(x float64) *float64 { return &x }
	// dinkes: acks 2, 72, 80 h → p50 rank ⌈1.5⌉=2 → 72 h, p90 rank ⌈2.7⌉=3 → 80 h; done 10, 90, 10 h → sorted 10,10,90 → p50 10 h, p90 90 h.
	check("dinkes", r.Agencies[1], 6, 2, 1, 1, 2, f(h(72)), f(h(80)), f(h(10)), f(h(90)))
	check("damkar", r.Agencies[0], 1, 0, 0, 0, 1, nil, nil, f(h(195)), f(h(195)))
	check("bpbd", r.Agencies[2], 0, 0, 0, 0, 0, nil, nil, nil, nil)
	check("unknown", r.Agencies[3], 1, 1, 0, 0, 0, f(360), f(360), nil, nil)
	// total acks 2, 72, 80 h, 0.1 h; done 10, 90, 10, 195 h → p50 rank 2 → 10 h, p90 rank 4 → 195 h; → sorted 0.1, 2, 72, 80 → p50 rank 2 → 2 h, p90 rank 4 → 80 h.
	check("total", r.Total, 8, 3, 1, 1, 3, f(h(2)), f(h(80)), f(h(10)), f(h(195)))
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Random cases against a straightforward recount written independently of
// Build (integer nearest rank, no shared helpers).
func TestBuildAgainstRecount(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 112))
	d := 72 * time.Hour
	agencies := []string{"a", "b", "c"}
	var cases []Case
	for i := range 3000 {
		c := Case{IncidentID: strconv.Itoa(i), Agency: agencies[rng.IntN(3)], ReceivedAt: t0.Add(time.Duration(rng.IntN(60*24*60)) * time.Minute)}
		if rng.IntN(10) < 8 {
			c.AckedAt = ptrT(c.ReceivedAt.Add(time.Duration(rng.IntN(120*60)) * time.Minute))
		}
		if rng.IntN(10) < 6 {
			c.ClosedAt = ptrT(c.ReceivedAt.Add(time.Duration(rng.IntN(200*60)) * time.Minute))
			c.DoneAt = c.ClosedAt
		}
		cases = append(cases, c)
	}
	from, to, now := t0.Add(10*24*time.Hour), t0.Add(40*24*time.Hour), t0.Add(45*24*time.Hour)
	r := Build(cases, []Agency{{"a", "A"}, {"b", "B"}, {"c", "C"}}, from, to, now, d)
	for _, row := range r.Agencies {
		var recv, within, overNow, overTotal int
		var acks, dones []int64
		for _, c := range cases {
			if c.Agency != row.Agency || c.ReceivedAt.Unix() < from.Unix() || c.ReceivedAt.Unix() >= to.Unix() {
				continue
			}
			recv++
			dueUnix := c.ReceivedAt.Unix() + int64(d/time.Second)
			if c.AckedAt != nil {
				acks = append(acks, c.AckedAt.Unix()-c.ReceivedAt.Unix())
				if c.AckedAt.Unix() <= dueUnix {
					within++
				}
			}
			if c.DoneAt != nil {
				dones = append(dones, c.DoneAt.Unix()-c.ReceivedAt.Unix())
			}
			end := now.Unix()
			if c.AckedAt != nil && c.AckedAt.Unix() < end {
				end = c.AckedAt.Unix()
			}
			if c.ClosedAt != nil && c.ClosedAt.Unix() < end {
				end = c.ClosedAt.Unix()
			}
			if end > dueUnix {
				overTotal++
				if c.AckedAt == nil && c.ClosedAt == nil {
					overNow++
				}
			}
		}
		rank := func(v []int64, p int) float64 {
			sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
			k := (p*len(v) + 99) / 100
			return float64(v[k-1])
		}
		if row.Received != recv || row.AckedWithin != within || row.OverdueNow != overNow || row.OverdueTotal != overTotal ||
			*row.AckP50 != rank(acks, 50) || *row.AckP90 != rank(acks, 90) || *row.DoneP50 != rank(dones, 50) || *row.DoneP90 != rank(dones, 90) {
			t.Fatalf("%s: got %+v (p50 %v p90 %v done %v %v); want received %d within %d overdue now %d total %d ack %v %v done %v %v",
				row.Agency, row, *row.AckP50, *row.AckP90, *row.DoneP50, *row.DoneP90, recv, within, overNow, overTotal,
				rank(acks, 50), rank(acks, 90), rank(dones, 50), rank(dones, 90))
		}
		if recv < 100 || overTotal == 0 || overNow == 0 {
			t.Fatalf("%s: the sample exercises too little (received %d, overdue %d/%d)", row.Agency, recv, overNow, overTotal)
		}
	}
}

func ptrT(t time.Time) *time.Time { return &t }

func TestEncodings(t *testing.T) {
	r := Build([]Case{
		{Agency: "dinkes", ReceivedAt: t0, AckedAt: at(1.5)},
		{Agency: "=HYPERLINK(\"x\")", ReceivedAt: t0},
	}, []Agency{{"dinkes", "Dinas Kesehatan, Kota Serang"}}, t0, *at(24), *at(10), 72*time.Hour)
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || strings.Join(recs[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("csv %q", recs)
	}
	if got := strings.Join(recs[1], "|"); got != "dinkes|Dinas Kesehatan, Kota Serang|1|1|0|0|0|1|0|5400|5400||" {
		t.Fatalf("dinkes line %q", got)
	}
	if recs[2][0][0] != '\'' || recs[3][0] != "*" || recs[3][2] != "2" {
		t.Fatalf("formula not defused or total wrong: %q", recs[2:])
	}
	buf.Reset()
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	rows := back["agencies"].([]any)
	first := rows[0].(map[string]any)
	if first["ack_p50_s"] != 5400.0 || first["done_p50_s"] != nil || first["acknowledged_within_deadline"] != 1.0 || back["deadline_s"] != 259200.0 {
		t.Fatalf("json %s", buf.String())
	}
}

func TestParseWindow(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, from, to string
		wantFrom       time.Time
		wantTo         time.Time
		err            string
	}{
		{"month in WIB", "2026-11-01", "2026-12-01", time.Date(2026, 10, 31, 17, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), ""},
		{"defaults", "", "", now.Add(-30 * 24 * time.Hour), now, ""},
		{"rfc3339", "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), ""},
		{"reversed", "2026-12-01", "2026-11-01", time.Time{}, time.Time{}, "before"},
		{"garbage", "<script>", "", time.Time{}, time.Time{}, "date"},
		{"too long", "2020-01-01", "2026-01-01", time.Time{}, time.Time{}, "366"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, to, err := ParseWindow(tc.from, tc.to, now)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !f.Equal(tc.wantFrom) || !to.Equal(tc.wantTo) {
				t.Fatalf("got %v %v (%v)", f, to, err)
			}
		})
	}
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"2026-11-01", "2026-11-01T00:00:00+07:00", "", "x"} {
		f.Add(s, s)
	}
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to string) {
		a, b, err := ParseWindow(from, to, now)
		if err == nil && (!a.Before(b) || b.Sub(a) > MaxWindow) {
			t.Fatalf("accepted %v..%v", a, b)
		}
	})
}

func BenchmarkBuild(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := make([]Case, 100_000)
	for i := range cases {
		c := Case{Agency: []string{"a", "b", "c", "d"}[rng.IntN(4)], ReceivedAt: t0.Add(time.Duration(rng.IntN(30*24*60)) * time.Minute)}
		c.AckedAt = ptrT(c.ReceivedAt.Add(time.Duration(rng.IntN(100*60)) * time.Minute))
		cases[i] = c
	}
	b.ReportAllocs()
	for b.Loop() {
		Build(cases, nil, t0, t0.Add(30*24*time.Hour), t0.Add(31*24*time.Hour), 72*time.Hour)
	}
}
