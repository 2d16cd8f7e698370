package places

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
)

// key orders candidates: every field but dist and fine is also in the score.
type key struct {
	tier, hint, covB uint8
	prio             uint8
	dist             float64 // metres to the feature's bound (with a bias), planar estimate
	fine             float32 // coverage, unquantised
	nWords           uint16
	feat             uint32
	rec              uint32
}

// better is the ranking: tier, the hinted kind, coverage (quarters), the
// bias's distance, then a stable order.
func better(a, b *key, biased bool) bool {
	if a.tier != b.tier {
		return a.tier > b.tier
	}
	if a.hint != b.hint {
		return a.hint > b.hint
	}
	if a.covB != b.covB {
		return a.covB > b.covB
	}
	if biased && a.dist != b.dist {
		return a.dist < b.dist
	}
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	if a.fine != b.fine {
		return a.fine > b.fine
	}
	if a.nWords != b.nWords {
		return a.nWords < b.nWords
	}
	return a.feat < b.feat
}

// score maps the leading keys to (0, 1]: 1 only for an exact name, and
// non-increasing along the ranking.
func (k key) score() float64 {
	if k.tier == tierExact {
		return 1
	}
	base := [...]float64{matchTypo: 0.1, matchPrefix: 0.35, matchWhole: 0.6}[k.tier]
	s := base + 0.1*float64(k.hint) + 0.0375*float64(k.covB)
	return math.Round(s*1000) / 1000
}

// keyHeap is a min-heap by rank: the worst kept candidate on top.
type keyHeap struct {
	ks     []key
	biased bool
}

func (h *keyHeap) Len() int           { return len(h.ks) }
func (h *keyHeap) Less(i, j int) bool { return better(&h.ks[j], &h.ks[i], h.biased) }
func (h *keyHeap) Swap(i, j int)      { h.ks[i], h.ks[j] = h.ks[j], h.ks[i] }
func (h *keyHeap) Push(x any)         { h.ks = append(h.ks, x.(key)) }
func (h *keyHeap) Pop() any           { k := h.ks[len(h.ks)-1]; h.ks = h.ks[:len(h.ks)-1]; return k }

// top returns the best n candidates, best first.
func (s *searchCtx) top(n int) []key {
	h := &keyHeap{ks: make([]key, 0, n+1), biased: s.biased}
	for i := range s.sc.cands {
		c := &s.sc.cands[i]
		if len(h.ks) < n {
			heap.Push(h, *c)
		} else if better(c, &h.ks[0], s.biased) {
			h.ks[0] = *c
			heap.Fix(h, 0)
		}
	}
	out := h.ks
	slices.SortFunc(out, func(a, b key) int {
		if better(&a, &b, s.biased) {
			return -1
		}
		if better(&b, &a, s.biased) {
			return 1
		}
		return cmp.Compare(a.rec, b.rec)
	})
	return out
}
