package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// requirePostGIS makes sure the extension is there, creating it when this
// role may, and says what to install when the server lacks it.
func requirePostGIS(ctx context.Context, pool *pgxpool.Pool) error {
	var installed, available bool
	err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis'),
		EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')`).Scan(&installed, &available)
	if err != nil {
		return fmt.Errorf("check PostGIS: %w", err)
	}
	switch {
	case installed:
		return nil
	case !available:
		return errors.New("PostGIS is not installed on the PostgreSQL server: install Debian's postgresql-15-postgis-3 " +
			"(postgresql-<version>-postgis-3, or your distribution's PostGIS package) and start again")
	}
	if _, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis`); err != nil {
		return fmt.Errorf("the PostGIS extension is not enabled in this database and this role cannot enable it (%v): "+
			"ask a superuser to run CREATE EXTENSION postgis in it", err)
	}
	return nil
}

// migrate applies the embedded migrations not yet applied, in order, in one
// transaction, under an advisory lock so two instances starting together
// do not race. Running it again changes nothing.
func migrate(ctx context.Context, pool *pgxpool.Pool) (applied []int, err error) {
	type file struct {
		version int
		name    string
	}
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var files []file
	for _, e := range entries {
		v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: the name must start with a version number", e.Name())
		}
		files = append(files, file{v, e.Name()})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].version < files[j].version })

	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(112112)`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		// Each version is applied once, by membership rather than "above the
		// highest": migrations written on parallel branches land out of order,
		// and a lower number merged later must still run.
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return err
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		for _, f := range files {
			if slices.Contains(done, f.version) {
				continue
			}
			sql, err := migrations.ReadFile("migrations/" + f.name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				var pg *pgconn.PgError
				if errors.As(err, &pg) {
					return fmt.Errorf("migration %s: %s (%s)", f.name, pg.Message, pg.Code)
				}
				return fmt.Errorf("migration %s: %w", f.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, f.version, f.name); err != nil {
				return err
			}
			applied = append(applied, f.version)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return applied, nil
}
