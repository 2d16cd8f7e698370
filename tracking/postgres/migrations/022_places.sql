-- The centre's place book (issue 25): names for what the OSM extract lacks
-- or calls otherwise. A GIS layer like the others: keyed, a Point in
-- EPSG:4326 with a GiST index, no impossible position.
CREATE TABLE places (
	id         text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9-]{1,64}$' AND lower(id) <> 'reverse'),
	name       text NOT NULL CHECK (btrim(name) <> ''),
	aliases    text[] NOT NULL DEFAULT '{}' CHECK (cardinality(aliases) <= 20),
	kind       text NOT NULL CHECK (kind IN ('landmark', 'building', 'facility', 'street', 'other')),
	lon        double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
	lat        double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
	geom       geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
	created_at timestamptz NOT NULL,
	created_by text NOT NULL,
	updated_at timestamptz NOT NULL,
	updated_by text NOT NULL,
	CONSTRAINT places_not_null_island CHECK (NOT (lon = 0 AND lat = 0))
);
CREATE INDEX places_geom ON places USING gist (geom);
