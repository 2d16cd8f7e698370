#!/bin/sh
# Rewrites the test town (OSM XML from the generator) and its PBF (osmium).
set -eu
cd "$(dirname "$0")"
go run ../basemaptest/mktown >town.osm
osmium cat --overwrite town.osm -o town.osm.pbf
