-- Agency accountability (issue 16): agency users, each agency's part of an
-- incident and the progress notes, the contacts admins change, and the
-- call log.
ALTER TABLE users ADD COLUMN IF NOT EXISTS agency text NOT NULL DEFAULT '';

ALTER TABLE incidents ADD COLUMN IF NOT EXISTS agency_parts jsonb NOT NULL DEFAULT '[]';
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS notes jsonb NOT NULL DEFAULT '[]';

-- Contacts replace the plans file's for that agency once an admin sets them.
CREATE TABLE IF NOT EXISTS agency_contacts (
	code       text PRIMARY KEY,
	contacts   jsonb NOT NULL,
	updated_at timestamptz NOT NULL,
	updated_by text NOT NULL
);

CREATE TABLE IF NOT EXISTS calls (
	id          text PRIMARY KEY,
	at          timestamptz NOT NULL,
	number      text NOT NULL,
	outcome     text NOT NULL CHECK (outcome IN ('emergency', 'information', 'prank', 'ghost', 'duplicate')),
	incident_id text NOT NULL DEFAULT '',
	note        text NOT NULL DEFAULT '',
	by_actor    text NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_at ON calls (at);
CREATE INDEX IF NOT EXISTS calls_number ON calls (number, at);
