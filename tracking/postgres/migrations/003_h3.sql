-- H3 cells (uber/h3-go, computed by the server on write) at the
-- resolutions planners group by, so response-time queries group in SQL.
ALTER TABLE incident_history ADD COLUMN h3_r7 bigint, ADD COLUMN h3_r8 bigint, ADD COLUMN h3_r9 bigint;
ALTER TABLE incidents ADD COLUMN h3_r7 bigint, ADD COLUMN h3_r8 bigint, ADD COLUMN h3_r9 bigint;
