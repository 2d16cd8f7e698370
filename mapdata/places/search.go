package places

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// How a query word matched a word of a name.
const (
	matchNone   = 0
	matchTypo   = 1
	matchPrefix = 2
	matchWhole  = 3
	tierExact   = 4
)

// TypoMinLetters: a word this long or longer also matches one edit away.
const TypoMinLetters = 4

// MaxQueryWords bounds the distinct words of a query that are matched; a
// name never has that many, so a longer query finds nothing, quickly.
const MaxQueryWords = 24

// qword is one query word with what it matches in an index.
type qword struct {
	text   string
	whole  int64  // vocabulary id, -1: none
	lo, hi uint32 // prefix range (last word only)
	typo   []uint32
	joined hashList // records with two neighbours spelling text (by hash)
	est    int      // postings to read if this word drives
}

// scratch is one search's working memory, pooled per index size.
type scratch struct {
	gen       uint32
	recSeen   []uint32 // gen when a record was evaluated
	featSeen  []uint32 // gen when a feature got a candidate
	featCand  []int32  // its candidate's position
	cands     []key
	cov       []float32
	typoBuf   []uint32
	qwordsBuf []qword
}

type searchCtx struct {
	ix     *index
	sc     *scratch
	words  []qword
	concat string // the query's words, joined
	hint   Hint
	biased bool
	bias   orb.Point
	cosLat float64
	only   uint8 // a kind to keep (kindCode; 0 all)
	hintK  uint8 // kindCode of the hint (0 none)
}

var scratchPools sync.Map // *index → *sync.Pool

func (ix *index) getScratch() *scratch {
	p, _ := scratchPools.LoadOrStore(ix, &sync.Pool{New: func() any {
		return &scratch{recSeen: make([]uint32, len(ix.recs)), featSeen: make([]uint32, len(ix.feats)), featCand: make([]int32, len(ix.feats))}
	}})
	sc := p.(*sync.Pool).Get().(*scratch)
	sc.gen++
	if sc.gen == 0 { // wrapped: clear the stamps
		clear(sc.recSeen)
		clear(sc.featSeen)
		sc.gen = 1
	}
	sc.cands = sc.cands[:0]
	return sc
}

func (ix *index) putScratch(sc *scratch) {
	if p, ok := scratchPools.Load(ix); ok {
		p.(*sync.Pool).Put(sc)
	}
}

// forget drops an index's pool (an index replaced for good).
func (ix *index) forget() { scratchPools.Delete(ix) }

// candidates ranks the features whose names hold every word of words
// (the last also as a prefix), best first, at most n.
func (ix *index) candidates(words []string, hint Hint, bias *orb.Point, only string, n int) []key {
	if len(words) == 0 || len(ix.recs) == 0 || n <= 0 {
		return nil
	}
	sc := ix.getScratch()
	defer ix.putScratch(sc)
	s := searchCtx{ix: ix, sc: sc, hint: hint, only: kindCode(only), hintK: kindCode(string(hint))}
	if bias != nil {
		s.biased, s.bias, s.cosLat = true, *bias, math.Cos(bias[1]*math.Pi/180)
	}
	s.run(words)
	// Compounds: "lontar baru" finds Lontarbaru; each pair of neighbours
	// joined is tried too (a name's pairs are indexed the other way round).
	if len(words) > 1 && len(words) <= 8 {
		joined := make([]string, 0, len(words)-1)
		for i := 0; i+1 < len(words); i++ {
			joined = append(append(append(joined[:0], words[:i]...), words[i]+words[i+1]), words[i+2:]...)
			s.run(joined)
		}
	}
	return s.top(n)
}

// run evaluates one reading of the query, adding to the candidates.
func (s *searchCtx) run(words []string) {
	ix := s.ix
	s.words = s.sc.qwordsBuf[:0]
	s.sc.typoBuf = s.sc.typoBuf[:0]
	var concat strings.Builder
	for i, w := range words {
		if slices.Contains(words[:i], w) && i != len(words)-1 {
			continue // a repeated word asks nothing more
		}
		if len(s.words) == MaxQueryWords {
			return
		}
		concat.WriteString(w)
		q := qword{text: w, whole: -1}
		if id, ok := ix.wordID(w); ok {
			q.whole = int64(id)
			q.est += len(ix.postings(id))
		}
		if i == len(words)-1 {
			q.lo, q.hi = ix.prefixRange(w)
			q.est = int(ix.postOff[q.hi] - ix.postOff[q.lo])
		}
		if utf8.RuneCountInString(w) >= TypoMinLetters {
			start := len(s.sc.typoBuf)
			s.sc.typoBuf = ix.typos(w, s.sc.typoBuf)
			q.typo = s.sc.typoBuf[start:len(s.sc.typoBuf):len(s.sc.typoBuf)]
			for _, id := range q.typo {
				q.est += len(ix.postings(id))
			}
		}
		q.joined = ix.joined.get(hashString(w))
		q.est += len(q.joined)
		if q.est == 0 {
			s.sc.qwordsBuf = s.words
			return // a word nothing holds: no name has them all
		}
		s.words = append(s.words, q)
	}
	s.sc.qwordsBuf = s.words
	s.concat = concat.String()
	if len(s.words) < len(words) {
		// Repeats removed: the exact rule compares the whole query.
		s.concat = strings.Join(words, "")
	}
	if len(s.words) == 1 && len(s.words[0].joined) == 0 && len(words) == 1 {
		s.single(&s.words[0])
	} else {
		s.generic()
	}
	// A record seen in one reading may do better in the next.
	s.sc.gen++
	if s.sc.gen == 0 {
		clear(s.sc.recSeen)
		s.sc.gen = 1
	}
	s.markFeatures()
}

// single is run for one word that is no compound (the typeahead's first
// letters, a word with a typo): the word of the name that a posting comes
// from is the match, so nothing is scanned.
func (s *searchCtx) single(q *qword) {
	ix := s.ix
	lo, hi := q.lo, q.hi
	if hi == lo && q.whole >= 0 {
		lo, hi = uint32(q.whole), uint32(q.whole)+1
	}
	ids := func(yield func(uint32) bool) {
		for wid := lo; wid < hi; wid++ {
			if !yield(wid) {
				return
			}
		}
		for _, wid := range q.typo {
			if !yield(wid) {
				return
			}
		}
	}
	for wid := range ids {
		tier, part := uint8(matchPrefix), float32(len(q.text))/float32(len(ix.vocab[wid]))
		switch {
		case int64(wid) == q.whole:
			tier, part = matchWhole, 1
		case wid < lo || wid >= hi:
			tier, part = matchTypo, 1
		}
		for _, r := range ix.postings(wid) {
			rec := &ix.recs[r]
			f := &ix.hot[rec.feat]
			if s.only != 0 && f.kind != s.only {
				continue
			}
			t := tier
			if t == matchWhole && rec.nWords == 1 {
				t = tierExact
			}
			fine := part / float32(rec.nWords)
			s.offer(key{tier: t, covB: uint8(fine*4 + 1e-4), fine: fine, prio: f.prio, nWords: rec.nWords, feat: rec.feat, rec: r}, f)
		}
	}
}

// generic drives the reading by its rarest word and evaluates every
// record that word reaches.
func (s *searchCtx) generic() {
	ix := s.ix
	drive := &s.words[0]
	for i := range s.words {
		if s.words[i].est < drive.est {
			drive = &s.words[i]
		}
	}
	visit := func(recs []uint32) {
		for _, r := range recs {
			if s.sc.recSeen[r] == s.sc.gen {
				continue
			}
			s.sc.recSeen[r] = s.sc.gen
			s.evaluate(r)
		}
	}
	if drive.hi > drive.lo {
		visit(ix.post[ix.postOff[drive.lo]:ix.postOff[drive.hi]])
	} else if drive.whole >= 0 {
		visit(ix.postings(uint32(drive.whole)))
	}
	for _, id := range drive.typo {
		visit(ix.postings(id))
	}
	for _, e := range drive.joined {
		visit([]uint32{e.v})
	}
}

// markFeatures keeps the candidates' feature marks valid across the
// generation change that run makes between readings.
func (s *searchCtx) markFeatures() {
	for i := range s.sc.cands {
		s.sc.featSeen[s.sc.cands[i].feat] = s.sc.gen
	}
}

// evaluate matches every query word against record r, and keeps the
// record when all match (at most one by a typo).
func (s *searchCtx) evaluate(r uint32) {
	ix := s.ix
	rec := ix.recs[r]
	f := &ix.hot[rec.feat]
	if s.only != 0 && f.kind != s.only {
		return
	}
	ws := ix.recWords(rec)
	if cap(s.sc.cov) < len(ws) {
		s.sc.cov = make([]float32, len(ws))
	}
	cov := s.sc.cov[:len(ws)]
	clear(cov)
	tier, typos := uint8(matchWhole), 0
	for qi := range s.words {
		q := &s.words[qi]
		best, at, part := matchNone, -1, float32(0)
		for i, wid := range ws {
			c, p := matchNone, float32(1)
			switch {
			case int64(wid) == q.whole:
				c = matchWhole
			case wid >= q.lo && wid < q.hi:
				c, p = matchPrefix, float32(len(q.text))/float32(len(ix.vocab[wid]))
			case slices.Contains(q.typo, wid):
				c = matchTypo
			}
			if c > best || (c == best && p > part) {
				best, at, part = c, i, p
			}
		}
		if best < matchWhole && len(q.joined) > 0 {
			for i := 0; i+1 < len(ws); i++ {
				a, b := ix.vocab[ws[i]], ix.vocab[ws[i+1]]
				if len(a)+len(b) == len(q.text) && strings.HasPrefix(q.text, a) && strings.HasSuffix(q.text, b) {
					best, at, part = matchWhole, i, 1
					cov[i+1] = 1
					break
				}
			}
		}
		switch best {
		case matchNone:
			return
		case matchTypo:
			if typos++; typos > 1 {
				return
			}
		}
		tier = min(tier, uint8(best))
		cov[at] = max(cov[at], part)
	}
	var covered float32
	for _, c := range cov {
		covered += c
	}
	fine := covered / float32(len(ws))
	if tier == matchWhole && s.isExact(ws, rec) {
		tier = tierExact
	}
	s.offer(key{tier: tier, covB: uint8(fine*4 + 1e-4), fine: fine, prio: f.prio, nWords: rec.nWords, feat: rec.feat, rec: r}, f)
}

// offer adds k, a candidate record of feature f, keeping each feature's
// best.
func (s *searchCtx) offer(k key, f *hot) {
	ix, r, rec := s.ix, k.rec, s.ix.recs[k.rec]
	if s.hintK != 0 && f.kind == s.hintK {
		k.hint = 1
	}
	if s.biased {
		k.dist = s.boundDistance(f.bound)
	}
	if s.sc.featSeen[rec.feat] == s.sc.gen {
		// The best name ranks; "matched" names an alias only when the
		// name itself does not match as well.
		c := &s.sc.cands[s.sc.featCand[rec.feat]]
		top, bestRec := max(c.tier, k.tier), c.rec
		if better(&k, c, s.biased) {
			bestRec = k.rec
		}
		switch {
		case ix.recs[r].variant == 0 && k.tier >= top:
			bestRec = r
		case ix.recs[c.rec].variant == 0 && c.tier >= top:
			bestRec = c.rec
		}
		if better(&k, c, s.biased) {
			*c = k
		}
		c.rec = bestRec
		return
	}
	s.sc.featSeen[rec.feat] = s.sc.gen
	s.sc.featCand[rec.feat] = int32(len(s.sc.cands))
	s.sc.cands = append(s.sc.cands, k)
}

// isExact: the query spells the whole name (spaces aside, so a compound
// written apart is exact too).
func (s *searchCtx) isExact(ws []uint32, rec record) bool {
	if int(rec.chars) != len(s.concat) {
		return false
	}
	rest := s.concat
	for _, wid := range ws {
		w := s.ix.vocab[wid]
		if !strings.HasPrefix(rest, w) {
			return false
		}
		rest = rest[len(w):]
	}
	return true
}

// boundDistance ranks by distance from the bias to b: the square of a
// planar estimate in degrees, longitude scaled by the cosine of the bias's
// latitude (within a fraction of a percent over a city). It only ranks:
// answers carry great-circle metres.
func (s *searchCtx) boundDistance(b orb.Bound) float64 {
	dx := max(b.Min[0]-s.bias[0], 0, s.bias[0]-b.Max[0]) * s.cosLat
	dy := max(b.Min[1]-s.bias[1], 0, s.bias[1]-b.Max[1])
	return dx*dx + dy*dy
}

// metresPerDegree of latitude on the sphere of geo.Distance.
const metresPerDegree = math.Pi * orb.EarthRadius / 180
