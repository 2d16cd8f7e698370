package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The database's health is measured, not guessed from the last write: one
// ping a second, shared by every /healthz (which only reads the result),
// tells a reachable database from an unreachable one and a fast one from
// a slow one even when nothing is written. The round trip it measures also
// sets how long a write may take.

const (
	// pingEvery is how often the database is pinged.
	pingEvery = time.Second
	// answerWithin is how long a ping may go unanswered, and how long an
	// answer may take, before /healthz says the database is not well.
	answerWithin = time.Second
	// pingWait is how long a ping is waited for at most: a late answer
	// still measures a slow database, where no answer at all is an outage.
	pingWait = 30 * time.Second
	// maxWriteTimeout bounds the write timeout however slow the database.
	maxWriteTimeout = 2 * time.Minute
)

// health is what the pings and the writes measured. The zero value is
// ready (nothing measured yet: healthy).
type health struct {
	mu       sync.Mutex
	inFlight time.Time     // a ping is waiting since; zero: none
	answered time.Time     // when a ping last answered
	rtt      time.Duration // how long that took
	failed   time.Time     // when a ping last failed
	err      string        // why
	boost    int           // write timeouts in a row, doubling the timeout each (at most 3)
}

// pingLoop pings the database every pingEvery until the store closes.
func (s *Store) pingLoop() {
	defer s.done.Done()
	t := time.NewTicker(pingEvery)
	defer t.Stop()
	busy := make(chan struct{}, 1) // one ping at a time
	closing, cancel := context.WithCancel(context.Background())
	defer cancel() // a ping still waiting gives up: the store closes
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		select {
		case busy <- struct{}{}:
		default:
			continue // the last one is still waiting: that is the measurement
		}
		s.done.Add(1)
		go func() {
			defer s.done.Done()
			defer func() { <-busy }()
			s.ping(closing)
		}()
	}
}

// ping pings once and notes the answer; closing ends when the store does.
func (s *Store) ping(closing context.Context) {
	h := &s.health
	s.counters.pings.Add(1)
	start := time.Now()
	h.mu.Lock()
	h.inFlight = start
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(closing, pingWait)
	defer cancel()
	err := s.pool.Ping(ctx)
	now := time.Now()
	h.mu.Lock()
	h.inFlight = time.Time{}
	if err == nil {
		h.answered, h.rtt = now, now.Sub(start)
	} else if closing.Err() == nil {
		h.failed, h.err = now, brief(err)
		s.log.Debug("database ping failed", "err", err)
	}
	h.mu.Unlock()
	switch {
	case err != nil && closing.Err() == nil:
		// Connections broken by the outage go; the next ping dials afresh.
		s.pool.Reset()
	case err == nil && s.down.Load():
		select { // the writer drains the queue now, not at its next tick
		case s.kick <- struct{}{}:
		default:
		}
	}
}

// brief says what went wrong in the server's words, never the driver's
// (which name the host, port, user and database): the sentence reaches
// /healthz. The log keeps the whole error.
func brief(err error) string {
	var pg *pgconn.PgError
	switch {
	case errors.As(err, &pg):
		// The code, not the message: a message may name the user or the
		// database, which an answer does not show (the log has it all).
		return "PostgreSQL refused us (SQLSTATE " + pg.Code + ")"
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
		return "no answer in time"
	}
	return "no connection to PostgreSQL"
}

type dbState int

const (
	dbOK dbState = iota
	dbSlow
	dbUnreachable
)

// state judges the database at now from the pings.
func (h *health) state(now time.Time) (dbState, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	reached := !h.answered.IsZero() && h.answered.After(h.failed)
	switch {
	case !h.inFlight.IsZero() && now.Sub(h.inFlight) > answerWithin && reached:
		return dbSlow, fmt.Sprintf("no answer to a ping for %s (the last answer took %s)", round(now.Sub(h.inFlight)), round(h.rtt))
	case !h.inFlight.IsZero() && now.Sub(h.inFlight) > answerWithin:
		return dbUnreachable, fmt.Sprintf("no answer to a ping for %s", round(now.Sub(h.inFlight)))
	case !h.failed.IsZero() && !reached:
		return dbUnreachable, h.err
	case reached && h.rtt > answerWithin:
		return dbSlow, fmt.Sprintf("a ping took %s", round(h.rtt))
	}
	return dbOK, ""
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// wrote notes how a write went: timeouts in a row double the next one's
// time, a success resets it.
func (h *health) wrote(took time.Duration, err error, timeout time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case err == nil:
		h.boost = 0
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) || took >= timeout:
		h.boost = min(h.boost+1, 3)
	}
}

// writeTimeout is how long one write may take: four round trips as the
// pings measure them plus a second, never under Config.WriteTimeout,
// doubled for each write that timed out in a row, at most
// maxWriteTimeout. A slow database gets the time it needs; an unreachable
// one is found by the pings, not by waiting.
func (s *Store) writeTimeout() time.Duration {
	h := &s.health
	h.mu.Lock()
	rtt, boost := h.rtt, h.boost
	h.mu.Unlock()
	d := max(s.cfg.WriteTimeout, 4*rtt+time.Second)
	return min(d<<boost, maxWriteTimeout)
}
