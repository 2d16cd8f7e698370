-- Incidents imported from the earlier 112 system, for the planners.
CREATE TABLE incident_history (
    id             text PRIMARY KEY,
    category       text NOT NULL,
    lon            double precision NOT NULL,
    lat            double precision NOT NULL,
    kecamatan_code text NOT NULL,
    kelurahan_code text NOT NULL,
    received_at    timestamptz NOT NULL,
    dispatched_at  timestamptz,
    on_scene_at    timestamptz,
    closed_at      timestamptz,
    imported_at    timestamptz NOT NULL DEFAULT now(),
    geom           geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
);
CREATE INDEX incident_history_received_at ON incident_history (received_at);
