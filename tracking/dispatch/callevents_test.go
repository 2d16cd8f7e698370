package dispatch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/memstore"
)

// A caller record kept under a spelling the old rule made (+0812… was
// "+0812…" before trunk zeros were read as the trunk) joins the
// canonical one when the service loads: its marks count and its block
// refuses every spelling.
func TestLoadMergesOldSpellings(t *testing.T) {
	store := memstore.New()
	until := time.Now().Add(time.Hour)
	marks := []time.Time{time.Now().Add(-time.Minute)}
	for _, c := range []tracking.Caller{
		{Number: "+081234567890", PrankCalls: marks, BlockedUntil: &until},
		{Number: "+00081234567890", PrankCalls: []time.Time{time.Now().Add(-2 * time.Minute)}},
		{Number: "081234567890", PrankCalls: []time.Time{time.Now().Add(-3 * time.Minute)}},
	} {
		if err := tracking.Apply(store, tracking.Change{Audit: tracking.Audit{Action: "test"}, Caller: &c}); err != nil {
			t.Fatal(err)
		}
	}
	r := newRig(t, Config{})
	svc, err := New(context.Background(), Config{Fleet: r.fleet, Locator: r.svc.cfg.Locator, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.Caller("0812 3456 7890")
	if err != nil || v.PrankCalls != 3 || v.BlockedUntil == nil {
		t.Fatalf("merged record %+v (%v)", v, err)
	}
	for _, spelling := range []string{"+0812 3456 7890", "00 0812 3456 7890", "0000 0812 3456 7890", "+62 (0)812-3456-7890", "6281234567890"} {
		if a, err := svc.Admission(spelling); err != nil || a.Admit || a.Reason != "blocked" {
			t.Errorf("%s: %+v (%v)", spelling, a, err)
		}
	}
}

// The fold is the same in memory whatever the order, and the store's
// copy folds alike (microseconds, as the database keeps them).
func TestRecordCallEventFoldsAnyOrder(t *testing.T) {
	r := newRig(t, Config{})
	now := r.clk.Now()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339Nano) }
	evs := []CallEventReport{
		{CallID: "c", Number: "0811", Event: "ended", Reason: "bye", At: at(-1 * time.Second)},
		{CallID: "c", Number: "+62811", Event: "answered", At: at(-9*time.Second - 123456789)},
		{CallID: "c", Number: "0811", Event: "ringing", At: at(-10 * time.Second)},
	}
	var last CallEventResult
	for _, e := range evs {
		var err error
		if last, err = r.svc.RecordCallEvent(r.ctx, e, "pbx"); err != nil || !last.Changed {
			t.Fatalf("%+v: %+v (%v)", e, last, err)
		}
	}
	c := last.Call
	if c.State != tracking.CallEnded || c.DurationS == nil || *c.DurationS != 8.123 || c.Reason != "bye" {
		t.Fatalf("%+v", c)
	}
	stored, err := r.svc.cfg.Store.(tracking.PhoneLog).PhoneCall(r.ctx, "c")
	if _, changed, err2 := c.Merge(stored); err != nil || err2 != nil || changed {
		t.Fatalf("store %+v differs from memory %+v (%v %v)", stored, c, err, err2)
	}
	if again, err := r.svc.RecordCallEvent(r.ctx, evs[0], "pbx"); err != nil || again.Changed {
		t.Fatalf("repeat: %+v (%v)", again, err)
	}
	if _, err := r.svc.RecordCallEvent(r.ctx, CallEventReport{CallID: "c", Number: "0899", Event: "ended"}, "pbx"); tracking.CodeOf(err) != tracking.CodeConflict {
		t.Fatalf("another number: %v", err)
	}
}

// BenchmarkAdmission is the SIP edge's question, answered from memory
// among 100,000 callers (a tenth of them blocked).
func BenchmarkAdmission(b *testing.B) {
	r := newRig(b, Config{})
	until := r.clk.Now().Add(time.Hour)
	r.svc.mu.Lock()
	for i := range 100_000 {
		n := fmt.Sprintf("0812%08d", i)
		c := &tracking.Caller{Number: n}
		if i%10 == 0 {
			c.BlockedUntil = &until
		}
		r.svc.callers[n] = c
	}
	r.svc.mu.Unlock()
	spellings := []string{"+62 812-0000-0010", "081200000011", "6281200000012", "+0812 0000 0013"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := r.svc.Admission(spellings[i%len(spellings)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordCallEvent is one event of a new call through the memory
// store (the change path without a database).
func BenchmarkRecordCallEvent(b *testing.B) {
	r := newRig(b, Config{})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := r.svc.RecordCallEvent(r.ctx, CallEventReport{CallID: fmt.Sprint("b", i), Number: "081234567890", Event: "ringing"}, "pbx"); err != nil {
			b.Fatal(err)
		}
	}
}

// Calls leave memory two days after their first event.
func TestPhoneBookForgetsOldCalls(t *testing.T) {
	r := newRig(t, Config{})
	if _, err := r.svc.RecordCallEvent(r.ctx, CallEventReport{CallID: "old", Number: "0811", Event: "ringing"}, "pbx"); err != nil {
		t.Fatal(err)
	}
	r.clk.Add(phoneKeep + time.Hour)
	if _, err := r.svc.RecordCallEvent(r.ctx, CallEventReport{CallID: "new", Number: "0811", Event: "ringing"}, "pbx"); err != nil {
		t.Fatal(err)
	}
	r.svc.phone.mu.Lock()
	_, kept := r.svc.phone.calls["old"]
	n := len(r.svc.phone.calls)
	r.svc.phone.mu.Unlock()
	if kept || n != 1 {
		t.Fatalf("old call kept %v, %d calls in memory", kept, n)
	}
}

// A record read back under an old spelling (another instance's, a
// resync) joins the canonical one instead of standing beside it.
func TestSyncCallerOldSpelling(t *testing.T) {
	r := newRig(t, Config{})
	until := r.clk.Now().Add(time.Hour)
	r.svc.SyncCaller(tracking.Caller{Number: "+081234567890", PrankCalls: []time.Time{r.clk.Now()}, BlockedUntil: &until}, "resync", false)
	if got := r.svc.Callers(false); len(got) != 1 || got[0].Number != "081234567890" || got[0].BlockedUntil == nil {
		t.Fatalf("%+v", got)
	}
	if a, _ := r.svc.Admission("+62 812 3456 7890"); a.Admit {
		t.Fatalf("%+v", a)
	}
}
