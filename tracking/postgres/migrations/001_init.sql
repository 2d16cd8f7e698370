-- siaga112 schema, version 1. Geometry columns are generated from lon/lat,
-- so the server writes plain numbers (COPY stays simple) and GIS clients
-- (QGIS) see PostGIS layers in geometry_columns.

CREATE TABLE units (
    id          text PRIMARY KEY,
    callsign    text NOT NULL,
    type        text NOT NULL,
    agency      text NOT NULL,
    status      text NOT NULL,
    status_at   timestamptz,
    -- last known position, kept up to date by the position writer
    lon         double precision,
    lat         double precision,
    reported_at timestamptz,
    last_seen   timestamptz,
    speed_kmh   real,
    heading     real,
    accuracy_m  real,
    battery     smallint,
    geom        geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
);

CREATE TABLE unit_positions (
    unit_id     text NOT NULL,
    reported_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    lon         double precision NOT NULL,
    lat         double precision NOT NULL,
    speed_kmh   real,
    heading     real,
    accuracy_m  real,
    battery     smallint,
    geom        geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
);
CREATE INDEX unit_positions_reported_at ON unit_positions USING brin (reported_at);

CREATE TABLE incidents (
    id              text PRIMARY KEY,
    category        text NOT NULL,
    lon             double precision NOT NULL,
    lat             double precision NOT NULL,
    kecamatan_code  text NOT NULL,
    kecamatan_name  text NOT NULL,
    kelurahan_code  text NOT NULL,
    kelurahan_name  text NOT NULL,
    approximate     boolean NOT NULL,
    caller          text NOT NULL,
    description     text NOT NULL,
    status          text NOT NULL,
    lead_agency     text NOT NULL,
    received_at     timestamptz NOT NULL,
    dispatched_at   timestamptz,
    en_route_at     timestamptz,
    on_scene_at     timestamptz,
    cleared_at      timestamptz,
    closed_at       timestamptz,
    agency_due_at   timestamptz NOT NULL,
    agency_acted_at timestamptz,
    geom            geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
);
CREATE INDEX incidents_open ON incidents (status) WHERE status = 'open';
CREATE INDEX incidents_received_at ON incidents (received_at);
CREATE INDEX incidents_geom ON incidents USING gist (geom);

CREATE TABLE assignments (
    incident_id       text NOT NULL REFERENCES incidents (id),
    seq               integer NOT NULL,
    unit_id           text NOT NULL,
    unit_type         text NOT NULL,
    status            text NOT NULL,
    distance_m        double precision NOT NULL,
    eta_s             double precision NOT NULL,
    dispatched_at     timestamptz NOT NULL,
    en_route_at       timestamptz,
    on_scene_at       timestamptz,
    on_scene_detected boolean NOT NULL DEFAULT false,
    transporting_at   timestamptz,
    at_hospital_at    timestamptz,
    cleared_at        timestamptz,
    dispatched_by     text NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, seq)
);
-- A unit is in at most one open assignment, whichever instance dispatched it.
CREATE UNIQUE INDEX assignments_one_open_per_unit ON assignments (unit_id) WHERE status <> 'cleared';

CREATE TABLE callers (
    number                   text PRIMARY KEY,
    prank_calls              timestamptz[] NOT NULL DEFAULT '{}',
    blocked_until            timestamptz,
    proposed_permanent_block boolean NOT NULL DEFAULT false,
    lifts                    jsonb NOT NULL DEFAULT '[]'
);

-- The audit trail: who did what, when. Append only.
CREATE TABLE events (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    action  text NOT NULL,
    actor   text NOT NULL,
    subject text NOT NULL,
    data    jsonb NOT NULL
);
CREATE INDEX events_subject ON events (subject);
