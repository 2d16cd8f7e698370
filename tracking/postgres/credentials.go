package postgres

import (
	"github.com/jackc/pgx/v5"

	"siaga112/tracking"
)

// queueCredentials keeps the unit's device secrets (the hash of its MQTT
// password, its OwnTracks passphrase) in unit_credentials, out of the units
// layer GIS users open. Every change of a unit carries them; the row is
// rewritten only when one changed.
func queueCredentials(b *pgx.Batch, u tracking.Unit) {
	if u.SecretHash == "" {
		return
	}
	b.Queue(`INSERT INTO unit_credentials (unit_id, secret_hash, owntracks_secret, updated_at) VALUES ($1, $2, $3, now())
		ON CONFLICT (unit_id) DO UPDATE SET secret_hash = $2, owntracks_secret = $3, updated_at = now()
		WHERE unit_credentials.secret_hash <> $2 OR unit_credentials.owntracks_secret <> $3`, u.ID, u.SecretHash, u.OwnTracksSecret)
}
