// Package postgres keeps siaga112's state in PostgreSQL with PostGIS,
// through jackc/pgx/v5. Writes commit before the API answers; while the
// database is unreachable they queue in order, in memory, and drain when it
// returns. Positions are written in batches with COPY.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"siaga112/tracking"
)

// Config tunes the store; zero values take the defaults.
type Config struct {
	Logger *slog.Logger
	// FlushEvery bounds how long an applied fix waits before it is written
	// to unit_positions (default 500 ms; at most 1 s is accepted).
	FlushEvery time.Duration
	// MaxQueued bounds the writes held while the database is unreachable
	// (default 100,000); past it a write fails.
	MaxQueued int
	// MaxPositions bounds the fixes held while the database is unreachable
	// (default 1,000,000, about 100 MB); past it the oldest are dropped
	// and counted.
	MaxPositions int
	// WriteTimeout bounds one write transaction (default 5 s).
	WriteTimeout time.Duration
}

// Store is a tracking.Store and tracking.PositionLog on PostgreSQL.
type Store struct {
	cfg  Config
	pool *pgxpool.Pool
	log  *slog.Logger

	mu    sync.Mutex
	queue []op // writes waiting for the database, oldest first
	kick  chan struct{}

	pmu       sync.Mutex
	positions []posRow

	down     atomic.Bool
	downErr  atomic.Value // string
	stop     chan struct{}
	done     sync.WaitGroup
	counters counters
}

type counters struct {
	queuedTotal, writeFailures, positionsWritten, positionsDropped, flushFailures atomic.Uint64
}

type op struct {
	what string
	run  func(ctx context.Context, tx pgx.Tx) error
}

var (
	_ tracking.Store       = (*Store)(nil)
	_ tracking.PositionLog = (*Store)(nil)
)

// Open connects, checks PostGIS, applies the migrations and starts the
// background writers. It fails when the database cannot be reached: a
// server must not start on a store it has never seen.
func Open(ctx context.Context, url string, cfg Config) (*Store, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.FlushEvery <= 0 || cfg.FlushEvery > time.Second {
		cfg.FlushEvery = 500 * time.Millisecond
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = 100_000
	}
	if cfg.MaxPositions <= 0 {
		cfg.MaxPositions = 1_000_000
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 5 * time.Second
	}
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if pc.ConnConfig.ConnectTimeout == 0 || pc.ConnConfig.ConnectTimeout > 3*time.Second {
		pc.ConnConfig.ConnectTimeout = 3 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d: %w", pc.ConnConfig.Host, pc.ConnConfig.Port, err)
	}
	if err := requirePostGIS(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	applied, err := migrate(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{cfg: cfg, pool: pool, log: cfg.Logger.With("component", "postgres"), kick: make(chan struct{}, 1), stop: make(chan struct{})}
	if len(applied) > 0 {
		s.log.Info("database migrated", "versions", applied)
	}
	s.done.Add(2)
	go s.drainLoop()
	go s.flushLoop()
	return s, nil
}

// Close flushes the positions, tries once more to drain the queue, and
// disconnects.
func (s *Store) Close(ctx context.Context) {
	close(s.stop)
	s.done.Wait()
	s.flush(ctx)
	s.drain(ctx)
	if n := s.Queued(); n > 0 {
		s.log.Error("closing with writes the database never received", "queued", n)
	}
	s.pool.Close()
}

// Pool is the connection pool (for tests and tools).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Queued is the number of writes waiting for the database.
func (s *Store) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Healthy is nil while the database takes writes; otherwise it says what
// is wrong and how much is waiting.
func (s *Store) Healthy() error {
	if !s.down.Load() && s.Queued() == 0 {
		return nil
	}
	msg, _ := s.downErr.Load().(string)
	s.pmu.Lock()
	pos := len(s.positions)
	s.pmu.Unlock()
	return fmt.Errorf("database unreachable (%s): %d writes and %d positions queued in memory, written when it returns", msg, s.Queued(), pos)
}

// unavailable tells an outage (retry later) from a refusal (the write is
// wrong and will never succeed).
func unavailable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code[:2] {
		case "08", "53", "57", "58": // connection, resources, operator intervention, system
			return true
		}
		return false
	}
	return err != nil
}

func (s *Store) markDown(err error) {
	s.downErr.Store(err.Error())
	if !s.down.Swap(true) {
		s.log.Error("database unreachable: queueing writes in memory", "err", err)
	}
}

func (s *Store) markUp() {
	if s.down.Swap(false) {
		s.log.Info("database reachable again; queue drained")
	}
}

// write runs one transaction now, or queues it behind earlier queued
// writes so the database sees every change in order.
func (s *Store) write(ctx context.Context, what string, run func(context.Context, pgx.Tx) error) error {
	o := op{what: what, run: run}
	s.mu.Lock()
	if len(s.queue) > 0 {
		defer s.mu.Unlock()
		return s.enqueue(o)
	}
	s.mu.Unlock()
	err := s.exec(ctx, o)
	if err == nil || !unavailable(err) {
		return err
	}
	s.markDown(err)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueue(o)
}

// enqueue holds o for the drainer. Caller holds s.mu.
func (s *Store) enqueue(o op) error {
	if len(s.queue) >= s.cfg.MaxQueued {
		return fmt.Errorf("%s: the database is unreachable and %d writes are already queued", o.what, len(s.queue))
	}
	s.queue = append(s.queue, o)
	s.counters.queuedTotal.Add(1)
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return tracking.ErrQueued
}

func (s *Store) exec(ctx context.Context, o op) error {
	// The change already stands in memory: finish the write even if the
	// request that caused it has gone.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.WriteTimeout)
	defer cancel()
	if err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return o.run(ctx, tx) }); err != nil {
		return fmt.Errorf("%s: %w", o.what, err)
	}
	return nil
}

func (s *Store) drainLoop() {
	defer s.done.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.kick:
			time.Sleep(100 * time.Millisecond) // let a flapping link settle
		}
		s.drain(context.Background())
	}
}

// drain writes queued operations in order until the queue is empty or the
// database fails again.
func (s *Store) drain(ctx context.Context) {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.mu.Unlock()
			if s.down.Load() && s.pool.Ping(ctx) == nil {
				s.markUp()
			}
			return
		}
		o := s.queue[0]
		s.mu.Unlock()
		err := s.exec(ctx, o)
		if err != nil && unavailable(err) {
			s.markDown(err)
			return
		}
		if err != nil {
			// It will never succeed; holding it would stop every later write.
			s.counters.writeFailures.Add(1)
			s.log.Error("queued write refused by the database; dropped", "write", o.what, "err", err)
		}
		s.mu.Lock()
		s.queue = s.queue[1:]
		if len(s.queue) == 0 {
			s.queue = nil
		}
		s.mu.Unlock()
	}
}
