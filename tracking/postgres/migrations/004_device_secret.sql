-- The bcrypt hash of each unit's MQTT password.
ALTER TABLE units ADD COLUMN secret_hash text NOT NULL DEFAULT '';
