-- Webhook subscriptions, their outbox and its delivery log (issue 16).
CREATE TABLE webhooks (
	id         text PRIMARY KEY,
	url        text NOT NULL,
	events     text[] NOT NULL,
	secret     text NOT NULL, -- the HMAC key: needed in clear to sign
	created_at timestamptz NOT NULL,
	created_by text NOT NULL DEFAULT ''
);

CREATE TABLE webhook_deliveries (
	id              text PRIMARY KEY,
	webhook_id      text NOT NULL, -- no foreign key: the log outlives a deleted webhook
	event           text NOT NULL,
	body            bytea NOT NULL, -- the exact bytes signed and POSTed
	created_at      timestamptz NOT NULL,
	status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
	attempts        integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL,
	last_status     integer NOT NULL DEFAULT 0,
	last_error      text NOT NULL DEFAULT '',
	done_at         timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at DESC);

CREATE TABLE webhook_attempts (
	delivery_id text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
	at          timestamptz NOT NULL,
	status_code integer NOT NULL,
	error       text NOT NULL,
	duration_ms bigint NOT NULL
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, at);

-- The agency deadline clock's fired marks: one row per incident and kind,
-- so a warning or an overdue fires once, across restarts.
CREATE TABLE deadline_marks (
	incident_id text NOT NULL,
	kind        text NOT NULL CHECK (kind IN ('warning', 'overdue')),
	fired_at    timestamptz NOT NULL,
	PRIMARY KEY (incident_id, kind)
);
