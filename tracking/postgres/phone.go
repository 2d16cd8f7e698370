package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

var _ tracking.PhoneLog = (*Store)(nil)

// queueCallEvent upserts one event into its call's row: each kind keeps
// its earliest time and, on a tie, the smaller reason (the fold of
// tracking.PhoneCall.Apply, so the row is the same whatever the order or
// the instance). An event for a call_id of another number changes
// nothing: the service that saw both refused it.
func queueCallEvent(b *pgx.Batch, e tracking.CallEvent) {
	k := string(e.Event)
	at, reason := k+"_at", k+"_reason"
	better := fmt.Sprintf(`(phone_calls.%[1]s IS NULL OR excluded.%[1]s < phone_calls.%[1]s
		OR (excluded.%[1]s = phone_calls.%[1]s AND excluded.%[2]s < phone_calls.%[2]s))`, at, reason)
	b.Queue(fmt.Sprintf(`INSERT INTO phone_calls (call_id, number, at, %[1]s, %[2]s) VALUES ($1, $2, $3, $3, $4)
		ON CONFLICT (call_id) DO UPDATE SET at = least(phone_calls.at, excluded.at),
			%[1]s = CASE WHEN %[3]s THEN excluded.%[1]s ELSE phone_calls.%[1]s END,
			%[2]s = CASE WHEN %[3]s THEN excluded.%[2]s ELSE phone_calls.%[2]s END
		WHERE phone_calls.number = excluded.number`, at, reason, better),
		e.CallID, e.Number, e.At, e.Reason)
}

// queuePhone adds c's phone parts to b and returns the audit subject and
// data ("" when c has none).
func queuePhone(b *pgx.Batch, c tracking.Change) (subject string, data any) {
	if e := c.CallEvent; e != nil {
		queueCallEvent(b, *e)
		subject, data = e.Number, *e
	}
	if cl := c.Call; cl != nil && cl.CallID != "" {
		b.Queue(`UPDATE phone_calls SET outcome = $2 WHERE call_id = $1 AND outcome = ''`, cl.CallID, string(cl.Outcome))
	}
	if r := c.RawAML; r != nil {
		b.Queue(`INSERT INTO aml_messages (number, source, version, text, received_at) VALUES ($1, $2, $3, $4, $5)`,
			r.Number, string(r.Source), r.Version, r.Text, r.ReceivedAt)
		subject, data = r.Number, *r
	}
	if l := c.CallerLocation; l != nil {
		b.Queue(`INSERT INTO caller_locations (number, lat, lon, radius_m, source, method, confidence_pct, at, received_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			l.Number, l.Lat, l.Lon, l.RadiusM, string(l.Source), string(l.Method), l.ConfidencePct, l.At, l.ReceivedAt)
		subject, data = l.Number, *l
	}
	return subject, data
}

const phoneCallColumns = `call_id, number, at, ringing_at, ringing_reason, answered_at, answered_reason,
	ended_at, ended_reason, rejected_at, rejected_reason, outcome`

// PhoneCalls implements tracking.PhoneLog.
func (s *Store) PhoneCalls(ctx context.Context, q tracking.CallQuery) ([]tracking.PhoneCall, error) {
	sql := `SELECT ` + phoneCallColumns + ` FROM phone_calls
		WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2) AND ($3 = '' OR number = $3)
		ORDER BY at, call_id`
	args := []any{nullTime(q.From), nullTime(q.To), q.Number}
	if q.Limit > 0 {
		sql += ` LIMIT $4`
		args = append(args, q.Limit)
	}
	return s.phoneCalls(ctx, sql, args...)
}

// PhoneCall implements tracking.PhoneLog.
func (s *Store) PhoneCall(ctx context.Context, callID string) (tracking.PhoneCall, error) {
	cs, err := s.phoneCalls(ctx, `SELECT `+phoneCallColumns+` FROM phone_calls WHERE call_id = $1`, callID)
	if err != nil {
		return tracking.PhoneCall{}, err
	}
	if len(cs) == 0 {
		return tracking.PhoneCall{}, tracking.Errorf(tracking.CodeNotFound, "call %q has no events", callID)
	}
	return cs[0], nil
}

// phoneCalls reads rows and folds each into its call: the row holds one
// event per kind, and the fold gives the state, reason and duration.
func (s *Store) phoneCalls(ctx context.Context, sql string, args ...any) ([]tracking.PhoneCall, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list phone calls: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.PhoneCall, error) {
		var id, number, outcome string
		var first time.Time
		var at [4]*time.Time
		var reason [4]string
		if err := r.Scan(&id, &number, &first, &at[0], &reason[0], &at[1], &reason[1], &at[2], &reason[2], &at[3], &reason[3], &outcome); err != nil {
			return tracking.PhoneCall{}, err
		}
		var es []tracking.CallEvent
		for i, k := range []tracking.CallEventKind{tracking.CallRinging, tracking.CallAnswered, tracking.CallEnded, tracking.CallRejected} {
			if at[i] != nil {
				es = append(es, tracking.CallEvent{CallID: id, Number: number, Event: k, Reason: reason[i], At: at[i].UTC()})
			}
		}
		c, err := tracking.FoldCallEvents(es)
		c.Outcome = tracking.CallOutcome(outcome)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list phone calls: %w", err)
	}
	return out, nil
}

// CallerLocation implements tracking.PhoneLog.
func (s *Store) CallerLocation(ctx context.Context, number string, now time.Time) (tracking.CallerLocation, error) {
	rows, err := s.pool.Query(ctx, `SELECT number, lat, lon, radius_m, source, method, confidence_pct, at, received_at
		FROM caller_locations WHERE number = $1 AND received_at >= $2 ORDER BY received_at DESC LIMIT 100`,
		number, now.Add(-tracking.CallerLocationMaxAge))
	if err != nil {
		return tracking.CallerLocation{}, fmt.Errorf("read the caller's location: %w", err)
	}
	ls, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.CallerLocation, error) {
		var l tracking.CallerLocation
		err := r.Scan(&l.Number, &l.Lat, &l.Lon, &l.RadiusM, &l.Source, &l.Method, &l.ConfidencePct, &l.At, &l.ReceivedAt)
		l.At, l.ReceivedAt = l.At.UTC(), l.ReceivedAt.UTC()
		return l, err
	})
	if err != nil {
		return tracking.CallerLocation{}, fmt.Errorf("read the caller's location: %w", err)
	}
	l, ok := tracking.NewestCallerLocation(ls, now)
	if !ok {
		return l, tracking.Errorf(tracking.CodeNotFound, "no location of %s in the last %v", number, tracking.CallerLocationMaxAge)
	}
	return l, nil
}
