-- Retiring units (issue 22). A disabled unit stays in the fleet, out of
-- every search, its tracker credentials refused. A deleted unit keeps its
-- row, so that positions, assignments and the audit trail still name it,
-- but leaves the fleet: deleted_at is set, its tracker id freed (unique),
-- its last position and credentials dropped. Registering the id again
-- clears deleted_at: a new unit.
ALTER TABLE units ADD COLUMN disabled boolean NOT NULL DEFAULT false;
ALTER TABLE units ADD COLUMN deleted_at timestamptz;
CREATE INDEX units_deleted ON units (deleted_at) WHERE deleted_at IS NOT NULL;
