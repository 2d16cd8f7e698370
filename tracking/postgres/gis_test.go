package postgres

import (
	"context"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
	"siaga112/tracking/trackingtest"
)

// What a QGIS user opens must be keyed, spatially indexed, valid and free
// of device secrets and impossible positions (issue 15).
func TestGISHygiene(t *testing.T) {
	s := openTest(t, testURL(t), Config{})
	ctx := context.Background()
	db := s.Pool()

	t.Run("every table has a primary key", func(t *testing.T) {
		rows, _ := db.Query(ctx, `SELECT c.relname FROM pg_class c
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
			AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')`)
		missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(missing) > 0 {
			t.Fatalf("tables without a primary key: %v (%v)", missing, err)
		}
	})
	t.Run("every geometry has a GiST index", func(t *testing.T) {
		rows, _ := db.Query(ctx, `SELECT g.f_table_name || '.' || g.f_geometry_column FROM geometry_columns g
			JOIN pg_class c ON c.relname = g.f_table_name AND c.relnamespace = current_schema()::regnamespace
			WHERE g.f_table_schema = current_schema() AND NOT EXISTS (
				SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
				JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
				WHERE i.indrelid = c.oid AND am.amname = 'gist' AND a.attname = g.f_geometry_column)`)
		missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(missing) > 0 {
			t.Fatalf("geometries without a GiST index: %v (%v)", missing, err)
		}
	})
	t.Run("no secret in the units layer", func(t *testing.T) {
		u := tracking.Unit{ID: "AMB-S", Callsign: "AMB-S", Type: tracking.Ambulance, Agency: "dinkes", Status: tracking.Available, SecretHash: "sha256:abc"}
		if err := tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "unit.credentials_issued", Actor: "t"}, Units: []tracking.Unit{u}}); err != nil {
			t.Fatal(err)
		}
		var cols []string
		rows, _ := db.Query(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'units'`)
		cols, _ = pgx.CollectRows(rows, pgx.RowTo[string])
		if slices.ContainsFunc(cols, func(c string) bool { return strings.Contains(c, "secret") }) {
			t.Fatalf("units has a secret column: %v", cols)
		}
		us, err := s.Units(ctx)
		if err != nil || len(us) != 1 || us[0].SecretHash != "sha256:abc" {
			t.Fatalf("units read back %+v (%v): the secret must come back from unit_credentials", us, err)
		}
	})
	t.Run("impossible positions are refused", func(t *testing.T) {
		for _, tc := range []struct {
			name, sql string
		}{
			{"null island fix", `INSERT INTO unit_positions (unit_id, reported_at, received_at, lon, lat) VALUES ('X', now(), now(), 0, 0)`},
			{"latitude 91", `INSERT INTO unit_positions (unit_id, reported_at, received_at, lon, lat) VALUES ('X', now(), now(), 106, 91)`},
			{"negative speed", `INSERT INTO unit_positions (unit_id, reported_at, received_at, lon, lat, speed_kmh) VALUES ('X', now(), now(), 106, -6, -1)`},
			{"null island unit", `UPDATE units SET lon = 0, lat = 0`},
			{"null island incident", `INSERT INTO incidents (id, category, lon, lat, kecamatan_code, kecamatan_name, kelurahan_code, kelurahan_name,
				approximate, caller, description, status, lead_agency, received_at, agency_due_at)
				VALUES ('n', 'medical', 0, 0, '', '', '', '', false, '', '', 'open', 'x', now(), now())`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := db.Exec(ctx, tc.sql); err == nil || !strings.Contains(err.Error(), "check constraint") {
					t.Fatalf("%s: %v, want a check constraint violation", tc.sql, err)
				}
			})
		}
	})
	t.Run("a flush drops an impossible fix, keeps the batch", func(t *testing.T) {
		now := time.Now()
		s.Append("AMB-S", tracking.Position{Lon: 0, Lat: 0, At: now, Battery: -1}, now)
		s.Append("AMB-S", tracking.Position{Lon: 106.15, Lat: -6.12, At: now, Heading: tracking.Some(400), Battery: -1}, now)
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		var heading *float32
		db.QueryRow(ctx, `SELECT count(*), max(heading) FROM unit_positions WHERE unit_id = 'AMB-S'`).Scan(&n, &heading)
		if n != 1 || heading != nil {
			t.Fatalf("%d rows, heading %v; want the one possible fix, its impossible heading NULL", n, heading)
		}
	})
	t.Run("geometries are valid (PostGIS ST_IsValid)", func(t *testing.T) {
		var bad int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM unit_positions WHERE NOT ST_IsValid(geom)`).Scan(&bad); err != nil || bad != 0 {
			t.Fatalf("%d invalid (%v)", bad, err)
		}
	})
	t.Run("ogrinfo sees the layers", func(t *testing.T) {
		ogr := trackingtest.Tool(t, "ogrinfo", "gdal-bin")
		schema := currentSchema(t, db)
		pw, _ := url.Parse(testURL(t))
		p, _ := pw.User.Password()
		// An empty "password=" makes GDAL 3.6 misparse what it appends
		// (CI's private cluster trusts local users and has none).
		conn := "PG:host=" + pw.Hostname() + " port=" + pw.Port() + " dbname=" + strings.TrimPrefix(pw.Path, "/") + " user=" + pw.User.Username()
		if p != "" {
			conn += " password=" + p
		}
		conn += " schemas=" + schema
		out, err := exec.Command(ogr, "-ro", "-q", conn).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo: %v\n%s", err, out)
		}
		for _, layer := range []string{"units (Point)", "region_events (Point)", "geofences"} {
			if !strings.Contains(string(out), layer) {
				t.Errorf("ogrinfo does not list %q:\n%s", layer, out)
			}
		}
		if strings.Contains(string(out), "secret") {
			t.Errorf("a layer shows a secret:\n%s", out)
		}
		// GDAL 3.6 lists the day partitions, not the partitioned parent;
		// named, the parent opens as one layer.
		out, err = exec.Command(ogr, "-ro", "-so", conn, "unit_positions").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Geometry: Point") {
			t.Fatalf("ogrinfo unit_positions: %v\n%s", err, out)
		}
	})
}

func currentSchema(t *testing.T, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) string {
	var s string
	if err := db.QueryRow(context.Background(), `SELECT current_schema()`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Retention drops whole day partitions older than the retention and keeps
// the partitions of the coming days ready.
func TestRetentionDropsOldDays(t *testing.T) {
	s := openTest(t, testURL(t), Config{PositionsRetention: 48 * time.Hour})
	ctx := context.Background()
	db := s.Pool()
	now := time.Now().UTC()
	old := now.AddDate(0, 0, -5)
	// An old day with its own partition, as a long-running server has them.
	if _, err := s.Retain(ctx, old); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{old, now.AddDate(0, 0, -1), now} {
		s.Append("AMB-R", tracking.Position{Lon: 106.15, Lat: -6.12, At: at, Battery: -1}, at)
	}
	// A fix from a phone clock far in the past lands in the default partition.
	s.Append("AMB-R", tracking.Position{Lon: 106.15, Lat: -6.12, At: now.AddDate(0, 0, -30), Battery: -1}, now)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	dropped, err := s.Retain(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := partitionPrefix + old.Format("20060102"); !slices.Contains(dropped, want) {
		t.Fatalf("dropped %v, want %s among them", dropped, want)
	}
	var n int
	db.QueryRow(ctx, `SELECT count(*) FROM unit_positions WHERE unit_id = 'AMB-R'`).Scan(&n)
	if n != 2 {
		t.Fatalf("%d fixes kept, want the 2 of the last 48 hours", n)
	}
	var ahead bool
	db.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, partitionPrefix+now.AddDate(0, 0, partitionsAhead).Format("20060102")).Scan(&ahead)
	if !ahead {
		t.Fatal("the partition two days ahead is missing")
	}
}
