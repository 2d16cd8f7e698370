-- The OwnTracks passphrase is a device secret too: it joins the secret hash
-- in unit_credentials, out of the units layer that GIS users open (issue 15).
ALTER TABLE unit_credentials ADD COLUMN owntracks_secret text NOT NULL DEFAULT '';
UPDATE unit_credentials c SET owntracks_secret = u.owntracks_secret FROM units u WHERE u.id = c.unit_id;
ALTER TABLE units DROP COLUMN owntracks_secret;
