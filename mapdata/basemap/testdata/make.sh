#!/bin/sh
# Rewrites the test town (OSM XML from the generator) and its PBFs (osmium):
# dense nodes as extracts have them, and plain nodes, which osmpbf cannot read.
set -eu
cd "$(dirname "$0")"
go run ../basemaptest/mktown >town.osm
osmium cat --overwrite town.osm -o town.osm.pbf
osmium cat --overwrite town.osm -o plain-nodes.osm.pbf -f pbf,pbf_dense_nodes=false
