-- People's accounts (bcrypt hashes), bearer tokens (SHA-256 hashes of their
-- secrets) and browser sessions (SHA-256 hashes of their ids).
CREATE TABLE IF NOT EXISTS users (
	name          text PRIMARY KEY,
	role          text NOT NULL,
	password_hash text NOT NULL,
	disabled      boolean NOT NULL DEFAULT false,
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS api_tokens (
	id         text PRIMARY KEY,
	name       text NOT NULL,
	role       text NOT NULL,
	hash       text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL,
	last_used  timestamptz
);

CREATE TABLE IF NOT EXISTS sessions (
	hash           text PRIMARY KEY,
	user_name      text NOT NULL DEFAULT '',
	token_id       text NOT NULL DEFAULT '',
	principal      text NOT NULL,
	role           text NOT NULL,
	csrf           text NOT NULL,
	created_at     timestamptz NOT NULL,
	expires_at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_name) WHERE user_name <> '';
CREATE INDEX IF NOT EXISTS sessions_token ON sessions (token_id) WHERE token_id <> '';
