package tracking

import (
	"cmp"
	"slices"
	"time"
)

// CallStats sums up a window of the call log for planners.
type CallStats struct {
	Total int `json:"total"`
	// ByHourOfWeek[d][h]: calls on weekday d (0 = Monday) at hour h, in
	// the zone given (WIB for Serang).
	ByHourOfWeek [7][24]int `json:"by_hour_of_week"`
	// Outcomes: count and share (0..1) of each outcome, every outcome listed.
	Outcomes []OutcomeShare `json:"outcomes"`
	// Repeat callers: numbers with more than one call in the window, most
	// calls first (at most MaxRepeatCallers), and how many there were.
	RepeatCallers      []RepeatCaller `json:"repeat_callers"`
	RepeatCallersTotal int            `json:"repeat_callers_total"`
	DistinctNumbers    int            `json:"distinct_numbers"`
}

// OutcomeShare is one outcome's part of the calls.
type OutcomeShare struct {
	Outcome CallOutcome `json:"outcome"`
	Count   int         `json:"count"`
	Share   float64     `json:"share"`
}

// RepeatCaller is a number that called more than once.
type RepeatCaller struct {
	Number    string `json:"number"`
	Calls     int    `json:"calls"`
	Regulated int    `json:"regulated"` // of them prank or ghost
}

// MaxRepeatCallers bounds the repeat callers listed.
const MaxRepeatCallers = 50

// SummarizeCalls computes the statistics of calls, hours read in loc.
func SummarizeCalls(calls []Call, loc *time.Location) CallStats {
	st := CallStats{Total: len(calls), RepeatCallers: []RepeatCaller{}}
	byOutcome := map[CallOutcome]int{}
	byNumber := map[string]*RepeatCaller{}
	for _, c := range calls {
		t := c.At.In(loc)
		d := (int(t.Weekday()) + 6) % 7
		st.ByHourOfWeek[d][t.Hour()]++
		byOutcome[c.Outcome]++
		rc, ok := byNumber[c.Number]
		if !ok {
			rc = &RepeatCaller{Number: c.Number}
			byNumber[c.Number] = rc
		}
		rc.Calls++
		if c.Outcome.Regulated() {
			rc.Regulated++
		}
	}
	for _, o := range CallOutcomes {
		share := 0.0
		if st.Total > 0 {
			share = float64(byOutcome[o]) / float64(st.Total)
		}
		st.Outcomes = append(st.Outcomes, OutcomeShare{Outcome: o, Count: byOutcome[o], Share: share})
	}
	st.DistinctNumbers = len(byNumber)
	for _, rc := range byNumber {
		if rc.Calls > 1 {
			st.RepeatCallers = append(st.RepeatCallers, *rc)
		}
	}
	st.RepeatCallersTotal = len(st.RepeatCallers)
	slices.SortFunc(st.RepeatCallers, func(a, b RepeatCaller) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Number, b.Number))
	})
	if len(st.RepeatCallers) > MaxRepeatCallers {
		st.RepeatCallers = st.RepeatCallers[:MaxRepeatCallers]
	}
	return st
}
