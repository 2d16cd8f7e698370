package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

// Records (tracking.Record: users, tokens, sessions, geofences, agency
// contacts, place-book entries) are written by the ordered writer like every change. A
// transaction that writes records first takes one advisory lock (per
// schema) and holds it to its commit, and each such change takes its
// version from the sequence record_version under it: versions follow the
// commit order across instances, so "everything after version V" is an
// exact question (Records). Rows carry their version; deletions leave
// tombstones.

var _ tracking.RecordStore = (*Store)(nil)

// queueRecordsLock adds the records lock to b; it is the batch's first
// statement, so two writers never wait for each other's row locks under
// it.
func (s *Store) queueRecordsLock(b *pgx.Batch) {
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, s.shared.recordsKey)
}

// queueVersion adds the statement that takes c's version; got hears it.
// The change's statements then use currval('record_version').
func queueVersion(b *pgx.Batch, got *int64) {
	b.Queue(`SELECT nextval('record_version')`).QueryRow(func(r pgx.Row) error { return r.Scan(got) })
}

// endSessions removes the sessions cond selects (SQL over sessions, with
// $1) and leaves their tombstones.
func endSessions(b *pgx.Batch, cond string, arg any) {
	b.Queue(`WITH d AS (DELETE FROM sessions WHERE `+cond+` RETURNING hash, expires_at)
		INSERT INTO tombstones (kind, key, version, expires_at) SELECT 'session', hash, currval('record_version'), expires_at FROM d
		ON CONFLICT (kind, key) DO UPDATE SET version = EXCLUDED.version, expires_at = EXCLUDED.expires_at`, arg)
}

func tombstone(b *pgx.Batch, kind tracking.RecordKind, key string) {
	b.Queue(`INSERT INTO tombstones (kind, key, version) VALUES ($1, $2, currval('record_version'))
		ON CONFLICT (kind, key) DO UPDATE SET version = EXCLUDED.version, expires_at = NULL`, string(kind), key)
}

// unbury removes a reused key's tombstone when its record is saved again.
func unbury(b *pgx.Batch, kind tracking.RecordKind, key string) {
	b.Queue(`DELETE FROM tombstones WHERE kind = $1 AND key = $2`, string(kind), key)
}

// queueRecords adds the statements of c's records and of its session
// expiry, and the audit row of a change that is only records.
func queueRecords(b *pgx.Batch, c tracking.Change) error {
	for _, r := range c.Records {
		if err := queueRecord(b, r, c); err != nil {
			return err
		}
	}
	if t := c.ExpireSessions; !t.IsZero() {
		// Memory drops expired sessions by time; the trail notes how many
		// went, and nothing when none did.
		b.Queue(`WITH d AS (DELETE FROM sessions WHERE expires_at <= $1 RETURNING 1)
			INSERT INTO events (at, action, actor, subject, data)
			SELECT $1, $2, $3, 'sessions', jsonb_build_object('expired', count(*)) FROM d HAVING count(*) > 0`,
			t, c.Audit.Action, c.Audit.Actor)
		b.Queue(`DELETE FROM tombstones WHERE kind = 'session' AND expires_at <= $1`, t)
	}
	return nil
}

func queueRecord(b *pgx.Batch, r tracking.Record, c tracking.Change) error {
	switch {
	case r.Kind == tracking.RecordUser && r.Deleted:
		b.Queue(`DELETE FROM users WHERE name = $1`, r.Key)
		endSessions(b, `user_name = $1`, r.Key)
		tombstone(b, r.Kind, r.Key)
	case r.Kind == tracking.RecordUser:
		u := r.User
		b.Queue(`INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at, agency, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, currval('record_version'))
			ON CONFLICT (name) DO UPDATE SET role = $2, password_hash = $3, disabled = $4, updated_at = $6, agency = $7,
				version = currval('record_version')`,
			u.Name, string(u.Role), u.PasswordHash, u.Disabled, u.CreatedAt, u.UpdatedAt, u.Agency)
		unbury(b, r.Kind, r.Key)
		if r.EndSessions {
			endSessions(b, `user_name = $1`, r.Key)
		}
	case r.Kind == tracking.RecordToken && r.Deleted:
		b.Queue(`DELETE FROM api_tokens WHERE id = $1`, r.Key)
		endSessions(b, `token_id = $1`, r.Key)
		tombstone(b, r.Kind, r.Key)
	case r.Kind == tracking.RecordToken:
		// Never again once revoked: a last use written after the
		// revocation inserts nothing.
		t := r.Token
		b.Queue(`INSERT INTO api_tokens (id, name, role, hash, created_at, last_used, version)
			SELECT $1, $2, $3, $4, $5, $6, currval('record_version')
			WHERE NOT EXISTS (SELECT 1 FROM tombstones WHERE kind = 'token' AND key = $1)
			ON CONFLICT (id) DO UPDATE SET name = $2, role = $3, last_used = greatest(api_tokens.last_used, $6),
				version = currval('record_version')`,
			t.ID, t.Name, string(t.Role), t.Hash, t.CreatedAt, t.LastUsed)
	case r.Kind == tracking.RecordSession && r.Deleted:
		b.Queue(`WITH d AS (DELETE FROM sessions WHERE hash = $1 RETURNING expires_at)
			INSERT INTO tombstones (kind, key, version, expires_at)
			VALUES ('session', $1, currval('record_version'), coalesce((SELECT expires_at FROM d), now() + interval '1 day'))
			ON CONFLICT (kind, key) DO UPDATE SET version = EXCLUDED.version, expires_at = EXCLUDED.expires_at`, r.Key)
	case r.Kind == tracking.RecordSession:
		se := r.Session
		b.Queue(`INSERT INTO sessions (hash, user_name, token_id, principal, role, csrf, created_at, expires_at, version)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, currval('record_version')
			WHERE NOT EXISTS (SELECT 1 FROM tombstones WHERE kind = 'session' AND key = $1)
			ON CONFLICT (hash) DO UPDATE SET expires_at = $8, version = currval('record_version')`,
			se.Hash, se.User, se.TokenID, se.Principal.Name, string(se.Principal.Role), se.CSRF, se.CreatedAt, se.ExpiresAt)
	case r.Kind == tracking.RecordGeofence && r.Deleted:
		b.Queue(`DELETE FROM geofences WHERE id = $1`, r.Key)
		tombstone(b, r.Kind, r.Key)
	case r.Kind == tracking.RecordGeofence:
		// A circle's shape is stored as its polygon (PostGIS buffers it on
		// the spheroid), so GIS clients draw what the server tests.
		g := r.Geofence
		var radius *float64
		if g.RadiusM > 0 {
			radius = &g.RadiusM
		}
		b.Queue(`INSERT INTO geofences (id, name, kind, agency, radius_m, feature, geom, created_by, version)
			VALUES ($1, $2, $3, $4, $5, $6::jsonb,
				CASE WHEN $5::float8 IS NULL THEN ST_SetSRID(ST_GeomFromGeoJSON($7::text), 4326)
				ELSE ST_Buffer(ST_SetSRID(ST_GeomFromGeoJSON($7::text), 4326)::geography, $5::float8, 32)::geometry END, $8,
				currval('record_version'))
			ON CONFLICT (id) DO UPDATE SET name = $2, kind = $3, agency = $4, radius_m = $5, feature = $6::jsonb,
				geom = EXCLUDED.geom, created_by = $8, created_at = now(), version = currval('record_version')`,
			g.ID, g.Name, g.Kind, g.Agency, radius, string(g.Feature), string(g.Geometry), g.CreatedBy)
		unbury(b, r.Kind, r.Key)
	case r.Kind == tracking.RecordPlace && r.Deleted:
		b.Queue(`DELETE FROM places WHERE id = $1`, r.Key)
		tombstone(b, r.Kind, r.Key)
	case r.Kind == tracking.RecordPlace:
		// Never again once deleted: a change racing the deletion inserts
		// nothing.
		e := r.Place
		b.Queue(`INSERT INTO places (id, name, aliases, kind, lon, lat, created_at, created_by, updated_at, updated_by, version)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, currval('record_version')
			WHERE NOT EXISTS (SELECT 1 FROM tombstones WHERE kind = 'place' AND key = $1)
			ON CONFLICT (id) DO UPDATE SET name = $2, aliases = $3, kind = $4, lon = $5, lat = $6, updated_at = $9, updated_by = $10,
				version = currval('record_version')`,
			e.ID, e.Name, nonNil(e.Aliases), e.Kind, e.Lon, e.Lat, e.CreatedAt, e.CreatedBy, e.UpdatedAt, e.UpdatedBy)
	case r.Kind == tracking.RecordContacts && !r.Deleted:
		body, err := json.Marshal(nonNil(r.Contacts))
		if err != nil {
			return err
		}
		b.Queue(`INSERT INTO agency_contacts (code, contacts, updated_at, updated_by, version)
			VALUES ($1, $2, coalesce($3, now()), $4, currval('record_version'))
			ON CONFLICT (code) DO UPDATE SET contacts = $2, updated_at = coalesce($3, now()), updated_by = $4,
				version = currval('record_version')`, r.Key, body, nullTime(c.At), c.Audit.Actor)
	default:
		return fmt.Errorf("a %s record cannot be written (deleted: %v)", r.Kind, r.Deleted)
	}
	return nil
}

// Records implements tracking.RecordStore. It reads under the records
// lock, shared: no change of records commits while it reads, so the
// answer is whole up to the sequence's last value.
func (s *Store) Records(ctx context.Context, since int64, kinds ...tracking.RecordKind) ([]tracking.Record, int64, error) {
	if len(kinds) == 0 {
		kinds = tracking.RecordKinds
	}
	var out []tracking.Record
	var upTo int64
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))`, s.shared.recordsKey)
	b.Queue(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM record_version`).QueryRow(func(r pgx.Row) error { return r.Scan(&upTo) })
	read := func(sql string, scan func(pgx.Rows) (tracking.Record, error)) {
		b.Queue(sql, since).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				r, err := scan(rows)
				if err != nil {
					return err
				}
				out = append(out, r)
			}
			return rows.Err()
		})
	}
	for _, k := range kinds {
		switch k {
		case tracking.RecordUser:
			read(`SELECT name, role, password_hash, disabled, created_at, updated_at, agency, version FROM users WHERE version > $1`, scanUser)
		case tracking.RecordToken:
			read(`SELECT id, name, role, hash, created_at, last_used, version FROM api_tokens WHERE version > $1`, scanToken)
		case tracking.RecordSession:
			read(`SELECT hash, user_name, token_id, principal, role, csrf, created_at, expires_at, version
				FROM sessions WHERE version > $1`, scanSession)
		case tracking.RecordGeofence:
			read(`SELECT id, name, kind, agency, coalesce(radius_m, 0), feature::text, created_by, version FROM geofences WHERE version > $1`, scanGeofence)
		case tracking.RecordContacts:
			read(`SELECT code, contacts, version FROM agency_contacts WHERE version > $1`, scanContacts)
		case tracking.RecordPlace:
			read(`SELECT id, name, aliases, kind, lon, lat, created_at, created_by, updated_at, updated_by, version
				FROM places WHERE version > $1`, scanPlace)
		default:
			return nil, 0, fmt.Errorf("no records of kind %q", k)
		}
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	b.Queue(`SELECT kind, key, version FROM tombstones WHERE version > $1 AND kind = ANY($2)`, since, names).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			r := tracking.Record{Deleted: true}
			if err := rows.Scan(&r.Kind, &r.Key, &r.Version); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, 0, fmt.Errorf("read records: %w", err)
	}
	// In version order: a key saved again after its deletion ends live.
	slices.SortStableFunc(out, func(a, b tracking.Record) int { return cmp.Compare(a.Version, b.Version) })
	return out, upTo, nil
}

func scanUser(r pgx.Rows) (tracking.Record, error) {
	var u tracking.User
	var v int64
	var role string
	err := r.Scan(&u.Name, &role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &u.Agency, &v)
	u.Role, u.CreatedAt, u.UpdatedAt = tracking.Role(role), u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return tracking.Record{Kind: tracking.RecordUser, Key: u.Name, Version: v, User: &u}, err
}

func scanToken(r pgx.Rows) (tracking.Record, error) {
	var t tracking.Token
	var v int64
	var role string
	err := r.Scan(&t.ID, &t.Name, &role, &t.Hash, &t.CreatedAt, &t.LastUsed, &v)
	t.Role, t.CreatedAt = tracking.Role(role), t.CreatedAt.UTC()
	if t.LastUsed != nil {
		*t.LastUsed = t.LastUsed.UTC()
	}
	return tracking.Record{Kind: tracking.RecordToken, Key: t.ID, Version: v, Token: &t}, err
}

func scanSession(r pgx.Rows) (tracking.Record, error) {
	var se tracking.Session
	var v int64
	var role string
	err := r.Scan(&se.Hash, &se.User, &se.TokenID, &se.Principal.Name, &role, &se.CSRF, &se.CreatedAt, &se.ExpiresAt, &v)
	se.Principal.TokenID, se.Principal.Role = se.TokenID, tracking.Role(role)
	se.CreatedAt, se.ExpiresAt = se.CreatedAt.UTC(), se.ExpiresAt.UTC()
	return tracking.Record{Kind: tracking.RecordSession, Key: se.Hash, Version: v, Session: &se}, err
}

func scanGeofence(r pgx.Rows) (tracking.Record, error) {
	var g tracking.StoredGeofence
	var feature string
	var v int64
	err := r.Scan(&g.ID, &g.Name, &g.Kind, &g.Agency, &g.RadiusM, &feature, &g.CreatedBy, &v)
	g.Feature = []byte(feature)
	return tracking.Record{Kind: tracking.RecordGeofence, Key: g.ID, Version: v, Geofence: &g}, err
}

func scanContacts(r pgx.Rows) (tracking.Record, error) {
	rec := tracking.Record{Kind: tracking.RecordContacts}
	var body []byte
	if err := r.Scan(&rec.Key, &body, &rec.Version); err != nil {
		return rec, err
	}
	rec.Contacts = []tracking.Contact{}
	return rec, json.Unmarshal(body, &rec.Contacts)
}

func scanPlace(r pgx.Rows) (tracking.Record, error) {
	var e tracking.PlaceEntry
	var v int64
	err := r.Scan(&e.ID, &e.Name, &e.Aliases, &e.Kind, &e.Lon, &e.Lat, &e.CreatedAt, &e.CreatedBy, &e.UpdatedAt, &e.UpdatedBy, &v)
	if e.Aliases == nil {
		e.Aliases = []string{}
	}
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return tracking.Record{Kind: tracking.RecordPlace, Key: e.ID, Version: v, Place: &e}, err
}
