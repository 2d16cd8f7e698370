#!/bin/sh
# Regenerates the synthetic town and its PBFs (needs osmium-tool).
set -e
cd "$(dirname "$0")"
/usr/bin/python3 town.py
for f in town elsewhere footways; do
	osmium cat --overwrite "$f.osm" -o "$f.osm.pbf"
done
rm elsewhere.osm footways.osm
