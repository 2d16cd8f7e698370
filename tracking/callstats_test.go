package tracking

import (
	"testing"
	"time"
)

func TestSummarizeCalls(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	// Monday 2026-11-23 09:30 WIB, twice; Sunday 2026-11-29 23:10 WIB once.
	mon := time.Date(2026, 11, 23, 9, 30, 0, 0, wib)
	sun := time.Date(2026, 11, 29, 23, 10, 0, 0, wib)
	calls := []Call{
		{At: mon.UTC(), Number: "0811", Outcome: CallPrank},
		{At: mon.UTC(), Number: "0811", Outcome: CallGhost},
		{At: sun.UTC(), Number: "0822", Outcome: CallEmergency},
		{At: sun.UTC(), Number: "0811", Outcome: CallEmergency},
	}
	st := SummarizeCalls(calls, wib)
	if st.Total != 4 || st.ByHourOfWeek[0][9] != 2 || st.ByHourOfWeek[6][23] != 2 {
		t.Fatalf("by hour of week: mon 9h %d, sun 23h %d", st.ByHourOfWeek[0][9], st.ByHourOfWeek[6][23])
	}
	shares := map[CallOutcome]float64{}
	for _, o := range st.Outcomes {
		shares[o.Outcome] = o.Share
	}
	if len(st.Outcomes) != 5 || shares[CallEmergency] != 0.5 || shares[CallPrank] != 0.25 || shares[CallDuplicate] != 0 {
		t.Fatalf("outcomes %+v", st.Outcomes)
	}
	if st.DistinctNumbers != 2 || st.RepeatCallersTotal != 1 || st.RepeatCallers[0] != (RepeatCaller{Number: "0811", Calls: 3, Regulated: 2}) {
		t.Fatalf("repeat callers %+v", st.RepeatCallers)
	}
}

// BenchmarkSummarizeCalls: a month of the centre's calls (~30,000).
func BenchmarkSummarizeCalls(b *testing.B) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	calls := make([]Call, 30000)
	for i := range calls {
		calls[i] = Call{At: t0.Add(time.Duration(i) * 86 * time.Second), Number: "08" + string(rune('0'+i%10)) + string(rune('0'+i/10%10)), Outcome: CallOutcomes[i%5]}
	}
	wib := time.FixedZone("WIB", 7*3600)
	b.ReportAllocs()
	for b.Loop() {
		SummarizeCalls(calls, wib)
	}
}
