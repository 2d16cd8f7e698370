-- The phone edge (issue 27): calls as the SIP edge reports them, folded
-- from their events (one row per call_id, upserted by every instance:
-- each kind keeps its earliest time and that event's reason), callers'
-- locations from AML, and every AML message as received.
CREATE TABLE IF NOT EXISTS phone_calls (
	call_id         text PRIMARY KEY CHECK (length(call_id) BETWEEN 1 AND 200),
	number          text NOT NULL,
	at              timestamptz NOT NULL,
	ringing_at      timestamptz,
	ringing_reason  text NOT NULL DEFAULT '',
	answered_at     timestamptz,
	answered_reason text NOT NULL DEFAULT '',
	ended_at        timestamptz,
	ended_reason    text NOT NULL DEFAULT '',
	rejected_at     timestamptz,
	rejected_reason text NOT NULL DEFAULT '',
	outcome         text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS phone_calls_at ON phone_calls (at);
CREATE INDEX IF NOT EXISTS phone_calls_number ON phone_calls (number, at);

-- A logged call may classify a phone call.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS call_id text NOT NULL DEFAULT '';

CREATE TABLE IF NOT EXISTS caller_locations (
	id             bigserial PRIMARY KEY,
	number         text NOT NULL,
	lat            double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
	lon            double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
	radius_m       double precision NOT NULL CHECK (radius_m >= 0),
	source         text NOT NULL CHECK (source IN ('aml-sms', 'aml-https')),
	method         text NOT NULL CHECK (method IN ('gnss', 'wifi', 'cell', 'unknown')),
	confidence_pct integer CHECK (confidence_pct BETWEEN 0 AND 100),
	at             timestamptz NOT NULL,
	received_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS caller_locations_number ON caller_locations (number, received_at);

CREATE TABLE IF NOT EXISTS aml_messages (
	id          bigserial PRIMARY KEY,
	number      text NOT NULL,
	source      text NOT NULL,
	version     text NOT NULL,
	text        text NOT NULL,
	received_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS aml_messages_number ON aml_messages (number, received_at);

-- A webhook's format: incident.* deliveries as JSON or as CAP 1.2.
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS format text NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'cap'));

-- Callers kept under a spelling the old rule made of trunk zeros
-- (+0812…, 00 0812…, 0000 0812… were +0812…, +00812…): the service joins
-- them to the canonical record when it loads (dispatch.New), and the
-- next change writes that.
