package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

type posRow struct {
	unit string
	p    tracking.Position
	recv time.Time
}

// Append implements tracking.PositionLog. It never blocks on the database:
// fixes wait in memory for the next flush (at most FlushEvery).
func (s *Store) Append(unitID string, p tracking.Position, receivedAt time.Time) {
	s.pmu.Lock()
	s.positions = append(s.positions, posRow{unitID, p, receivedAt})
	if over := len(s.positions) - s.cfg.MaxPositions; over > 0 {
		s.positions = s.positions[over:]
		s.counters.positionsDropped.Add(uint64(over))
	}
	s.pmu.Unlock()
}

func (s *Store) flushLoop() {
	defer s.done.Done()
	t := time.NewTicker(s.cfg.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.flush(context.Background())
		}
	}
}

// Flush writes the fixes held so far (tests and shutdown call it; the
// flusher does every FlushEvery).
func (s *Store) Flush(ctx context.Context) error { return s.flush(ctx) }

// flush COPYs the buffered fixes into unit_positions and moves each unit's
// last position forward, in one transaction. On an outage the fixes go back
// to the front of the buffer.
func (s *Store) flush(ctx context.Context) error {
	leading, fresh := s.lead(ctx) // one writer of positions among the instances (leader.go)
	s.pmu.Lock()
	if !leading {
		s.positions = keepRecent(s.positions, time.Now())
		s.pmu.Unlock()
		return nil
	}
	batch := s.positions
	s.positions = nil
	s.pmu.Unlock()
	if fresh && len(batch) > 0 {
		if kept, err := s.unwritten(ctx, batch); err == nil {
			batch = kept
		}
	}
	batch = possible(batch, &s.counters.positionsDropped)
	if len(batch) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"unit_positions"},
			[]string{"unit_id", "reported_at", "received_at", "lon", "lat", "speed_kmh", "heading", "accuracy_m", "battery"},
			pgx.CopyFromSlice(len(batch), func(i int) ([]any, error) {
				r := batch[i]
				return []any{r.unit, r.p.At, r.recv, r.p.Lon, r.p.Lat, speedOf(r.p), headingOf(r.p), accuracyOf(r.p), battery(r.p)}, nil
			})); err != nil {
			return err
		}
		// The newest fix of each unit in the batch becomes its last position.
		last := map[string]int{}
		for i, r := range batch {
			if j, ok := last[r.unit]; !ok || r.p.At.After(batch[j].p.At) {
				last[r.unit] = i
			}
		}
		b := &pgx.Batch{}
		for _, i := range last {
			r := batch[i]
			b.Queue(`UPDATE units SET lon = $2, lat = $3, reported_at = $4, last_seen = $5, speed_kmh = $6, heading = $7,
					accuracy_m = $8, battery = $9
				WHERE id = $1 AND (reported_at IS NULL OR reported_at < $4)`,
				r.unit, r.p.Lon, r.p.Lat, r.p.At, r.recv, opt32(r.p.SpeedKmh), opt32(r.p.Heading), opt32(r.p.AccuracyM), battery(r.p))
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err == nil {
		s.counters.positionsWritten.Add(uint64(len(batch)))
		return nil
	}
	s.counters.flushFailures.Add(1)
	if !unavailable(err) {
		// Fixes pass the coordinate rule before they get here, so this is a
		// defect: keep the batch for an operator rather than drop it.
		s.deadLetterPositions(batch, err)
		return err
	}
	s.markDown(err)
	s.pmu.Lock()
	s.positions = append(batch, s.positions...)
	if over := len(s.positions) - s.cfg.MaxPositions; over > 0 {
		s.positions = s.positions[over:]
		s.counters.positionsDropped.Add(uint64(over))
	}
	s.pmu.Unlock()
	return err
}

// deadLetterPositions keeps a refused batch in dead_letters, one row.
func (s *Store) deadLetterPositions(batch []posRow, cause error) {
	type row struct {
		Unit       string            `json:"unit_id"`
		Position   tracking.Position `json:"position"`
		ReceivedAt time.Time         `json:"received_at"`
	}
	rows := make([]row, len(batch))
	for i, r := range batch {
		rows[i] = row{r.unit, r.p, r.recv}
	}
	body, _ := json.Marshal(rows)
	s.counters.deadLetters.Add(1)
	s.log.Error("position batch refused by the database; kept in dead_letters", "fixes", len(batch), "err", cause)
	ctx, cancel := context.WithTimeout(context.Background(), s.writeTimeout())
	defer cancel()
	if _, err := s.pool.Exec(ctx, `INSERT INTO dead_letters (action, actor, change, error) VALUES ('positions', 'ingest', $1, $2)`,
		string(body), clean(cause.Error())); err != nil {
		s.log.Error("dead letter not written either; here it is", "positions", string(body), "err", err)
	}
}

// battery is the fix's battery percent, or NULL when unknown.
func battery(p tracking.Position) *int16 {
	if p.Battery < 0 {
		return nil
	}
	b := int16(p.Battery)
	return &b
}

// opt32 is an optional reading for a real column: NULL when absent, never 0.
func opt32(o tracking.Optional) *float32 {
	if !o.Valid {
		return nil
	}
	v := float32(o.Value)
	return &v
}
