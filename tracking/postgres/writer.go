package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"siaga112/tracking"
)

// pending is a submitted change waiting for the writer.
type pending struct {
	c    tracking.Change
	id   string // kept in applied_changes: a retry of a change already written is recognised
	done func(error)
	told bool // done was called already (with ErrQueued, during an outage)
	// version is the one the change's records got, written by the writer
	// only (a pointer: submit copies the queue as it grows).
	version *int64
}

// maxBatch is how many queued changes one transaction may carry: under a
// slow database the writer commits what piled up together (each change is
// still whole: all of it is in that transaction).
const maxBatch = 64

// Submit implements tracking.Store. It never touches the database.
func (s *Store) Submit(c tracking.Change, done func(error)) {
	id := s.shared.instance + "-" + strconv.FormatUint(s.changes.Add(1), 36)
	s.submit(pending{c: c, id: id, done: done, version: new(int64)})
}

func (s *Store) submit(p pending) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) >= s.cfg.MaxQueued {
		s.counters.writeFailures.Add(1)
		err := fmt.Errorf("%s: %d changes are already waiting for the database", what(p.c), len(s.queue))
		s.log.Error("change refused: the queue is full", "change", what(p.c), "err", err)
		p.done(err)
		return
	}
	if s.down.Load() {
		s.counters.queuedTotal.Add(1)
		p.told = true
		p.done(tracking.ErrQueued)
	}
	s.queue = append(s.queue, p)
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Queued is the number of changes waiting for the database.
func (s *Store) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

func (s *Store) writeLoop() {
	defer s.done.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.kick:
		}
		s.writeQueued(context.Background())
	}
}

// writeQueued writes the queue in order until it is empty or the database
// is unreachable.
func (s *Store) writeQueued(ctx context.Context) {
	for {
		s.mu.Lock()
		batch := s.queue[:min(len(s.queue), maxBatch)]
		s.mu.Unlock()
		if len(batch) == 0 {
			if s.down.Load() && s.pool.Ping(ctx) == nil {
				s.markUp()
			}
			return
		}
		err := s.exec(ctx, batch)
		if written(err) {
			// An earlier attempt was committed after the writer stopped
			// waiting for it: answer what it wrote, write the rest.
			if err = s.skipWritten(ctx, batch); err != nil {
				s.markDown(err)
				return
			}
			continue
		}
		if err != nil && !unavailable(err) && len(batch) > 1 {
			// One of them is refused: find it, writing each alone.
			for i := range batch {
				err = s.exec(ctx, batch[i:i+1])
				if written(err) {
					err = s.skipWritten(ctx, batch[i:i+1])
				} else if err == nil || !unavailable(err) {
					s.finish(batch[i:i+1], err)
				}
				if err != nil && unavailable(err) {
					break
				}
			}
			if err != nil && unavailable(err) {
				s.markDown(err)
				return
			}
			continue
		}
		if err != nil && unavailable(err) {
			s.markDown(err)
			return
		}
		s.finish(batch, err)
		if s.down.Load() {
			s.markUp()
		}
	}
}

// written reports whether err is the refusal of a change already written
// (its id is in applied_changes).
func written(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505" && pg.ConstraintName == "applied_changes_pkey"
}

// skipWritten answers the changes at the front of ps that the database
// already has (a transaction commits whole, so they are a prefix), with
// the versions they got.
func (s *Store) skipWritten(ctx context.Context, ps []pending) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.writeTimeout())
	defer cancel()
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.id
	}
	rows, err := s.pool.Query(ctx, `SELECT id, coalesce(version, 0) FROM applied_changes WHERE id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("read which changes are written: %w", err)
	}
	got := map[string]int64{}
	var id string
	var v int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &v}, func() error { got[id] = v; return nil }); err != nil {
		return fmt.Errorf("read which changes are written: %w", err)
	}
	n := 0
	for n < len(ps) {
		v, ok := got[ps[n].id]
		if !ok {
			break
		}
		*ps[n].version = v
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s: refused as written, but it is not", what(ps[0].c))
	}
	s.counters.retriedWritten.Add(uint64(n))
	s.health.wrote(0, nil, 0) // the database answered: the timeout stops doubling
	s.log.Warn("changes written by an attempt the writer had given up on; not written twice", "changes", n)
	s.finish(ps[:n], nil)
	return nil
}

// finish takes done off the front of the queue and answers it: nil, or the
// refusal after the change was put in the dead letters.
func (s *Store) finish(done []pending, err error) {
	s.mu.Lock()
	s.queue = s.queue[len(done):]
	if len(s.queue) == 0 {
		s.queue = nil
	}
	s.mu.Unlock()
	for _, p := range done {
		if taken := unitTaken(p.c, err); taken != nil {
			// Another instance assigned the unit first: an answer for the
			// dispatcher, not a fault for an operator (no dead letter).
			err = taken
		} else if err != nil {
			err = refusal(p.c, err)
			s.deadLetter(p.c, err)
		}
		if p.told {
			continue
		}
		if err == nil && *p.version != 0 && p.c.Committed != nil {
			p.c.Committed(*p.version)
		}
		p.done(err)
	}
}

// exec writes the changes in one transaction: every statement in one
// batch, sent at once and run as one implicit transaction, so a change
// costs one round trip (after the connection's first use of a statement).
// Each change first claims its id in applied_changes: a change an earlier
// attempt wrote is refused there (written), never applied twice.
func (s *Store) exec(ctx context.Context, ps []pending) error {
	// The change already stands in memory: finish the write even if the
	// request that caused it has gone.
	timeout := s.writeTimeout()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	b := &pgx.Batch{}
	if slices.ContainsFunc(ps, func(p pending) bool { return p.c.Versioned() }) {
		s.queueRecordsLock(b)
	}
	for i := range ps {
		p := &ps[i]
		if p.c.Versioned() {
			queueVersion(b, p.version)
			b.Queue(`INSERT INTO applied_changes (id, version) VALUES ($1, currval('record_version'))`, p.id)
		} else {
			b.Queue(`INSERT INTO applied_changes (id) VALUES ($1)`, p.id)
		}
		s.queueNotices(b, *p) // sent on commit: the other instances read the rows back
		if err := queueChange(b, p.c); err != nil {
			return err
		}
	}
	start := time.Now()
	err := s.pool.SendBatch(ctx, b).Close()
	s.health.wrote(time.Since(start), err, timeout)
	if err != nil {
		return fmt.Errorf("%s: %w", what(ps[0].c), err)
	}
	return nil
}

// refusal turns the database's refusal into a domain error where it has a
// meaning (a unit already open elsewhere is a conflict).
func refusal(c tracking.Change, err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" && pg.ConstraintName == "assignments_one_open_per_unit" && c.Incident != nil {
		return tracking.Errorf(tracking.CodeConflict, "a unit of incident %s already has an open assignment elsewhere: %s", c.Incident.ID, pg.Detail)
	}
	return err
}

// deadLetter keeps a refused change in dead_letters, raising the alarm
// (metric, /healthz). If even that fails, the change is logged whole.
func (s *Store) deadLetter(c tracking.Change, cause error) {
	s.counters.deadLetters.Add(1)
	body, _ := json.Marshal(c)
	s.log.Error("change refused by the database; kept in dead_letters", "change", what(c), "err", cause)
	ctx, cancel := context.WithTimeout(context.Background(), s.writeTimeout())
	defer cancel()
	if _, err := s.pool.Exec(ctx, `INSERT INTO dead_letters (action, actor, change, error) VALUES ($1, $2, $3, $4)`,
		clean(c.Audit.Action), clean(c.Audit.Actor), string(body), clean(cause.Error())); err != nil {
		s.log.Error("dead letter not written either; here it is", "change", string(body), "err", err)
	}
}

// clean makes s storable as text: PostgreSQL refuses NUL bytes and
// invalid UTF-8, which may be why the change was refused at all.
func clean(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// what names a change in errors and logs.
func what(c tracking.Change) string {
	switch {
	case c.Incident != nil:
		return c.Audit.Action + " " + c.Incident.ID
	case c.Caller != nil:
		return c.Audit.Action + " " + c.Caller.Number
	case len(c.Units) > 0:
		return c.Audit.Action + " " + c.Units[0].ID
	case len(c.Records) > 0 && c.Audit.Action == "":
		return "last use of " + string(c.Records[0].Kind) + " " + c.Records[0].Key
	case len(c.Records) > 0:
		return c.Audit.Action + " " + string(c.Records[0].Kind) + " " + c.Records[0].Key
	}
	return c.Audit.Action
}
