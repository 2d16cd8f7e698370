-- Several instances on one database (issue 17).

-- Incident numbers come from the database, so two instances never number
-- two incidents alike; ids stay YYYYMMDD-NNNNNN. It starts after the
-- greatest number already used.
CREATE SEQUENCE IF NOT EXISTS incident_number;
SELECT setval('incident_number',
	COALESCE((SELECT max(split_part(id, '-', 2)::bigint) FROM incidents WHERE id ~ '^[0-9]{8}-[0-9]{1,18}$'), 0) + 1, false);

-- An assignment row never changes unit: an instance that numbered its new
-- assignment like one another instance committed a moment before (its
-- memory had not seen it yet) is refused, not allowed to overwrite it.
CREATE OR REPLACE FUNCTION assignments_keep_unit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.unit_id <> OLD.unit_id THEN
		RAISE EXCEPTION 'assignment % of incident % is unit %, not %', OLD.seq, OLD.incident_id, OLD.unit_id, NEW.unit_id
			USING ERRCODE = 'unique_violation', CONSTRAINT = 'assignments_keep_unit',
			DETAIL = format('Key (unit_id)=(%s) lost to (%s).', NEW.unit_id, OLD.unit_id);
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER assignments_keep_unit BEFORE UPDATE ON assignments FOR EACH ROW EXECUTE FUNCTION assignments_keep_unit();
