package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

// queueChange adds c's statements to b: its caller, incident and
// assignments, units, and one audit row.
func queueChange(b *pgx.Batch, c tracking.Change) error {
	var subject string
	var data any
	if cl := c.Caller; cl != nil {
		lifts, err := json.Marshal(nonNil(cl.Lifts))
		if err != nil {
			return err
		}
		if c.Prank != nil {
			queuePrank(b, cl.Number, *c.Prank)
		} else {
			// prank_calls only ever grow, in SQL (queuePrank): a change made
			// from this instance's memory must not drop another's marks.
			b.Queue(`INSERT INTO callers (number, prank_calls, blocked_until, proposed_permanent_block, lifts)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (number) DO UPDATE SET blocked_until = $3, proposed_permanent_block = $4, lifts = $5`,
				cl.Number, nonNil(cl.PrankCalls), cl.BlockedUntil, cl.ProposedPermanentBlock, lifts)
		}
		subject, data = cl.Number, cl
	}
	if in := c.Incident; in != nil {
		if err := queueIncident(b, *in); err != nil {
			return err
		}
		cp := *in
		cp.Persisted = false
		subject, data = in.ID, cp
	}
	for _, u := range c.Units {
		if u.Deleted {
			queueUnitDeleted(b, u.ID, c.At)
		} else {
			b.Queue(`INSERT INTO units (id, callsign, type, agency, status, status_at, tracker_id, disabled)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (id) DO UPDATE SET callsign = $2, type = $3, agency = $4, status = $5, status_at = $6, tracker_id = $7,
					disabled = $8, deleted_at = NULL`,
				u.ID, u.Callsign, string(u.Type), u.Agency, string(u.Status), nullTime(u.StatusAt), nullText(u.TrackerID), u.Disabled)
			queueCredentials(b, u)
		}
		if subject == "" {
			subject, data = u.ID, u.AuditData()
		}
	}
	if e := c.Region; e != nil {
		queueRegionEvent(b, *e)
		if subject == "" {
			subject, data = e.UnitID, map[string]any{"kind": e.Kind, "region": e.Region, "region_id": e.RegionID, "trigger": e.Trigger, "at": e.At}
		}
	}
	if cl := c.Call; cl != nil {
		b.Queue(`INSERT INTO calls (id, at, number, outcome, incident_id, note, by_actor, call_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			cl.ID, cl.At, cl.Number, string(cl.Outcome), cl.IncidentID, cl.Note, cl.By, cl.CallID)
		if subject == "" {
			subject, data = cl.Number, cl
		}
	}
	if sub, d := queuePhone(b, c); sub != "" && subject == "" {
		subject, data = sub, d
	}
	if c.Versioned() {
		if err := queueRecords(b, c); err != nil {
			return err
		}
		if subject == "" {
			subject, data = tracking.RecordsAudit(c.Records)
		}
		// An expiry notes itself (only when sessions went); a token's last
		// use is no act for the trail.
		if len(c.Records) == 0 || c.Audit.Action == "" {
			return nil
		}
	}
	body, err := json.Marshal(data)
	if err != nil {
		return err
	}
	queueEvent(b, c.Audit, c.At, subject, body)
	return nil
}

// queueEvent adds one audit row. Its time is the change's (a change
// queued during an outage keeps when it happened, not when it was
// written); a change without one takes the database's clock.
func queueEvent(b *pgx.Batch, a tracking.Audit, at time.Time, subject string, data []byte) {
	b.Queue(`INSERT INTO events (at, action, actor, subject, data) VALUES (COALESCE($1, now()), $2, $3, $4, $5)`,
		nullTime(at), a.Action, a.Actor, subject, data)
}

// queueIncident writes the incident and every assignment. A unit already
// open on another incident is refused (the partial unique index), and so
// is an assignment numbered like another instance's with another unit
// (the trigger assignments_keep_unit sees unit_id change).
func queueIncident(b *pgx.Batch, in tracking.Incident) error {
	c := cells(in.Lat, in.Lon)
	parts, err := json.Marshal(nonNil(in.AgencyParts))
	if err != nil {
		return err
	}
	notes, err := json.Marshal(nonNil(in.Notes))
	if err != nil {
		return err
	}
	b.Queue(`INSERT INTO incidents (id, category, lon, lat, kecamatan_code, kecamatan_name, kelurahan_code,
			kelurahan_name, approximate, caller, description, status, lead_agency, received_at, dispatched_at, en_route_at,
			on_scene_at, cleared_at, closed_at, agency_due_at, agency_acted_at, h3_r7, h3_r8, h3_r9, agency_parts, notes)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26)
		ON CONFLICT (id) DO UPDATE SET status = $12, dispatched_at = $15, en_route_at = $16, on_scene_at = $17,
			cleared_at = $18, closed_at = $19, agency_acted_at = $21, description = $11, agency_parts = $25, notes = $26`,
		in.ID, string(in.Category), in.Lon, in.Lat, in.Kecamatan.Code, in.Kecamatan.Name, in.Kelurahan.Code, in.Kelurahan.Name,
		in.Approximate, in.Caller, in.Description, string(in.Status), in.LeadAgency, in.ReceivedAt, in.DispatchedAt,
		in.EnRouteAt, in.OnSceneAt, in.ClearedAt, in.ClosedAt, in.AgencyDueAt, in.AgencyActedAt, c[0], c[1], c[2], parts, notes)
	for i, as := range in.Assignments {
		b.Queue(`INSERT INTO assignments (incident_id, seq, unit_id, unit_type, status, distance_m, eta_s, dispatched_at,
				en_route_at, on_scene_at, on_scene_detected, transporting_at, at_hospital_at, cleared_at, dispatched_by, eta_model)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
			ON CONFLICT (incident_id, seq) DO UPDATE SET unit_id = $3, status = $5, en_route_at = $9, on_scene_at = $10,
				on_scene_detected = $11, transporting_at = $12, at_hospital_at = $13, cleared_at = $14`,
			in.ID, i, as.UnitID, string(as.UnitType), string(as.Status), as.DistanceM, as.ETASeconds, as.DispatchedAt,
			as.EnRouteAt, as.OnSceneAt, as.OnSceneDetected, as.TransportingAt, as.AtHospitalAt, as.ClearedAt, as.DispatchedBy, as.EtaModel)
	}
	return nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// nullText is NULL for "" (a unique column holds many NULLs).
func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// queueUnitDeleted retires a unit's row (migration 017): its positions,
// assignments and events keep naming it; its tracker id, last position
// and credentials go.
func queueUnitDeleted(b *pgx.Batch, id string, at time.Time) {
	b.Queue(`UPDATE units SET deleted_at = COALESCE($2, now()), disabled = false, tracker_id = NULL, lon = NULL, lat = NULL,
			reported_at = NULL, last_seen = NULL, speed_kmh = NULL, heading = NULL, accuracy_m = NULL, battery = NULL
		WHERE id = $1`, id, nullTime(at))
	b.Queue(`DELETE FROM unit_credentials WHERE unit_id = $1`, id)
}

// Units implements tracking.Store: the units not deleted.
func (s *Store) Units(ctx context.Context) ([]tracking.Unit, error) { return s.units(ctx, "true") }

// units loads the units not deleted where cond holds (SQL, with args).
func (s *Store) units(ctx context.Context, cond string, args ...any) ([]tracking.Unit, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, callsign, type, agency, status, status_at, lon, lat, reported_at, last_seen,
		speed_kmh, heading, accuracy_m, battery, coalesce(c.secret_hash, ''), coalesce(tracker_id, ''), coalesce(c.owntracks_secret, ''), disabled
		FROM units LEFT JOIN unit_credentials c ON c.unit_id = units.id WHERE deleted_at IS NULL AND (`+cond+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.Unit, error) {
		var u tracking.Unit
		var statusAt, reported, seen *time.Time
		var lon, lat *float64
		var speed, heading, acc *float32
		var batt *int16
		if err := r.Scan(&u.ID, &u.Callsign, &u.Type, &u.Agency, &u.Status, &statusAt, &lon, &lat, &reported, &seen, &speed, &heading, &acc, &batt, &u.SecretHash, &u.TrackerID, &u.OwnTracksSecret, &u.Disabled); err != nil {
			return u, err
		}
		if statusAt != nil {
			u.StatusAt = *statusAt
		}
		if lon != nil && lat != nil && reported != nil {
			u.Position = tracking.Position{Lon: *lon, Lat: *lat, At: *reported, Battery: -1}
			if speed != nil {
				u.Position.SpeedKmh = tracking.Some(float64(*speed))
			}
			if heading != nil {
				u.Position.Heading = tracking.Some(float64(*heading))
			}
			if acc != nil {
				u.Position.AccuracyM = tracking.Some(float64(*acc))
			}
			if batt != nil {
				u.Position.Battery = int(*batt)
			}
			if seen != nil {
				u.LastSeen = *seen
			}
		}
		return u, nil
	})
}

// RecentlyClosed is how long closed incidents are loaded back at start
// (the agency deadline's span), besides every open one.
const RecentlyClosed = 72 * time.Hour

// Incidents implements tracking.Store: open incidents and those closed in
// the last 72 h, with their assignments.
func (s *Store) Incidents(ctx context.Context) ([]tracking.Incident, error) {
	return s.incidents(ctx, `status = 'open' OR closed_at > now() - $1::interval`, fmt.Sprintf("%d seconds", int(RecentlyClosed.Seconds())))
}

// incidents loads the incidents where cond holds (SQL, with args), with
// their assignments.
func (s *Store) incidents(ctx context.Context, cond string, args ...any) ([]tracking.Incident, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, category, lon, lat, kecamatan_code, kecamatan_name, kelurahan_code, kelurahan_name,
			approximate, caller, description, status, lead_agency, received_at, dispatched_at, en_route_at, on_scene_at,
			cleared_at, closed_at, agency_due_at, agency_acted_at, agency_parts, notes
		FROM incidents WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load incidents: %w", err)
	}
	ins, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.Incident, error) {
		var in tracking.Incident
		var parts, notes []byte
		err := r.Scan(&in.ID, &in.Category, &in.Lon, &in.Lat, &in.Kecamatan.Code, &in.Kecamatan.Name, &in.Kelurahan.Code,
			&in.Kelurahan.Name, &in.Approximate, &in.Caller, &in.Description, &in.Status, &in.LeadAgency, &in.ReceivedAt,
			&in.DispatchedAt, &in.EnRouteAt, &in.OnSceneAt, &in.ClearedAt, &in.ClosedAt, &in.AgencyDueAt, &in.AgencyActedAt, &parts, &notes)
		in.Assignments = []tracking.Assignment{}
		if err == nil {
			err = json.Unmarshal(parts, &in.AgencyParts)
		}
		if err == nil {
			err = json.Unmarshal(notes, &in.Notes)
		}
		return in, err
	})
	if err != nil {
		return nil, fmt.Errorf("load incidents: %w", err)
	}
	byID := make(map[string]*tracking.Incident, len(ins))
	ids := make([]string, len(ins))
	for i := range ins {
		byID[ins[i].ID], ids[i] = &ins[i], ins[i].ID
	}
	arows, err := s.pool.Query(ctx, `SELECT incident_id, unit_id, unit_type, status, distance_m, eta_s, dispatched_at, en_route_at,
			on_scene_at, on_scene_detected, transporting_at, at_hospital_at, cleared_at, dispatched_by, eta_model
		FROM assignments WHERE incident_id = ANY($1) ORDER BY incident_id, seq`, ids)
	if err != nil {
		return nil, fmt.Errorf("load assignments: %w", err)
	}
	var incID string
	var a tracking.Assignment
	_, err = pgx.ForEachRow(arows, []any{&incID, &a.UnitID, &a.UnitType, &a.Status, &a.DistanceM, &a.ETASeconds, &a.DispatchedAt,
		&a.EnRouteAt, &a.OnSceneAt, &a.OnSceneDetected, &a.TransportingAt, &a.AtHospitalAt, &a.ClearedAt, &a.DispatchedBy, &a.EtaModel}, func() error {
		in := byID[incID]
		in.Assignments = append(in.Assignments, a)
		a = tracking.Assignment{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load assignments: %w", err)
	}
	return ins, nil
}

// Callers implements tracking.Store.
func (s *Store) Callers(ctx context.Context) ([]tracking.Caller, error) {
	return s.callers(ctx, "true")
}

// callers loads the callers where cond holds (SQL, with args).
func (s *Store) callers(ctx context.Context, cond string, args ...any) ([]tracking.Caller, error) {
	rows, err := s.pool.Query(ctx, `SELECT number, prank_calls, blocked_until, proposed_permanent_block, lifts FROM callers WHERE `+cond+` ORDER BY number`, args...)
	if err != nil {
		return nil, fmt.Errorf("load callers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.Caller, error) {
		var c tracking.Caller
		var lifts []byte
		if err := r.Scan(&c.Number, &c.PrankCalls, &c.BlockedUntil, &c.ProposedPermanentBlock, &lifts); err != nil {
			return c, err
		}
		return c, json.Unmarshal(lifts, &c.Lifts)
	})
}

// LastIncidentID implements tracking.Store.
func (s *Store) LastIncidentID(ctx context.Context) (string, error) {
	var id *string
	if err := s.pool.QueryRow(ctx, `SELECT max(id) FROM incidents`).Scan(&id); err != nil || id == nil {
		return "", err
	}
	return *id, nil
}
