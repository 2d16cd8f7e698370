package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/uber/h3-go/v4"

	"siaga112/tracking/analytics"
)

// cells returns the point's H3 cells at analytics.KeptRes, as stored in
// the h3_r7, h3_r8 and h3_r9 columns.
func cells(lat, lon float64) [3]int64 {
	var out [3]int64
	for i, c := range analytics.Cells(lat, lon) {
		out[i] = int64(c)
	}
	return out
}

var _ analytics.Querier = (*Store)(nil)

// CanRun implements analytics.Querier: every query but H3 grouping at a
// resolution without a column.
func (s *Store) CanRun(q analytics.Query) bool {
	if q.By != analytics.ByH3 {
		return true
	}
	return slices.Contains(analytics.KeptRes[:], q.Res)
}

// Run implements analytics.Querier: the filters, the grouping and the
// percentiles all run in PostgreSQL, over the imported history and the
// live incidents together. percentile_disc is the nearest-rank percentile.
func (s *Store) Run(ctx context.Context, q analytics.Query) (analytics.Result, error) {
	if err := q.Validate(); err != nil {
		return analytics.Result{}, err
	}
	if !s.CanRun(q) {
		return analytics.Result{}, fmt.Errorf("H3 resolution %d has no column", q.Res)
	}
	var key string
	switch q.By {
	case analytics.ByKecamatan:
		key = "kecamatan_code"
	case analytics.ByKelurahan:
		key = "kelurahan_code"
	default:
		key = "h3_r" + strconv.Itoa(q.Res) + "::text"
	}
	var start, end string
	switch q.Segment {
	case analytics.SegmentResponse:
		start, end = "received_at", "on_scene_at"
	case analytics.SegmentCallProcessing:
		start, end = "received_at", "dispatched_at"
	default:
		start, end = "dispatched_at", "on_scene_at"
	}
	from, to := q.From, q.To
	if from.IsZero() {
		from = time.Unix(0, 0)
	}
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	// The column names above come from fixed lists, never from the request.
	sql := `WITH picked AS (
			SELECT ` + key + ` AS key, ` + start + ` AS a, ` + end + ` AS b FROM incident_history
			WHERE received_at >= $1 AND received_at < $2 AND ($3 = '' OR category = $3)
			UNION ALL
			SELECT ` + key + `, ` + start + `, ` + end + ` FROM incidents
			WHERE received_at >= $1 AND received_at < $2 AND ($3 = '' OR category = $3)
		)
		SELECT key, count(*) FILTER (WHERE a IS NOT NULL AND b IS NOT NULL),
			count(*) FILTER (WHERE a IS NULL OR b IS NULL),
			percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM b - a)) FILTER (WHERE a IS NOT NULL AND b IS NOT NULL),
			percentile_disc(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM b - a)) FILTER (WHERE a IS NOT NULL AND b IS NOT NULL)
		FROM picked GROUP BY key ORDER BY key`
	rows, err := s.pool.Query(ctx, sql, from, to, string(q.Category))
	if err != nil {
		return analytics.Result{}, fmt.Errorf("response times: %w", err)
	}
	defer rows.Close()
	var res analytics.Result
	for rows.Next() {
		var k *string
		var n, excluded int
		var p50, p90 *float64
		if err := rows.Scan(&k, &n, &excluded, &p50, &p90); err != nil {
			return analytics.Result{}, fmt.Errorf("response times: %w", err)
		}
		res.Matched += n + excluded
		res.Excluded += excluded
		if n == 0 || k == nil {
			continue
		}
		g := analytics.Group{Key: *k, Summary: analytics.Summary{Count: n, P50: *p50, P90: *p90}}
		if q.By == analytics.ByH3 {
			c, _ := strconv.ParseInt(*k, 10, 64)
			g.Key = h3.Cell(c).String()
		}
		res.Groups = append(res.Groups, g)
	}
	if err := rows.Err(); err != nil {
		return analytics.Result{}, fmt.Errorf("response times: %w", err)
	}
	return res, nil
}
