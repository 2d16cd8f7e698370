package postgres

import (
	"context"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Migration 011 on a database that already holds data: fixes move into day
// partitions (impossible ones and impossible readings left behind), secrets
// move to unit_credentials, a Null Island last position is forgotten.
func TestMigration011KeepsData(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	entries, _ := fs.ReadDir(migrations, "migrations")
	for _, e := range entries {
		v, _ := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if v >= 11 {
			continue
		}
		sql, _ := migrations.ReadFile("migrations/" + e.Name())
		if _, err := pool.Exec(ctx, string(sql)); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, v, e.Name())
	}
	for _, q := range []string{
		`INSERT INTO units (id, callsign, type, agency, status, lon, lat, reported_at, secret_hash) VALUES
			('A', 'A', 'ambulance', 'dinkes', 'available', 106.15, -6.12, now(), 'sha256:aa'),
			('N', 'N', 'ambulance', 'dinkes', 'available', 0, 0, now(), '')`,
		`INSERT INTO unit_positions (unit_id, reported_at, received_at, lon, lat, speed_kmh, heading, accuracy_m) VALUES
			('A', '2026-11-20T10:00:00Z', now(), 106.15, -6.12, 30, 90, 5),
			('A', '2026-11-21T10:00:00Z', now(), 106.16, -6.12, 0, 0, 0),
			('A', '2026-11-21T11:00:00Z', now(), 106.16, -6.12, -1, 400, -1),
			('N', '2026-11-21T10:00:00Z', now(), 0, 0, 0, 0, 0)`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	applied, err := migrate(ctx, pool)
	if err != nil || len(applied) == 0 || applied[len(applied)-1] < 11 {
		t.Fatalf("migrate: %v %v", applied, err)
	}
	var fixes, parts, nullSpeed int
	var secret string
	var nLon *float64
	pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE speed_kmh IS NULL AND heading IS NULL) FROM unit_positions`).Scan(&fixes, &nullSpeed)
	pool.QueryRow(ctx, `SELECT count(*) FROM pg_inherits WHERE inhparent = 'unit_positions'::regclass`).Scan(&parts)
	pool.QueryRow(ctx, `SELECT secret_hash FROM unit_credentials WHERE unit_id = 'A'`).Scan(&secret)
	pool.QueryRow(ctx, `SELECT lon FROM units WHERE id = 'N'`).Scan(&nLon)
	if fixes != 3 || nullSpeed != 1 || parts != 3 || secret != "sha256:aa" || nLon != nil {
		t.Fatalf("fixes %d (impossible readings NULL: %d), partitions %d, secret %q, Null Island unit lon %v", fixes, nullSpeed, parts, secret, nLon)
	}
}
