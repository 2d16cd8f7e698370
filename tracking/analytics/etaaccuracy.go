package analytics

import (
	"cmp"
	"math"
	"slices"

	"siaga112/tracking"
)

// ETAAccuracy is how well the ETAs given at dispatch matched the trips of
// one unit type by one ETA model. The error is actual − estimate: positive
// when the unit took longer than promised. Percentiles are nearest-rank,
// nil without a trip; percentages are of the actual trip time, over the
// trips that took some time (a unit already there at dispatch has none).
type ETAAccuracy struct {
	Type     tracking.UnitType `json:"type"`
	EtaModel string            `json:"eta_model"`
	// Count: trips with an arrival fix; WithoutFix: assignments left out
	// because the history holds no fix of the unit within the radius
	// between dispatch and clearing.
	Count      int `json:"count"`
	WithoutFix int `json:"without_fix"`

	ErrorP50S      *float64 `json:"error_p50_s"`
	ErrorP90S      *float64 `json:"error_p90_s"`
	ErrorP50Pct    *float64 `json:"error_p50_pct"`
	ErrorP90Pct    *float64 `json:"error_p90_pct"`
	AbsErrorP50S   *float64 `json:"abs_error_p50_s"`
	AbsErrorP90S   *float64 `json:"abs_error_p90_s"`
	AbsErrorP50Pct *float64 `json:"abs_error_p50_pct"`
	AbsErrorP90Pct *float64 `json:"abs_error_p90_pct"`
}

// SummarizeETAs groups trips by unit type (in tracking.UnitTypes order)
// and ETA model.
func SummarizeETAs(trips []tracking.ETATrip) []ETAAccuracy {
	type key struct {
		typ   tracking.UnitType
		model string
	}
	type samples struct {
		errS, errPct, absS, absPct []float64
		without                    int
	}
	groups := map[key]*samples{}
	for _, t := range trips {
		k := key{t.UnitType, t.EtaModel}
		g := groups[k]
		if g == nil {
			g = &samples{}
			groups[k] = g
		}
		if t.ArrivedAt == nil {
			g.without++
			continue
		}
		actual := t.ArrivedAt.Sub(t.DispatchedAt).Seconds()
		e := actual - t.ETASeconds
		g.errS, g.absS = append(g.errS, e), append(g.absS, math.Abs(e))
		if actual > 0 {
			pct := 100 * e / actual
			g.errPct, g.absPct = append(g.errPct, pct), append(g.absPct, math.Abs(pct))
		}
	}
	out := make([]ETAAccuracy, 0, len(groups))
	for k, g := range groups {
		a := ETAAccuracy{Type: k.typ, EtaModel: k.model, Count: len(g.errS), WithoutFix: g.without}
		a.ErrorP50S, a.ErrorP90S = percentiles(g.errS)
		a.ErrorP50Pct, a.ErrorP90Pct = percentiles(g.errPct)
		a.AbsErrorP50S, a.AbsErrorP90S = percentiles(g.absS)
		a.AbsErrorP50Pct, a.AbsErrorP90Pct = percentiles(g.absPct)
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b ETAAccuracy) int {
		return cmp.Or(cmp.Compare(typeRank(a.Type), typeRank(b.Type)), cmp.Compare(a.Type, b.Type), cmp.Compare(a.EtaModel, b.EtaModel))
	})
	return out
}

func typeRank(t tracking.UnitType) int {
	if i := slices.Index(tracking.UnitTypes, t); i >= 0 {
		return i
	}
	return len(tracking.UnitTypes)
}

// percentiles are the p50 and p90 of vs (sorted in place), rounded to 0.1;
// nil for none.
func percentiles(vs []float64) (p50, p90 *float64) {
	if len(vs) == 0 {
		return nil, nil
	}
	slices.Sort(vs)
	r := func(v float64) *float64 { v = math.Round(v*10) / 10; return &v }
	return r(Percentile(vs, 50)), r(Percentile(vs, 90))
}
