-- The audit trail is read back by time range (GET /api/audit) and by
-- subject (an incident's timeline; events_subject exists since 001).
CREATE INDEX IF NOT EXISTS events_at ON events (at);
