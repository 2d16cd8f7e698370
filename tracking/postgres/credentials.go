package postgres

import (
	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

// queueCredentials keeps the unit's device secret hash in unit_credentials,
// out of the units layer GIS users open. Every change of a unit carries its
// hash; the row is rewritten only when the hash changed.
func queueCredentials(b *pgx.Batch, u tracking.Unit) {
	if u.SecretHash == "" {
		return
	}
	b.Queue(`INSERT INTO unit_credentials (unit_id, secret_hash, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (unit_id) DO UPDATE SET secret_hash = $2, updated_at = now()
		WHERE unit_credentials.secret_hash <> $2`, u.ID, u.SecretHash)
}
