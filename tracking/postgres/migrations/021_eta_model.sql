-- Issue 24: each assignment says which model estimated its eta_s ("detour":
-- great-circle × detour ÷ speed; "road": the road graph). Every assignment
-- written before this migration was estimated by the detour model.
ALTER TABLE assignments ADD COLUMN eta_model text NOT NULL DEFAULT 'detour';

-- The ETA accuracy report reads assignments by dispatch time.
CREATE INDEX assignments_dispatched_at ON assignments (dispatched_at);
