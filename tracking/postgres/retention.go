package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPositionsRetention is how long fixes are kept when the operator
// does not say (--positions-retention).
const DefaultPositionsRetention = 90 * 24 * time.Hour

// partitionsAhead: the retention job keeps the partitions of today and of
// this many days ahead ready, so the flusher never waits for DDL and a fix
// up to tracking.MaxFixAhead in the future still finds its day.
const partitionsAhead = 2

const partitionPrefix = "unit_positions_p"

// appliedKept is how long a written change's id is kept: a write given up
// on and retried after a longer outage than this could be applied twice.
const appliedKept = 24 * time.Hour

// Retain runs the retention job once at now: it creates the day partitions
// of unit_positions that will be needed, drops those wholly older than the
// retention (a DROP TABLE, instant and without dead rows), and deletes the
// older rows of the default partition and of region_events, and the ids of
// changes written more than a day ago. It returns the partitions dropped.
func (s *Store) Retain(ctx context.Context, now time.Time) (dropped []string, err error) {
	today := now.UTC().Truncate(24 * time.Hour)
	for d := 0; d <= partitionsAhead; d++ {
		day := today.AddDate(0, 0, d)
		name := partitionPrefix + day.Format("20060102")
		// A day already in the default partition (fixes that came before its
		// partition) cannot get one: it stays in the default, which works.
		_, err := s.pool.Exec(ctx, fmt.Sprintf(`DO $$ BEGIN
			IF to_regclass(%s) IS NULL AND NOT EXISTS (SELECT 1 FROM unit_positions_default WHERE reported_at >= %s AND reported_at < %s) THEN
				CREATE TABLE %s PARTITION OF unit_positions FOR VALUES FROM (%s) TO (%s);
			END IF; END $$`, quoteLit(name), quoteTime(day), quoteTime(day.AddDate(0, 0, 1)),
			pgx.Identifier{name}.Sanitize(), quoteTime(day), quoteTime(day.AddDate(0, 0, 1))))
		if err != nil {
			return nil, fmt.Errorf("create partition %s: %w", name, err)
		}
	}
	cutoff := now.Add(-s.cfg.PositionsRetention)
	rows, err := s.pool.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'unit_positions'::regclass AND c.relname LIKE 'unit_positions_p%'`)
	if err != nil {
		return nil, fmt.Errorf("list partitions: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list partitions: %w", err)
	}
	for _, name := range names {
		day, err := time.Parse("20060102", strings.TrimPrefix(name, partitionPrefix))
		if err != nil || day.AddDate(0, 0, 1).After(cutoff) {
			continue // not ours, or holds fixes still kept
		}
		if _, err := s.pool.Exec(ctx, `DROP TABLE `+pgx.Identifier{name}.Sanitize()); err != nil {
			return dropped, fmt.Errorf("drop partition %s: %w", name, err)
		}
		dropped = append(dropped, name)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM unit_positions_default WHERE reported_at < $1`, cutoff); err != nil {
		return dropped, fmt.Errorf("trim default partition: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM region_events WHERE at < $1`, cutoff); err != nil {
		return dropped, fmt.Errorf("trim region events: %w", err)
	}
	// A change's id only matters while a retry of it may come (writer.go).
	if _, err := s.pool.Exec(ctx, `DELETE FROM applied_changes WHERE at < $1`, now.Add(-appliedKept)); err != nil {
		return dropped, fmt.Errorf("trim applied changes: %w", err)
	}
	return dropped, nil
}

// retentionLoop runs Retain every hour (Open ran it once).
func (s *Store) retentionLoop() {
	defer s.done.Done()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if dropped, err := s.Retain(ctx, time.Now()); err != nil {
			s.log.Error("position retention failed; retrying within the hour", "err", err)
		} else if len(dropped) > 0 {
			s.log.Info("old positions dropped", "partitions", dropped, "retention", s.cfg.PositionsRetention)
		}
		cancel()
	}
}

func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteTime(t time.Time) string { return quoteLit(t.UTC().Format(time.RFC3339)) }
