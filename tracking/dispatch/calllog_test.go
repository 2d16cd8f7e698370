package dispatch

import (
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/memstore"
)

// Prank and ghost calls count together: the 6th regulated call in the
// window blocks the number for 24 h, the 11th proposes it to the ministry.
// Other outcomes never count. Every call is in the log.
func TestPrankAndGhostCallsTogetherBlockAt6AndProposeAt11(t *testing.T) {
	r := newRig(t, Config{PrankWindow: 30 * 24 * time.Hour})
	const number = "0812-7777-0001"
	outcomes := []tracking.CallOutcome{
		tracking.CallPrank, tracking.CallGhost, tracking.CallInformation, tracking.CallGhost, tracking.CallPrank,
		tracking.CallDuplicate, tracking.CallGhost, // 5 regulated: not yet
		tracking.CallPrank,                                                                                       // 6th: blocked
		tracking.CallGhost, tracking.CallPrank, tracking.CallInformation, tracking.CallGhost, tracking.CallGhost, // 7 to 10: blocked, not proposed
		tracking.CallPrank, // 11th: proposed
	}
	regulated := 0
	for i, o := range outcomes {
		r.clk.Add(time.Minute)
		got, err := r.svc.RecordCall(r.ctx, NewCall{Number: number, Outcome: o, Note: "panggilan"}, "op1")
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if got.Call.Number != "081277770001" || got.Call.Outcome != o || got.Call.By != "op1" {
			t.Fatalf("call %d logged as %+v", i, got.Call)
		}
		if !o.Regulated() {
			if got.Caller != nil {
				t.Fatalf("call %d (%s) touched the caller's record", i, o)
			}
			continue
		}
		regulated++
		v := got.Caller
		if v.PrankCalls != regulated {
			t.Fatalf("call %d: %d regulated calls counted, want %d", i, v.PrankCalls, regulated)
		}
		if blocked := v.BlockedUntil != nil; blocked != (regulated >= 6) {
			t.Fatalf("regulated call %d: blocked %v", regulated, blocked)
		}
		if v.BlockedUntil != nil && !v.BlockedUntil.Equal(r.clk.Now().Add(BlockFor)) {
			t.Fatalf("blocked until %v, want 24 h after the call", v.BlockedUntil)
		}
		if v.ProposedPermanentBlock != (regulated >= 11) {
			t.Fatalf("regulated call %d: proposed %v", regulated, v.ProposedPermanentBlock)
		}
	}
	if len(r.svc.Callers(true)) != 1 {
		t.Fatal("the number is not on the ministry list")
	}
	// A blocked number's incident is refused.
	if _, _, err := r.svc.CreateIncident(r.ctx, NewIncident{Category: "medical", Lat: -6.12, Lon: 106.15, Caller: number, Description: "x"}, "op1"); tracking.CodeOf(err) != tracking.CodeForbidden {
		t.Fatalf("incident from a blocked number: %v", err)
	}
	calls, err := r.svc.cfg.Store.(*memstore.Store).Calls(r.ctx, tracking.CallQuery{Number: "081277770001"})
	if err != nil || len(calls) != len(outcomes) {
		t.Fatalf("%d calls logged (%v), want %d", len(calls), err, len(outcomes))
	}
}

// Outside the window, old regulated calls no longer count.
func TestRegulatedCallsOutsideTheWindowDoNotCount(t *testing.T) {
	r := newRig(t, Config{PrankWindow: 24 * time.Hour})
	for range 5 {
		if _, err := r.svc.RecordCall(r.ctx, NewCall{Number: "081200000002", Outcome: tracking.CallGhost}, "op1"); err != nil {
			t.Fatal(err)
		}
	}
	r.clk.Add(25 * time.Hour)
	got, err := r.svc.RecordCall(r.ctx, NewCall{Number: "081200000002", Outcome: tracking.CallPrank}, "op1")
	if err != nil || got.Caller.PrankCalls != 1 || got.Caller.BlockedUntil != nil {
		t.Fatalf("after the window: %+v %v", got.Caller, err)
	}
}

func TestRecordCallRefuses(t *testing.T) {
	r := newRig(t, Config{})
	for _, tc := range []struct {
		name string
		req  NewCall
		code tracking.Code
	}{
		{"bad outcome", NewCall{Number: "0812345678", Outcome: "angry"}, tracking.CodeInvalid},
		{"bad number", NewCall{Number: "<script>", Outcome: tracking.CallPrank}, tracking.CodeInvalid},
		{"unknown incident", NewCall{Number: "0812345678", Outcome: tracking.CallDuplicate, IncidentID: "20260101-000009"}, tracking.CodeNotFound},
		{"control characters in the note", NewCall{Number: "0812345678", Outcome: tracking.CallInformation, Note: "a\x00b"}, tracking.CodeInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := r.svc.RecordCall(r.ctx, tc.req, "op1"); tracking.CodeOf(err) != tc.code {
				t.Fatalf("%v, want %s", err, tc.code)
			}
		})
	}
}

// The intake logs one emergency call for every incident it creates, in the
// same change.
func TestIntakeLogsTheCall(t *testing.T) {
	r := newRig(t, Config{})
	in, _, err := r.svc.CreateIncident(r.ctx, NewIncident{Category: "medical", Lat: -6.12, Lon: 106.15, Caller: "+62 812 3456 7890", Description: "x"}, "op1")
	if err != nil {
		t.Fatal(err)
	}
	calls, _ := r.svc.cfg.Store.(*memstore.Store).Calls(r.ctx, tracking.CallQuery{})
	if len(calls) != 1 || calls[0].IncidentID != in.ID || calls[0].Outcome != tracking.CallEmergency || calls[0].Number != "081234567890" {
		t.Fatalf("calls %+v", calls)
	}
}
