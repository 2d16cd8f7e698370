package places

import (
	"cmp"
	"hash/maphash"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Kinds and sources of what search answers.
const (
	KindKelurahan    = "kelurahan"
	KindKecamatan    = "kecamatan"
	KindStreet       = "street"
	KindPOI          = "poi"
	KindIntersection = "intersection"

	SourceGazetteer = "gazetteer"
	SourceOSM       = "osm"
	SourcePlacebook = "placebook"
)

// feature is one findable thing: an area, a street, a POI, a book entry.
type feature struct {
	id, kind, source, category string
	names                      []string  // as shown: [0] the canonical name, then aliases
	point                      orb.Point // where an incident goes without a bias
	bound                      orb.Bound // of its geometry: the bias ranks by distance to it
	street                     int32     // index into index.streets; -1 for others
	prio                       uint8     // order among otherwise equal answers
}

// hot is what ranking reads of a feature, kept apart so that a search
// over many candidates stays in cache.
type hot struct {
	bound orb.Bound
	kind  uint8 // kindCode
	prio  uint8
}

// kindCode numbers the kinds a hint or a filter names (0: the rest).
func kindCode(kind string) uint8 {
	switch kind {
	case KindKelurahan:
		return 1
	case KindKecamatan:
		return 2
	case KindStreet:
		return 3
	}
	return 0
}

// record is one name of a feature as words (vocabulary ids).
type record struct {
	feat    uint32
	variant uint16 // index into the feature's names
	nWords  uint16
	wOff    uint32 // into index.words
	chars   uint32 // letters in all words (the exact rule compares spellings)
}

// index is an immutable searchable set of features: a vocabulary sorted for
// prefix ranges, postings from words to records (CSR), adjacent word pairs
// for compounds, and deletion neighbourhoods for one typo.
type index struct {
	feats   []feature
	hot     []hot // what ranking reads of each feature, packed
	recs    []record
	words   []uint32 // records' words, in order
	vocab   []string // sorted
	postOff []uint32 // vocabulary id → postings[postOff[id]:postOff[id+1]]
	post    []uint32 // record ids
	// joined: hash of "lontarbaru" → records holding "lontar", "baru"
	// side by side (a hash may collide: evaluate checks the spelling).
	joined hashList
	// dels: hash of a word with one letter deleted → vocabulary ids of the
	// words it came from (words of 3+ letters; typos checks them).
	dels    hashList
	streets []street
}

// hashList maps hashes to values: sorted pairs, one allocation, searched
// by bisection (a map of slices costs a second at 100,000 names).
type hashList []hashed

type hashed struct {
	h uint64
	v uint32
}

func (l hashList) sort() hashList {
	slices.SortFunc(l, func(a, b hashed) int {
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return cmp.Compare(a.v, b.v)
	})
	return slices.Compact(l)
}

// get is the pairs of hash h.
func (l hashList) get(h uint64) hashList {
	i, _ := slices.BinarySearchFunc(l, h, func(e hashed, h uint64) int { return cmp.Compare(e.h, h) })
	j := i
	for j < len(l) && l[j].h == h {
		j++
	}
	return l[i:j]
}

var seed = maphash.MakeSeed()

func hashString(s string) uint64 { return maphash.String(seed, s) }

// hashPair is hashString(a + b) without building the string.
func hashPair(a, b string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(a)
	h.WriteString(b)
	return h.Sum64()
}

// named is a feature with its names, before indexing.
type named struct {
	feature
	words [][]string // Normalize of each name
}

// build indexes fs. Names that normalise to nothing are not findable.
func build(fs []named, streets []street) *index {
	ix := &index{streets: streets}
	ix.feats = make([]feature, len(fs))
	ix.hot = make([]hot, len(fs))
	seen := map[string]struct{}{}
	for _, f := range fs {
		for _, ws := range f.words {
			for _, w := range ws {
				seen[w] = struct{}{}
			}
		}
	}
	ix.vocab = make([]string, 0, len(seen))
	for w := range seen {
		ix.vocab = append(ix.vocab, w)
	}
	sort.Strings(ix.vocab)
	id := make(map[string]uint32, len(ix.vocab))
	for i, w := range ix.vocab {
		id[w] = uint32(i)
	}
	counts := make([]uint32, len(ix.vocab)+1)
	for fi, f := range fs {
		ix.feats[fi] = f.feature
		ix.hot[fi] = hot{bound: f.bound, kind: kindCode(f.kind), prio: f.prio}
		for v, ws := range f.words {
			if len(ws) == 0 || v > 0xffff {
				continue
			}
			r := record{feat: uint32(fi), variant: uint16(v), nWords: uint16(min(len(ws), 0xffff)), wOff: uint32(len(ix.words))}
			rid := uint32(len(ix.recs))
			for i, w := range ws[:r.nWords] {
				wid := id[w]
				if !slices.Contains(ix.words[r.wOff:], wid) {
					counts[wid]++
				}
				ix.words = append(ix.words, wid)
				r.chars += uint32(len(w))
				if i > 0 {
					ix.joined = append(ix.joined, hashed{hashPair(ws[i-1], w), rid})
				}
			}
			ix.recs = append(ix.recs, r)
		}
	}
	ix.postOff = make([]uint32, len(ix.vocab)+1)
	for i := range ix.vocab {
		ix.postOff[i+1] = ix.postOff[i] + counts[i]
	}
	ix.post = make([]uint32, ix.postOff[len(ix.vocab)])
	fill := slices.Clone(ix.postOff[:len(ix.vocab)])
	for rid, r := range ix.recs {
		ws := ix.words[r.wOff : r.wOff+uint32(r.nWords)]
		for i, wid := range ws {
			if slices.Contains(ws[:i], wid) {
				continue
			}
			ix.post[fill[wid]] = uint32(rid)
			fill[wid]++
		}
	}
	for i, w := range ix.vocab {
		if utf8.RuneCountInString(w) < 3 {
			continue
		}
		forDeletions(w, func(d string) { ix.dels = append(ix.dels, hashed{hashString(d), uint32(i)}) })
	}
	ix.joined, ix.dels = ix.joined.sort(), ix.dels.sort()
	return ix
}

// forDeletions calls f with w less each one of its letters.
func forDeletions(w string, f func(string)) {
	var buf [256]byte
	for i, r := range w {
		n := utf8.RuneLen(r)
		if r == utf8.RuneError {
			n = 1
		}
		if len(w)-n > len(buf) {
			f(w[:i] + w[i+n:])
			continue
		}
		b := append(append(buf[:0], w[:i]...), w[i+n:]...)
		f(string(b))
	}
}

// wordID finds w in the vocabulary.
func (ix *index) wordID(w string) (uint32, bool) {
	i, ok := slices.BinarySearch(ix.vocab, w)
	return uint32(i), ok
}

// prefixRange is the vocabulary ids of the words starting with p.
func (ix *index) prefixRange(p string) (lo, hi uint32) {
	l, _ := slices.BinarySearch(ix.vocab, p)
	h := l + sort.Search(len(ix.vocab)-l, func(i int) bool { return !strings.HasPrefix(ix.vocab[l+i], p) })
	return uint32(l), uint32(h)
}

// typos are the vocabulary words one edit (insert, delete, substitute,
// swap of neighbours) from w, w itself excluded.
func (ix *index) typos(w string, dst []uint32) []uint32 {
	start := len(dst)
	add := func(id uint32) {
		if !slices.Contains(dst[start:], id) && oneEdit(w, ix.vocab[id]) {
			dst = append(dst, id)
		}
	}
	for _, e := range ix.dels.get(hashString(w)) {
		add(e.v) // w with one letter more
	}
	forDeletions(w, func(d string) {
		if id, ok := ix.wordID(d); ok {
			add(id) // w with one letter less
		}
		for _, e := range ix.dels.get(hashString(d)) {
			add(e.v) // one letter changed or two swapped
		}
	})
	return dst
}

// oneEdit reports whether a and b are exactly one edit apart (optimal
// string alignment: insert, delete, substitute, or swap two neighbours).
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	switch len(rb) - len(ra) {
	case 0:
		i := 0
		for i < len(ra) && ra[i] == rb[i] {
			i++
		}
		if string(ra[i+1:]) == string(rb[i+1:]) {
			return true // substitution
		}
		return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
	case 1:
		i := 0
		for i < len(ra) && ra[i] == rb[i] {
			i++
		}
		return string(ra[i:]) == string(rb[i+1:])
	}
	return false
}

// postings of a vocabulary id.
func (ix *index) postings(id uint32) []uint32 { return ix.post[ix.postOff[id]:ix.postOff[id+1]] }

// recWords are a record's words.
func (ix *index) recWords(r record) []uint32 { return ix.words[r.wOff : r.wOff+uint32(r.nWords)] }
