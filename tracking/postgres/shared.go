package postgres

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"siaga112/tracking"
)

// Several instances on one database (DESIGN.md §9). Every committed change
// NOTIFYs, in its own transaction (so only once it commits), the ids it
// touched; every instance LISTENs and reads those rows back. The payload is
// ids only: the database stays the one truth and 8 kB is never reached.

// shared is the store's part in a group of instances.
type shared struct {
	instance   string // this store's id in notices
	channel    string // the LISTEN channel: one per schema, so tests in other schemas stay apart
	lockKey    string // the position writer's advisory lock, per schema too
	recordsKey string // the records lock (records.go), per schema too

	mu        sync.Mutex
	numbers   []int64 // incident numbers taken from the sequence, not yet used
	refilling bool

	ctx    context.Context // ends when the store closes
	cancel context.CancelFunc
	done   sync.WaitGroup
	leader leader
}

func newShared(ctx context.Context, s *Store) error {
	var schema string
	if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("read the schema: %w", err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	s.shared = &shared{instance: rand.Text()[:12], channel: "siaga112." + schema, lockKey: "siaga112.positions." + schema,
		recordsKey: "siaga112.records." + schema, ctx: sctx, cancel: cancel}
	// A reserve of incident numbers from the start: incidents are created
	// during a database outage too.
	ns, err := s.takeNumbers(ctx)
	if err != nil {
		cancel()
		return err
	}
	s.shared.numbers = ns
	return nil
}

// Instance is this store's id in the notices it sends.
func (s *Store) Instance() string { return s.shared.instance }

// queueNotices adds to b the notices of p: they go out when (and only if)
// its transaction commits.
func (s *Store) queueNotices(b *pgx.Batch, p pending) {
	send := func(n tracking.Notice) {
		n.Origin = s.shared.instance
		body, _ := json.Marshal(n)
		b.Queue(`SELECT pg_notify($1, $2)`, s.shared.channel, string(body))
	}
	c := p.c
	if len(c.Records) > 0 {
		// The version is the change's own, known only in the transaction.
		b.Queue(`SELECT pg_notify($1, json_build_object('o', $2::text, 'k', 'records', 'i', '', 'a', $3::text, 'v', currval('record_version'))::text)`,
			s.shared.channel, s.shared.instance, c.Audit.Action)
	}
	if c.Incident != nil {
		send(tracking.Notice{Kind: "incident", ID: c.Incident.ID, Action: c.Action})
	}
	for _, u := range c.Units {
		send(tracking.Notice{Kind: "unit", ID: u.ID, Action: c.Action})
	}
	if c.Caller != nil {
		send(tracking.Notice{Kind: "caller", ID: c.Caller.Number, Action: c.Action})
	}
	if c.CallEvent != nil {
		send(tracking.Notice{Kind: "call", ID: c.CallEvent.CallID, Action: string(c.CallEvent.Event)})
	} else if c.Call != nil && c.Call.CallID != "" {
		send(tracking.Notice{Kind: "call", ID: c.Call.CallID, Action: "classified"})
	}
}

// Listen hands every notice committed on this database (this instance's
// own too) to handle, in commit order, from one goroutine, until the store
// closes. After each (re)connection it calls resync first: notices sent
// while it was not listening are lost, so the caller reads everything
// again.
func (s *Store) Listen(handle func(tracking.Notice), resync func(context.Context)) {
	ctx := s.shared.ctx
	s.shared.done.Add(1)
	go func() {
		defer s.shared.done.Done()
		for ctx.Err() == nil {
			err := s.listen(ctx, handle, resync)
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("LISTEN connection lost; listening again in 1 s", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
}

func (s *Store) listen(ctx context.Context, handle func(tracking.Notice), resync func(context.Context)) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	c := conn.Hijack() // a LISTEN session is never handed to anyone else
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "LISTEN "+pgx.Identifier{s.shared.channel}.Sanitize()); err != nil {
		return err
	}
	// Read everything back only once this instance's own queued changes
	// (an outage's) are in: the database must not take back what memory
	// already has and is about to write.
	for s.Queued() > 0 || s.down.Load() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	resync(ctx)
	for {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var notice tracking.Notice
		if err := json.Unmarshal([]byte(n.Payload), &notice); err != nil {
			s.log.Error("notice not understood; ignored", "payload", n.Payload, "err", err)
			continue
		}
		handle(notice)
	}
}

// stopShared ends the listener and gives up the position writer's lock.
func (s *Store) stopShared() {
	s.shared.mu.Lock() // no refill starts after this (done.Add happens under mu)
	s.shared.cancel()
	s.shared.mu.Unlock()
	s.shared.done.Wait()
	s.leader().release()
}

// Incident reads one incident with its assignments.
func (s *Store) Incident(ctx context.Context, id string) (tracking.Incident, error) {
	ins, err := s.incidents(ctx, `id = $1`, id)
	if err != nil {
		return tracking.Incident{}, err
	}
	if len(ins) == 0 {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", id)
	}
	return ins[0], nil
}

// Unit reads one unit.
func (s *Store) Unit(ctx context.Context, id string) (tracking.Unit, error) {
	us, err := s.units(ctx, `id = $1`, id)
	if err != nil {
		return tracking.Unit{}, err
	}
	if len(us) == 0 {
		return tracking.Unit{}, tracking.Errorf(tracking.CodeNotFound, "unit %q is not registered", id)
	}
	return us[0], nil
}

// Caller reads one caller's record.
func (s *Store) Caller(ctx context.Context, number string) (tracking.Caller, error) {
	cs, err := s.callers(ctx, `number = $1`, number)
	if err != nil {
		return tracking.Caller{}, err
	}
	if len(cs) == 0 {
		return tracking.Caller{}, tracking.Errorf(tracking.CodeNotFound, "caller %q has no record", number)
	}
	return cs[0], nil
}

var _ tracking.IncidentNumbers = (*Store)(nil)

// numberBlock is how many incident numbers an instance takes from the
// sequence at once: one round trip per block. The reserve is refilled in
// the background when half is used, so a creation rarely waits for the
// database and an outage has at least numberBlock/2 numbers to go on with.
// Numbers left at a restart are never used: ids have gaps.
const numberBlock = 40

// NextIncidentNumber implements tracking.IncidentNumbers: the next number
// from the sequence incident_number, taken in blocks. Numbers are unique
// across instances; two instances' incidents interleave by block, not by
// the second.
func (s *Store) NextIncidentNumber(ctx context.Context) (int64, error) {
	sh := s.shared
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if len(sh.numbers) == 0 {
		ns, err := s.takeNumbers(ctx)
		if err != nil {
			return 0, err
		}
		sh.numbers = ns
	}
	n := sh.numbers[0]
	sh.numbers = sh.numbers[1:]
	if len(sh.numbers) <= numberBlock/2 && !sh.refilling && sh.ctx.Err() == nil {
		sh.refilling = true
		sh.done.Add(1)
		go func() {
			defer sh.done.Done()
			ns, err := s.takeNumbers(sh.ctx)
			sh.mu.Lock()
			defer sh.mu.Unlock()
			sh.refilling = false
			if err == nil {
				sh.numbers = append(sh.numbers, ns...)
			}
		}()
	}
	return n, nil
}

// takeNumbers takes a block of numbers from the sequence.
func (s *Store) takeNumbers(ctx context.Context) ([]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.writeTimeout())
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT nextval('incident_number') FROM generate_series(1, $1)`, numberBlock)
	if err != nil {
		return nil, fmt.Errorf("take incident numbers: %w", err)
	}
	ns, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("take incident numbers: %w", err)
	}
	return ns, nil
}

// queuePrank marks one prank call of number and applies the blocking rule
// in SQL: the INSERT … ON CONFLICT takes the row lock, so a second
// instance's mark waits for this one's commit and then counts both.
func queuePrank(b *pgx.Batch, number string, m tracking.PrankMark) {
	b.Queue(`INSERT INTO callers (number, prank_calls) VALUES ($1, ARRAY[$2::timestamptz])
		ON CONFLICT (number) DO UPDATE SET prank_calls = callers.prank_calls || $2::timestamptz`, number, m.At)
	b.Queue(`UPDATE callers c SET
			blocked_until = CASE WHEN n.count > $3 THEN greatest(c.blocked_until, $2::timestamptz + $4 * interval '1 second') ELSE c.blocked_until END,
			proposed_permanent_block = c.proposed_permanent_block OR n.count > $5
		FROM (SELECT count(*) AS count FROM callers, unnest(prank_calls) t
			WHERE number = $1 AND ($6 = 0 OR t >= $2::timestamptz - $6 * interval '1 second')) n
		WHERE c.number = $1`,
		number, m.At, m.BlockAfter, m.BlockFor.Seconds(), m.ProposeAfter, m.Window.Seconds())
}

// unitKey finds the unit in the database's refusal of a second open
// assignment ("Key (unit_id)=(X) already exists.").
var unitKey = regexp.MustCompile(`^Key \(unit_id\)=\((.*)\) (already exists|lost to)`)

// unitTaken reads the refusal of a dispatch whose unit another instance
// assigned first; nil when err is something else.
func unitTaken(c tracking.Change, err error) error {
	var pg *pgconn.PgError
	if c.Incident == nil || !errors.As(err, &pg) || pg.Code != "23505" ||
		(pg.ConstraintName != "assignments_one_open_per_unit" && pg.ConstraintName != "assignments_keep_unit") {
		return nil
	}
	m := unitKey.FindStringSubmatch(pg.Detail)
	if m == nil {
		return &tracking.UnitTaken{Incident: c.Incident.ID, Unit: "(" + pg.Detail + ")"}
	}
	return &tracking.UnitTaken{Incident: c.Incident.ID, Unit: m[1]}
}
