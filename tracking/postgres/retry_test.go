package postgres

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/postgres/pgtest"
)

// Issue 22 item 18: a write the writer gave up on may have been committed
// all the same (the replies were late, not lost). Its retry is recognised
// by the change's id and answered as written: no incident, audit row,
// prank mark, logged call or token is written twice, and nothing is lost.
func TestRetryAfterTimeoutIsNotDoubled(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for replies 2.5 s late")
	}
	direct := testURL(t)
	proxy := pgtest.StartProxy(t, pgtest.Target(direct))
	// One connection: the statements warmed below are prepared on the one
	// the writer uses.
	s := openTest(t, proxy.Via(direct)+"&pool_max_conns=1", Config{WriteTimeout: time.Second, Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	at := time.Now().Truncate(time.Millisecond)
	in := testIncident("20261206-000001")
	tok := tracking.Token{ID: "t-retry", Name: "bridge", Role: tracking.RoleDispatcher, Hash: "retry-hash", CreatedAt: at}
	changes := []tracking.Change{
		{Audit: tracking.Audit{Action: "incident.created", Actor: "t"}, At: at, Incident: in},
		{Audit: tracking.Audit{Action: "caller.prank", Actor: "t"}, At: at, Caller: &tracking.Caller{Number: "0812999", PrankCalls: []time.Time{at}},
			Prank: &tracking.PrankMark{At: at, Window: time.Hour, BlockFor: time.Hour, BlockAfter: 5, ProposeAfter: 10}},
		{Audit: tracking.Audit{Action: "call.logged", Actor: "t"}, At: at, Call: &tracking.Call{ID: "c-retry", At: at, Number: "0812999", Outcome: tracking.CallPrank, By: "t"}},
		{Audit: tracking.Audit{Action: "token.issued", Actor: "t"}, At: at, Records: []tracking.Record{{Kind: tracking.RecordToken, Key: tok.ID, Token: &tok}}},
	}
	// Warm: every statement is prepared (a write is then one round trip)
	// and the pings know a quick database.
	warm := testIncident("20261206-000000")
	warmTok := tok
	warmTok.ID, warmTok.Hash = "t-warm", "warm-hash"
	for _, c := range []tracking.Change{
		{Audit: tracking.Audit{Action: "warm", Actor: "t"}, At: at, Incident: warm},
		{Audit: tracking.Audit{Action: "warm", Actor: "t"}, At: at, Caller: &tracking.Caller{Number: "0811"}, Prank: changes[1].Prank},
		{Audit: tracking.Audit{Action: "warm", Actor: "t"}, At: at, Call: &tracking.Call{ID: "c-warm", At: at, Number: "0811", Outcome: tracking.CallPrank, By: "t"}},
		{Audit: tracking.Audit{Action: "warm", Actor: "t"}, At: at, Records: []tracking.Record{{Kind: tracking.RecordToken, Key: warmTok.ID, Token: &warmTok}}},
		{Audit: tracking.Audit{Action: "warm", Actor: "t"}, At: at, Incident: warm, Records: []tracking.Record{{Kind: tracking.RecordToken, Key: warmTok.ID, Token: &warmTok}}},
	} {
		if err := tracking.Apply(s, c); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2 * time.Second)
	proxy.SetLatency(2500 * time.Millisecond) // longer than the writer waits, at first
	answers := make(chan error, len(changes))
	for _, c := range changes {
		s.Submit(c, func(err error) { answers <- err })
	}
	start := time.Now()
	for range changes {
		err := <-answers
		t.Logf("answer after %v: %v", time.Since(start).Round(time.Millisecond), err)
		if err != nil && !errors.Is(err, tracking.ErrQueued) {
			t.Fatalf("answer %v", err)
		}
	}
	deadline := time.Now().Add(90 * time.Second)
	for s.Queued() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d changes still queued", s.Queued())
		}
		time.Sleep(100 * time.Millisecond)
	}
	proxy.SetLatency(0)
	t.Logf("changes found written on retry: %d; write timeout now %v", s.counters.retriedWritten.Load(), s.writeTimeout())

	db := pgtest.Conn(t, direct)
	count := func(sql string, args ...any) int {
		var n int
		if err := db.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		what string
		sql  string
		args []any
	}{
		{"the incident", `SELECT count(*) FROM incidents WHERE id = $1`, []any{in.ID}},
		{"its audit row", `SELECT count(*) FROM events WHERE action = 'incident.created' AND subject = $1`, []any{in.ID}},
		{"the prank mark", `SELECT coalesce(array_length(prank_calls, 1), 0) FROM callers WHERE number = '0812999'`, nil},
		{"the prank's audit row", `SELECT count(*) FROM events WHERE action = 'caller.prank'`, nil},
		{"the logged call", `SELECT count(*) FROM calls WHERE id = 'c-retry'`, nil},
		{"the token", `SELECT count(*) FROM api_tokens WHERE id = 't-retry'`, nil},
		{"the token's audit row", `SELECT count(*) FROM events WHERE action = 'token.issued'`, nil},
		{"dead letters", `SELECT count(*) + 1 FROM dead_letters`, nil},
	} {
		if n := count(tc.sql, tc.args...); n != 1 {
			t.Errorf("%s: %d, want 1", tc.what, n)
		}
	}
	if s.counters.retriedWritten.Load() == 0 {
		t.Error("no retry found its change written: the writer did not give up on a committed write, or did not recognise it")
	}
}

// The ids of written changes are kept a day, then trimmed by the hourly
// retention job.
func TestAppliedChangesAreTrimmed(t *testing.T) {
	s := openTest(t, testURL(t), Config{})
	ctx := context.Background()
	now := time.Now()
	if _, err := s.Pool().Exec(ctx, `INSERT INTO applied_changes (id, at) VALUES ('old', $1), ('new', $2)`, now.Add(-25*time.Hour), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Retain(ctx, now); err != nil {
		t.Fatal(err)
	}
	var ids []string
	rows, _ := s.Pool().Query(ctx, `SELECT id FROM applied_changes WHERE id IN ('old', 'new')`)
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	if len(ids) != 1 || ids[0] != "new" {
		t.Fatalf("kept %v, want [new]", ids)
	}
}
