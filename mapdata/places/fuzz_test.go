package places_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/paulmach/orb"

	"siaga112/mapdata/places"
)

// FuzzPlacesQuery: any query (outside input, up to the 200 bytes the API
// lets through) answers without panicking, within the limit, with scores
// in (0, 1] that never rise; the normaliser's words are lower case with no
// space or control character in them.
func FuzzPlacesQuery(f *testing.F) {
	for _, s := range []string{"jl jend sudirman", "Kel. Nyapah", "SDN 01", "sudirman & ahmad yani", "a/b/c", "x x x", "K.H.", "\xff\xfe",
		"jalan\u200bsudirman", strings.Repeat("a ", 100), strings.Repeat("&", 200), "lontar baru", "umbul ten", "diponegroo", "Ǆ ǅ ß İ"} {
		f.Add(s, true)
	}
	p := testTown(f)
	bias := orb.Point{106.16, -6.12}
	f.Fuzz(func(t *testing.T, q string, biased bool) {
		if len(q) > places.MaxQueryBytes {
			q = q[:places.MaxQueryBytes]
		}
		opt := places.Options{Limit: 7}
		if biased {
			opt.Bias = &bias
		}
		rs := p.Search(q, opt)
		if len(rs) > opt.Limit {
			t.Fatalf("%d answers for limit %d", len(rs), opt.Limit)
		}
		for i, r := range rs {
			if r.Score <= 0 || r.Score > 1 || (i > 0 && r.Score > rs[i-1].Score) || r.ID == "" || r.Name == "" {
				t.Fatalf("%q: answer %d: %+v", q, i, r)
			}
		}
		pq := places.ParseQuery(q)
		for _, ws := range [][]string{places.Normalize(q), pq.Words} {
			for _, w := range ws {
				if w == "" || strings.ContainsFunc(w, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.ToLower(r) != r }) {
					t.Fatalf("%q: word %q", q, w)
				}
			}
		}
		if (pq.Left == nil) != (pq.Right == nil) || len(pq.Left)+len(pq.Right) > len(pq.Words) {
			t.Fatalf("%q: crossing sides %q / %q of %q", q, pq.Left, pq.Right, pq.Words)
		}
	})
}

// BenchmarkPlacesHostile: the 200-byte queries a stranger may send, over
// 100,000 names: they cost no more than the typeahead's own.
func BenchmarkPlacesHostile(b *testing.B) {
	x, names, _ := synthetic(100_000)
	p := places.New(places.Config{Extract: x})
	// A word one edit from many names: the commonest word, one letter off.
	common := strings.Fields(strings.ToLower(names[0]))[0] // "jalan"
	for _, tc := range []struct{ name, q string }{
		{"100 one-letter words", strings.TrimSpace(strings.Repeat("a ", 100))},
		{"200 separators", strings.Repeat("&", 200)},
		{"x x x", strings.TrimSpace(strings.Repeat("x ", 100))},
		{"one edit from thousands", common[:len(common)-1] + "q"},
		{"one edit from thousands, twice", strings.TrimSpace(strings.Repeat(common[:len(common)-1]+"q ", 33))},
		{"two letters, repeated", strings.TrimSpace(strings.Repeat("ja ", 66))},
		{"a crossing of common words", "jalan & jalan"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c0 := cpuTime()
			for b.Loop() {
				p.Search(tc.q, places.Options{Limit: 10})
			}
			b.ReportMetric(float64((cpuTime()-c0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}
