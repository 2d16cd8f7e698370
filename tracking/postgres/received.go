package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

// IncidentsReceived lists the incidents received in [from, to), closed
// ones included, without their assignments (the compliance report reads
// the SOP fields only).
func (s *Store) IncidentsReceived(ctx context.Context, from, to time.Time) ([]tracking.Incident, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, category, status, lead_agency, received_at, closed_at, agency_due_at, agency_acted_at, agency_parts
		FROM incidents WHERE received_at >= $1 AND received_at < $2 ORDER BY id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("incidents received: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.Incident, error) {
		var in tracking.Incident
		err := r.Scan(&in.ID, &in.Category, &in.Status, &in.LeadAgency, &in.ReceivedAt, &in.ClosedAt, &in.AgencyDueAt, &in.AgencyActedAt, &in.AgencyParts)
		return in, err
	})
	if err != nil {
		return nil, fmt.Errorf("incidents received: %w", err)
	}
	return out, nil
}
