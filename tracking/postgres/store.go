// Package postgres keeps siaga112's state in PostgreSQL with PostGIS,
// through jackc/pgx/v5. Every change goes through one ordered queue and one
// writer (writer.go), each change whole in one transaction; while the
// database is unreachable changes wait in order, in memory, and are written
// when it returns. Positions are written in batches with COPY.
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
	// MaxQueued bounds the changes held while the database is unreachable
	// (default 100,000); past it a change is refused at once.
	MaxQueued int
	// MaxPositions bounds the fixes held while the database is unreachable
	// (default 1,000,000, about 100 MB); past it the oldest are dropped
	// and counted.
	MaxPositions int
	// WriteTimeout is the least time one write transaction may take
	// (default 5 s); it grows with the round trip the pings measure
	// (health.go). A write that takes longer is retried, never applied
	// twice.
	WriteTimeout time.Duration
	// PositionsRetention is how long fixes and region events are kept
	// (default DefaultPositionsRetention); older day partitions are dropped.
	PositionsRetention time.Duration
	// OneWriter: several instances hear the same fixes (a shared external
	// broker), and only the holder of an advisory lock writes them
	// (leader.go). Without it every fix this store is given is written.
	OneWriter bool
	// CanLead, with OneWriter, says whether this instance hears the fixes
	// now (its broker connection is up); when it does not, it gives the
	// writer's lock up for an instance that does. nil: always.
	CanLead func() bool
}

// Store is a tracking.Store and tracking.PositionLog on PostgreSQL.
type Store struct {
	cfg  Config
	pool *pgxpool.Pool
	log  *slog.Logger

	mu    sync.Mutex
	queue []pending // changes waiting for the writer, oldest first
	kick  chan struct{}

	pmu       sync.Mutex
	positions []posRow

	down     atomic.Bool
	downErr  atomic.Value // string
	downSlow atomic.Bool  // the write that failed timed out (the database may only be slow)
	stop     chan struct{}
	done     sync.WaitGroup
	counters counters
	shared   *shared       // other instances on the same database (shared.go)
	changes  atomic.Uint64 // changes submitted, numbering their ids
	health   health        // health.go
}

type counters struct {
	queuedTotal, writeFailures, deadLetters, positionsWritten, positionsDropped, flushFailures, retriedWritten, pings atomic.Uint64
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
	if cfg.PositionsRetention <= 0 {
		cfg.PositionsRetention = DefaultPositionsRetention
	}
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if pc.ConnConfig.ConnectTimeout == 0 || pc.ConnConfig.ConnectTimeout > 3*time.Second {
		pc.ConnConfig.ConnectTimeout = 3 * time.Second
	}
	// Only a connection idle for a while is pinged before use: a ping
	// every second (health.go) finds broken ones, and under a slow
	// database a ping before each write would double its round trips.
	pc.ShouldPing = func(_ context.Context, p pgxpool.ShouldPingParams) bool { return p.IdleDuration > time.Minute }
	// A connection takes a few round trips (startup, authentication): under
	// a slow database it gets the time they take, as a write does.
	var st atomic.Pointer[Store]
	pc.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		if s := st.Load(); s != nil {
			cc.ConnectTimeout = max(cc.ConnectTimeout, min(s.writeTimeout(), pingWait))
		}
		return nil
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
	// The first round trip measured on an open connection (the ping above
	// also connected).
	pinged := time.Now()
	if err := pool.Ping(ctx); err == nil {
		s.health.answered, s.health.rtt = time.Now(), time.Since(pinged)
	}
	st.Store(s)
	if len(applied) > 0 {
		s.log.Info("database migrated", "versions", applied)
	}
	if err := newShared(ctx, s); err != nil {
		pool.Close()
		return nil, err
	}
	// Today's partition exists before the first flush.
	if _, err := s.Retain(ctx, time.Now()); err != nil {
		pool.Close()
		return nil, err
	}
	s.done.Add(4)
	go s.writeLoop()
	go s.flushLoop()
	go s.retentionLoop()
	go s.pingLoop()
	return s, nil
}

// Close flushes the positions, tries once more to drain the queue, and
// disconnects.
func (s *Store) Close(ctx context.Context) {
	close(s.stop)
	s.done.Wait()
	s.flush(ctx)
	s.writeQueued(ctx)
	if n := s.Queued(); n > 0 {
		s.log.Error("closing with changes the database never received", "queued", n)
	}
	s.stopShared()
	s.pool.Close()
}

// Pool is the connection pool (for tests and tools).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Healthy is nil while the database answers within a second and takes
// writes, and has refused none; otherwise it says what is wrong (slow or
// unreachable) and how much is waiting. It reads what the pings and the
// writer measured: it never waits for the database.
func (s *Store) Healthy() error {
	if n := s.counters.deadLetters.Load(); n > 0 {
		return fmt.Errorf("the database refused %d changes: they are kept in the dead_letters table (siaga112_db_dead_letters_total); an operator must read them", n)
	}
	state, why := s.health.state(time.Now())
	if s.down.Load() {
		msg, _ := s.downErr.Load().(string)
		s.pmu.Lock()
		pos := len(s.positions)
		s.pmu.Unlock()
		if s.downSlow.Load() && state != dbUnreachable {
			return fmt.Errorf("database slow: writes do not finish in time (%s); %d changes and %d positions queued in memory, written as it answers", msg, s.Queued(), pos)
		}
		return fmt.Errorf("database unreachable (%s): %d changes and %d positions queued in memory, written when it returns", msg, s.Queued(), pos)
	}
	switch state {
	case dbUnreachable:
		return fmt.Errorf("database unreachable: %s", why)
	case dbSlow:
		return fmt.Errorf("database slow: %s", why)
	}
	return nil
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

// markDown records an outage and answers every waiting change: it is
// queued (ErrQueued), the change stands, and it is written when the
// database returns.
func (s *Store) markDown(err error) {
	s.downErr.Store(brief(err))
	s.downSlow.Store(errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err))
	if !s.down.Swap(true) {
		s.log.Error("database unreachable: queueing changes in memory", "err", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.queue {
		if p := &s.queue[i]; !p.told {
			p.told = true
			s.counters.queuedTotal.Add(1)
			p.done(tracking.ErrQueued)
		}
	}
}

func (s *Store) markUp() {
	if s.down.Swap(false) {
		s.log.Info("database reachable again; queue drained")
	}
}
