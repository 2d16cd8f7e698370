-- Changes the database refused when the writer came to them: kept, never
-- dropped, for an operator to read and replay. The change is its JSON as
-- text (jsonb would refuse the very NUL byte that may have caused the
-- refusal).
CREATE TABLE dead_letters (
	id       bigserial PRIMARY KEY,
	at       timestamptz NOT NULL DEFAULT now(),
	action   text NOT NULL,
	actor    text NOT NULL,
	change   text NOT NULL,
	error    text NOT NULL
);
