-- Trackers that are not OwnTracks over MQTT (issue 14): the OsmAnd
-- protocol's device id (Traccar Client, hardware trackers; e.g. an IMEI),
-- unique across units, and the passphrase of OwnTracks payload encryption,
-- kept readable because it opens the payloads (never shown by the API).
-- Speed, heading, accuracy and battery were always nullable: absent
-- readings are NULL, never 0.
ALTER TABLE units ADD COLUMN tracker_id text;
CREATE UNIQUE INDEX units_tracker_id ON units (tracker_id) WHERE tracker_id IS NOT NULL;
ALTER TABLE units ADD COLUMN owntracks_secret text NOT NULL DEFAULT '';
