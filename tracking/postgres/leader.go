package postgres

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Positions are written once however many instances hear them: every
// instance gets every fix (its own R-tree needs them all), and only the
// holder of a PostgreSQL session advisory lock writes them. The lock lives
// as long as the holder's session: when the holder dies its connection
// closes, the lock is free, and another instance takes it at its next
// flush tick (500 ms). The others keep the last few seconds of fixes so the
// one that takes over writes what the dead holder had not.

// keepUnwritten is how long an instance that does not write positions
// keeps fixes, for a takeover.
const keepUnwritten = 10 * time.Second

type leader struct {
	mu      sync.Mutex
	conn    *pgxpool.Conn // the session holding the lock; nil when not leading
	leading atomic.Bool
	fresh   bool // just took over: the first batch skips what the old holder wrote
}

func (s *Store) leader() *leader { return &s.shared.leader }

// Leading reports whether this instance writes positions (and fires the
// timers that must fire once: arrival detection).
func (s *Store) Leading() bool { return !s.cfg.OneWriter || s.shared.leader.leading.Load() }

// lead checks that this instance still holds the lock, or tries to take it.
// It reports whether this instance writes positions now, and whether it
// has just taken over.
func (s *Store) lead(ctx context.Context) (leading, fresh bool) {
	if !s.cfg.OneWriter {
		return true, false
	}
	l := s.leader()
	if s.cfg.CanLead != nil && !s.cfg.CanLead() {
		if l.leading.Load() {
			s.log.Warn("this instance does not hear the fixes now (broker connection down): it gives the position writer's lock up")
		}
		l.release()
		return false, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, s.writeTimeout())
	defer cancel()
	if l.conn != nil {
		if err := l.conn.Ping(ctx); err == nil {
			fresh, l.fresh = l.fresh, false
			return true, fresh
		}
		s.log.Warn("lost the position writer's session; trying to take the lock again")
		l.conn.Conn().Close(ctx)
		l.conn.Release()
		l.conn = nil
		l.leading.Store(false)
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, false
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, s.shared.lockKey).Scan(&got); err != nil || !got {
		conn.Release()
		return false, false
	}
	l.conn = conn
	l.leading.Store(true)
	s.log.Info("this instance writes positions now (it holds the position writer's lock)")
	return true, true
}

// release gives the lock up (closing its session) on shutdown.
func (l *leader) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		l.conn.Conn().Close(context.Background())
		l.conn.Release()
		l.conn = nil
		l.leading.Store(false)
	}
}

// keepRecent drops, from fixes this instance does not write, those
// received before the takeover window.
func keepRecent(rows []posRow, now time.Time) []posRow {
	i := 0
	for i < len(rows) && now.Sub(rows[i].recv) > keepUnwritten {
		i++
	}
	return rows[i:]
}

// unwritten keeps, of a new holder's first batch, the fixes newer than
// each unit's last position in the database: what the old holder had not
// written.
func (s *Store) unwritten(ctx context.Context, batch []posRow) ([]posRow, error) {
	ids := map[string]bool{}
	var list []string
	for _, r := range batch {
		if !ids[r.unit] {
			ids[r.unit] = true
			list = append(list, r.unit)
		}
	}
	rows, err := s.pool.Query(ctx, `SELECT id, reported_at FROM units WHERE id = ANY($1) AND reported_at IS NOT NULL`, list)
	if err != nil {
		return nil, err
	}
	last := map[string]time.Time{}
	var id string
	var at time.Time
	for rows.Next() {
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, err
		}
		last[id] = at
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := batch[:0:0]
	for _, r := range batch {
		if t, ok := last[r.unit]; !ok || r.p.At.After(t) {
			out = append(out, r)
		}
	}
	return out, nil
}
