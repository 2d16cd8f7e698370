package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"siaga112/tracking"
)

// pending is a submitted change waiting for the writer.
type pending struct {
	c    tracking.Change
	done func(error)
	told bool // done was called already (with ErrQueued, during an outage)
	// ops, when set, queues statements of a change that is not a
	// tracking.Change (accounts), labelled label; they share the order and
	// the transactions of the rest.
	ops   func(*pgx.Batch)
	label string
}

// maxBatch is how many queued changes one transaction may carry: under a
// slow database the writer commits what piled up together (each change is
// still whole: all of it is in that transaction).
const maxBatch = 64

// Submit implements tracking.Store. It never touches the database.
func (s *Store) Submit(c tracking.Change, done func(error)) {
	s.submit(pending{c: c, done: done})
}

// write submits statements through the same ordered writer and waits for
// the answer: nil once committed, tracking.ErrQueued while the database is
// unreachable (they are written when it returns), or the refusal.
func (s *Store) write(ctx context.Context, label string, ops func(*pgx.Batch)) error {
	answer := make(chan error, 1)
	s.submit(pending{ops: ops, label: label, done: func(err error) { answer <- err }})
	select {
	case err := <-answer:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", label, ctx.Err())
	}
}

func (s *Store) submit(p pending) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) >= s.cfg.MaxQueued {
		s.counters.writeFailures.Add(1)
		err := fmt.Errorf("%s: %d changes are already waiting for the database", p.what(), len(s.queue))
		s.log.Error("change refused: the queue is full", "change", p.what(), "err", err)
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
		if err != nil && !unavailable(err) && len(batch) > 1 {
			// One of them is refused: find it, writing each alone.
			for i := range batch {
				if err = s.exec(ctx, batch[i:i+1]); err != nil && unavailable(err) {
					break
				}
				s.finish(batch[i:i+1], err)
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
		if err != nil && p.ops != nil {
			// Account rows hold password hashes: the label is kept, not the rows.
			s.deadLetter(tracking.Change{Audit: tracking.Audit{Action: p.label}}, err)
		} else if taken := unitTaken(p.c, err); taken != nil {
			// Another instance assigned the unit first: an answer for the
			// dispatcher, not a fault for an operator (no dead letter).
			err = taken
		} else if err != nil {
			err = refusal(p.c, err)
			s.deadLetter(p.c, err)
		}
		if !p.told {
			p.done(err)
		}
	}
}

// exec writes the changes in one transaction, every statement pipelined in
// one batch (three round trips however many changes).
func (s *Store) exec(ctx context.Context, ps []pending) error {
	// The change already stands in memory: finish the write even if the
	// request that caused it has gone.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.WriteTimeout)
	defer cancel()
	b := &pgx.Batch{}
	for _, p := range ps {
		s.queueNotices(b, p) // sent on commit: the other instances read the rows back
		if p.ops != nil {
			p.ops(b)
			continue
		}
		if err := queueChange(b, p.c); err != nil {
			return err
		}
	}
	if err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, b).Close() }); err != nil {
		return fmt.Errorf("%s: %w", ps[0].what(), err)
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
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.WriteTimeout)
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

func (p pending) what() string {
	if p.ops != nil {
		return p.label
	}
	return what(p.c)
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
	case c.Place != nil:
		return c.Audit.Action + " " + c.Place.Entry.ID
	}
	return c.Audit.Action
}
