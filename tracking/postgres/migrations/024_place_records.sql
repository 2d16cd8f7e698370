-- The place book is records like the others (issue 23): each entry carries
-- the version of the change that wrote it, a deletion leaves a tombstone,
-- and other instances read back what changed after the last version they
-- read. Entries already here get a version each.
ALTER TABLE places ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT nextval('record_version');
CREATE INDEX IF NOT EXISTS places_version ON places (version);
