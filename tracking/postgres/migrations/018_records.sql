-- One change path for records (issue 23): users, tokens, sessions,
-- geofences and agency contacts carry the version of the change that wrote
-- them last, from one sequence taken under one lock (records.go), so
-- versions follow the commit order across instances; a deletion leaves a
-- tombstone with its version. Rows already here get a version each.
CREATE SEQUENCE IF NOT EXISTS record_version;
ALTER TABLE users ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT nextval('record_version');
ALTER TABLE api_tokens ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT nextval('record_version');
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT nextval('record_version');
ALTER TABLE geofences ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT nextval('record_version');
ALTER TABLE agency_contacts ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT nextval('record_version');
-- Each instance reads what changed after the last version it read.
CREATE INDEX IF NOT EXISTS users_version ON users (version);
CREATE INDEX IF NOT EXISTS api_tokens_version ON api_tokens (version);
CREATE INDEX IF NOT EXISTS sessions_version ON sessions (version);

CREATE TABLE IF NOT EXISTS tombstones (
	kind       text NOT NULL,
	key        text NOT NULL,
	version    bigint NOT NULL,
	-- A session's expiry: after it the tombstone says nothing more.
	expires_at timestamptz,
	PRIMARY KEY (kind, key)
);
CREATE INDEX IF NOT EXISTS tombstones_version ON tombstones (version);

-- Every change written, by its id, for a day: a change retried after a
-- timeout (PostgreSQL may have committed it after the client gave up) is
-- refused here and taken as written, never applied twice.
CREATE TABLE IF NOT EXISTS applied_changes (
	id      text PRIMARY KEY,
	version bigint,
	at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS applied_changes_at ON applied_changes (at);
