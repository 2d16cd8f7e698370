package coverage

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Despike removes spikes from mp's rings: a vertex whose two neighbours lie
// within spikeM metres of each other is the tip of an edge that goes out
// and comes straight back, a zero-width artefact of digitising that the
// overlays cannot node reliably. The tip and its second neighbour go, until
// no spike is left (removing one can expose another). BIG's Kota Serang
// layer has one: a 340 m spike 5 mm wide on Banjarsari's ring.
//
// A ring left with fewer than 4 positions is dropped, and a polygon whose
// exterior is dropped goes with it. The result is not validated here.
// Despike also says how many spikes it removed.
func Despike(mp orb.MultiPolygon, spikeM float64, pl Plane) (orb.MultiPolygon, int) {
	var out orb.MultiPolygon
	spikes := 0
	for _, poly := range mp {
		var np orb.Polygon
		for ri, r := range poly {
			r = despike(r, spikeM, pl, &spikes)
			if r == nil {
				if ri == 0 {
					break
				}
				continue
			}
			np = append(np, r)
		}
		if len(np) > 0 {
			out = append(out, np)
		}
	}
	return out, spikes
}

func despike(r orb.Ring, spikeM float64, pl Plane, spikes *int) orb.Ring {
	if len(r) < 4 {
		return nil
	}
	open := append(orb.Ring{}, r[:len(r)-1]...) // the closing position is no special case
	near := func(a, b orb.Point) bool { return planar.Distance(pl.metres(a), pl.metres(b)) <= spikeM }
	for again := true; again && len(open) >= 3; {
		again = false
		n := len(open)
		for i := range n {
			prev, next := open[(i+n-1)%n], open[(i+1)%n]
			switch {
			case open[i] == next: // a repeated position
				open = slices.Delete(open, i, i+1)
			case near(prev, next): // a spike: drop its tip and its second base
				open = slices.Delete(open, i, i+1)
				j := i % len(open)
				open = slices.Delete(open, j, j+1)
				*spikes++
			default:
				continue
			}
			again = true
			break
		}
	}
	if len(open) < 3 {
		return nil
	}
	return append(open, open[0])
}
