package places

import (
	"fmt"
	"slices"

	"siaga112/geo"
)

// crossingSides is how many streets each side of "A & B" may name: the
// best of each side are paired.
const crossingSides = 16

// crossings answers "A & B": a feature per node that a street matching A
// and one matching B share, the better-matched pairs first, then nearer
// the bias. None when no such pair meets.
func (p *Places) crossings(q Query, opt Options) []Result {
	ix := p.static
	if len(ix.streets) == 0 {
		return nil
	}
	left := ix.candidates(q.Left, NoHint, nil, KindStreet, crossingSides)
	right := ix.candidates(q.Right, NoHint, nil, KindStreet, crossingSides)
	type hit struct {
		r    Result
		tier uint8
		dist float64
	}
	var hits []hit
	seen := map[int64]bool{}
	for _, a := range left {
		for _, b := range right {
			if a.feat == b.feat {
				continue
			}
			fa, fb := &ix.feats[a.feat], &ix.feats[b.feat]
			sa, sb := &ix.streets[fa.street], &ix.streets[fb.street]
			for i, j := 0, 0; i < len(sa.nodes) && j < len(sb.nodes); {
				switch {
				case sa.nodes[i] < sb.nodes[j]:
					i++
				case sa.nodes[i] > sb.nodes[j]:
					j++
				default:
					if n := sa.nodes[i]; !seen[n] {
						seen[n] = true
						h := hit{tier: min(a.tier, b.tier), r: Result{
							ID: fmt.Sprintf("osm:intersection/%d", n), Name: fa.names[0] + " & " + fb.names[0],
							Kind: KindIntersection, Source: SourceOSM, Point: sa.pts[i], Score: min(a.score(), b.score()),
						}}
						if opt.Bias != nil {
							h.dist = geo.Distance(*opt.Bias, h.r.Point)
							h.r.DistanceM = h.dist
						}
						hits = append(hits, h)
					}
					i++
					j++
				}
			}
		}
	}
	slices.SortStableFunc(hits, func(x, y hit) int {
		if x.tier != y.tier {
			return int(y.tier) - int(x.tier)
		}
		switch {
		case x.r.Score != y.r.Score:
			if x.r.Score > y.r.Score {
				return -1
			}
			return 1
		case x.dist < y.dist:
			return -1
		case x.dist > y.dist:
			return 1
		}
		return 0
	})
	out := make([]Result, 0, min(len(hits), opt.Limit))
	for _, h := range hits[:min(len(hits), opt.Limit)] {
		out = append(out, h.r)
	}
	return out
}
