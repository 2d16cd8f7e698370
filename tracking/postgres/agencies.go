package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

// AgencyContacts returns the contacts admins set, by agency code (table
// agency_contacts, migration 013); an agency not in it keeps the plans
// file's.
func (s *Store) AgencyContacts(ctx context.Context) (map[string][]tracking.Contact, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, contacts FROM agency_contacts`)
	if err != nil {
		return nil, fmt.Errorf("load agency contacts: %w", err)
	}
	out := map[string][]tracking.Contact{}
	var code string
	var body []byte
	_, err = pgx.ForEachRow(rows, []any{&code, &body}, func() error {
		var cs []tracking.Contact
		if err := json.Unmarshal(body, &cs); err != nil {
			return err
		}
		out[code] = cs
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load agency contacts: %w", err)
	}
	return out, nil
}

// SaveAgencyContacts stores an agency's contacts, with an audit row,
// through the ordered writer.
func (s *Store) SaveAgencyContacts(ctx context.Context, code string, cs []tracking.Contact, by string, at time.Time) error {
	body, err := json.Marshal(nonNil(cs))
	if err != nil {
		return err
	}
	return s.write(ctx, "save contacts of "+code, func(b *pgx.Batch) {
		b.Queue(`INSERT INTO agency_contacts (code, contacts, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code) DO UPDATE SET contacts = $2, updated_at = $3, updated_by = $4`, code, body, at, by)
		b.Queue(`INSERT INTO events (action, actor, subject, data) VALUES ('agency.contacts', $1, $2, $3)`, by, code, body)
	})
}
