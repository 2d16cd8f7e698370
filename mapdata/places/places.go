package places

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/mapdata"
)

// Order among otherwise equal answers: the centre's own names, then the
// areas (a kelurahan's point is nearer the caller than its kecamatan's),
// then streets and POIs.
const (
	prioPlacebook uint8 = iota
	prioKelurahan
	prioKecamatan
	prioStreet
	prioPOI
)

// Config is what an index is built from.
type Config struct {
	Gazetteer *mapdata.Gazetteer // default: mapdata.Serang()
	Extract   *Extract           // nil: no streets or POIs
	// Bound keeps only what lies inside it (the city's box widened by
	// 5 km); empty: everything.
	Bound orb.Bound
}

// BookEntry is one entry of the centre's place book, as search sees it.
type BookEntry struct {
	ID, Name, Kind string
	Aliases        []string
	Point          orb.Point
}

// Places answers searches and reverse look-ups. Safe for concurrent use;
// the book is replaced whole by SetBook while searches go on.
type Places struct {
	static *index
	osm    bool
	rev    *reverseIndex
	book   atomic.Pointer[bookIndex]
	bookMu sync.Mutex // serialises SetBook
}

type bookIndex struct {
	ix  *index
	rev *reverseIndex
}

// New builds the index. With an extract of a city this is the server's
// start-up cost (see BenchmarkPlacesBuild).
func New(cfg Config) *Places {
	g := cfg.Gazetteer
	if g == nil {
		g = mapdata.Serang()
	}
	var fs []named
	areaNames := map[string]bool{}
	for _, list := range [][]mapdata.Area{g.Kelurahan, g.Kecamatan} {
		for _, a := range list {
			kind, prio := KindKelurahan, prioKelurahan
			if a.KecamatanCode == "" {
				kind, prio = KindKecamatan, prioKecamatan
			}
			ws := Normalize(a.Name)
			areaNames[strings.Join(ws, " ")] = true
			fs = append(fs, named{feature: feature{id: "gazetteer:" + a.Code, kind: kind, source: SourceGazetteer, names: []string{a.Name},
				point: a.Point, bound: a.Point.Bound(), street: -1, prio: prio}, words: [][]string{ws}})
		}
	}
	p := &Places{}
	var streets []street
	if cfg.Extract != nil {
		var osm []named
		osm, streets = osmFeatures(cfg.Extract, cfg.Bound, areaNames)
		fs = append(fs, osm...)
		p.osm = true
	}
	p.static = build(fs, streets)
	p.rev = newReverseIndex(p.static)
	p.book.Store(&bookIndex{ix: build(nil, nil), rev: newReverseIndex(nil)})
	return p
}

// HasExtract says whether streets and POIs were loaded.
func (p *Places) HasExtract() bool { return p.osm }

// Stats describes the index (for the start-up log and the benchmarks).
type Stats struct{ Features, Names, Words, Streets int }

// Stats counts what the static index holds.
func (p *Places) Stats() Stats {
	return Stats{Features: len(p.static.feats), Names: len(p.static.recs), Words: len(p.static.vocab), Streets: len(p.static.streets)}
}

// SetBook replaces the place book: search and reverse see the new entries
// as soon as it returns.
func (p *Places) SetBook(entries []BookEntry) {
	p.bookMu.Lock()
	defer p.bookMu.Unlock()
	fs := make([]named, 0, len(entries))
	for _, e := range entries {
		ns := []string{cleanName(e.Name)}
		for _, a := range e.Aliases {
			if a = cleanName(a); a != "" && !slices.Contains(ns, a) {
				ns = append(ns, a)
			}
		}
		f := named{feature: feature{id: "placebook:" + e.ID, kind: e.Kind, source: SourcePlacebook, names: ns, point: e.Point,
			bound: e.Point.Bound(), street: -1, prio: prioPlacebook}}
		for _, n := range ns {
			f.words = append(f.words, Normalize(n))
		}
		fs = append(fs, f)
	}
	ix := build(fs, nil)
	old := p.book.Swap(&bookIndex{ix: ix, rev: newReverseIndex(ix)})
	old.ix.forget()
}

// Result is one answer of Search.
type Result struct {
	ID       string
	Name     string
	Matched  string // the alias that matched; "" when the name did
	Kind     string
	Source   string
	Category string // a POI's
	Point    orb.Point
	Score    float64
	// DistanceM: great-circle metres from the bias to Point (with a bias).
	DistanceM float64
}

// Options of a search.
type Options struct {
	Limit int        // default 10
	Bias  *orb.Point // rank nearer first among equals; a street's point is its nearest to it
}

// MaxQueryBytes is the longest query searched; longer ones are cut (the
// web layer refuses them before).
const MaxQueryBytes = 200

// Search finds what q names, best first. Any string is accepted; one that
// names nothing finds nothing.
func (p *Places) Search(q string, opt Options) []Result {
	if len(q) > MaxQueryBytes {
		q = q[:MaxQueryBytes]
	}
	if opt.Limit <= 0 {
		opt.Limit = 10
	}
	pq := ParseQuery(q)
	var out []Result
	if pq.Left != nil {
		out = p.crossings(pq, opt)
	}
	if len(out) < opt.Limit {
		out = append(out, p.plain(pq, opt, opt.Limit-len(out))...)
	}
	// An answer after a crossing never scores above it.
	for i := 1; i < len(out); i++ {
		out[i].Score = min(out[i].Score, out[i-1].Score)
	}
	return out
}

// plain searches the static index and the book, merging by rank.
func (p *Places) plain(q Query, opt Options, n int) []Result {
	book := p.book.Load()
	// With a bias, more are ranked by their bounds than are answered: the
	// exact distances of the best then settle the order.
	want := n
	if opt.Bias != nil {
		want = n * 4
	}
	a := p.static.candidates(q.Words, q.Hint, opt.Bias, "", want)
	b := book.ix.candidates(q.Words, q.Hint, opt.Bias, "", want)
	type hit struct {
		k  key
		ix *index
		r  Result
	}
	hits := make([]hit, 0, len(a)+len(b))
	for _, k := range a {
		hits = append(hits, hit{k: k, ix: p.static})
	}
	for _, k := range b {
		hits = append(hits, hit{k: k, ix: book.ix})
	}
	for i := range hits {
		h := &hits[i]
		h.r = h.ix.result(h.k, opt.Bias)
		if opt.Bias != nil {
			h.k.dist = h.r.DistanceM
		}
	}
	biased := opt.Bias != nil
	slices.SortStableFunc(hits, func(x, y hit) int {
		if better(&x.k, &y.k, biased) {
			return -1
		}
		if better(&y.k, &x.k, biased) {
			return 1
		}
		return 0
	})
	out := make([]Result, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, h.r)
	}
	return out
}

// result turns a ranked candidate into an answer.
func (ix *index) result(k key, bias *orb.Point) Result {
	f := &ix.feats[k.feat]
	r := Result{ID: f.id, Name: f.names[0], Kind: f.kind, Source: f.source, Category: f.category, Point: f.point, Score: k.score()}
	if v := ix.recs[k.rec].variant; v > 0 {
		r.Matched = f.names[v]
	}
	if bias != nil {
		r.Point, r.DistanceM = ix.pointFor(f, *bias)
	}
	return r
}

// pointFor is where an incident goes for f, seen from bias: a street's
// point nearest the bias, anything else its point.
func (ix *index) pointFor(f *feature, bias orb.Point) (orb.Point, float64) {
	if f.street >= 0 {
		return nearestOnLines(bias, ix.streets[f.street].lines)
	}
	return f.point, geo.Distance(bias, f.point)
}

// RoundMetres rounds a distance for an answer.
func RoundMetres(d float64) int { return int(math.Round(d)) }

func (r Result) String() string {
	return fmt.Sprintf("%s %q (%s %s) %.3f", r.ID, r.Name, r.Source, r.Kind, r.Score)
}

// Widen pads b by m metres on every side.
func Widen(b orb.Bound, m float64) orb.Bound {
	dLat := m / metresPerDegree
	dLon := dLat / math.Max(math.Cos(math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))*math.Pi/180), 0.01)
	return orb.Bound{Min: orb.Point{b.Min[0] - dLon, b.Min[1] - dLat}, Max: orb.Point{b.Max[0] + dLon, b.Max[1] + dLat}}
}
