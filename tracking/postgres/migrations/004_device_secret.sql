-- "sha256:<hex>" of each unit's MQTT password, a 192-bit random secret (tracking/secret.go).
ALTER TABLE units ADD COLUMN secret_hash text NOT NULL DEFAULT '';
