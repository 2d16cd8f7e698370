#!/usr/bin/python3
"""Generates the synthetic town of geo/roads' tests (town.osm, town.json,
and the refused elsewhere.osm and footways.osm); make.sh turns them into
the PBFs the tests load (osmium cat).

The town lies inside Kota Serang, 2 km by 3 km, drawn in metres from a
south-west corner and turned into lon/lat on a sphere of radius 6378137 m:

- south grid (rows y = 0..1000, columns x = 0..2000, 200 m apart) and north
  grid (y = 1600..2400), a river between them (y = 1300), crossed by car
  only at x = 0 and x = 2000: bridges 2 km apart;
- at x = 200..1800 the river is crossed by one shortcut of each kind a car
  may not use: footway, path, cycleway, pedestrian, steps, track,
  access=no, access=private, motor_vehicle=no;
- a motorway with no oneway tag at y = -400 (one-way east), ramps at its
  ends, beside a residential street at y = -200;
- row y = 200 is oneway=yes (drawn west to east), row y = 400 oneway=-1
  (drawn west to east, driven east to west); row y = 800 has maxspeed=10;
- turn restrictions: no_left_turn at (1000, 600) from the row's west half
  to the column's north half; only_straight_on at (1000, 2000) from the
  row's west half to its east half; one via-way restriction (counted and
  ignored) and one whose member is missing (ignored);
- an isolated street at x = 2600..2900 that no road joins, and (in
  town.json) a place far from every road.
"""
import json
import math
import sys

R = 6378137.0
LON0, LAT0 = 106.140, -6.135
KY = R * math.pi / 180
KX = KY * math.cos(math.radians(LAT0))


def lonlat(x, y):
    return round(LON0 + x / KX, 7), round(LAT0 + y / KY, 7)


nodes = {}  # (x, y) -> id
order = []


def node(x, y):
    if (x, y) not in nodes:
        nodes[(x, y)] = len(nodes) + 1
        order.append((x, y))
    return nodes[(x, y)]


ways = []  # (id, [node ids], {tags})


def way(points, **tags):
    ids = [node(x, y) for x, y in points]
    wid = 1000 + len(ways)
    ways.append((wid, ids, {k.replace("__", ":"): v for k, v in tags.items()}))
    return wid


XS = list(range(0, 2001, 200))
SOUTH = list(range(0, 1001, 200))
NORTH = list(range(1600, 2401, 200))

# Rows of the south grid.
named = {}
for y in SOUTH:
    pts = [(x, y) for x in XS]
    if y == 200:
        way(pts, highway="residential", oneway="yes", name="Jalan Searah")
    elif y == 400:
        way(pts, highway="residential", oneway="-1", name="Jalan Balik")
    elif y == 600:
        named["row600w"] = way([(x, y) for x in XS if x <= 1000], highway="secondary", name="Jalan Larangan")
        named["row600e"] = way([(x, y) for x in XS if x >= 1000], highway="secondary", name="Jalan Larangan")
    elif y == 800:
        way(pts, highway="residential", maxspeed="10", name="Jalan Pelan")
    else:
        named[f"row{y}"] = way(pts, highway="residential")
# Rows of the north grid.
for y in NORTH:
    if y == 2000:
        named["row2000w"] = way([(x, y) for x in XS if x <= 1000], highway="secondary", name="Jalan Lurus")
        named["row2000e"] = way([(x, y) for x in XS if x >= 1000], highway="secondary", name="Jalan Lurus")
    else:
        way([(x, y) for x in XS], highway="residential")
# Columns: the two outer ones cross the river (bridges), the others stop at
# its banks.
for x in XS:
    if x in (0, 2000):
        way([(x, y) for y in SOUTH], highway="secondary")
        way([(x, 1000), (x, 1300), (x, 1600)], highway="secondary", bridge="yes", layer="1", name="Jembatan")
        way([(x, y) for y in NORTH], highway="secondary")
    elif x == 1000:
        named["col1000s"] = way([(x, y) for y in SOUTH if y <= 600], highway="secondary")
        named["col1000n"] = way([(x, y) for y in SOUTH if y >= 600], highway="secondary")
        way([(x, y) for y in NORTH if y <= 2000], highway="secondary")
        named["col1000up"] = way([(x, y) for y in NORTH if y >= 2000], highway="secondary")
    else:
        way([(x, y) for y in SOUTH], highway="residential")
        way([(x, y) for y in NORTH], highway="residential")
# What a car may not cross the river on.
shortcuts = [
    dict(highway="footway"), dict(highway="path"), dict(highway="cycleway"),
    dict(highway="pedestrian"), dict(highway="steps"), dict(highway="track"),
    dict(highway="residential", access="no"), dict(highway="service", access="private"),
    dict(highway="residential", motor_vehicle="no"),
]
for x, tags in zip(range(200, 1801, 200), shortcuts):
    way([(x, 1000), (x, 1600)], bridge="yes", **tags)
way([(-200, 1300), (2200, 1300)], waterway="river", name="Kali Uji")
# The motorway (no oneway tag), its one-way ramps, the street beside it.
way([(x, -400) for x in XS], highway="motorway", name="Tol Uji")
way([(0, 0), (0, -400)], highway="motorway_link", oneway="yes")
way([(2000, -400), (2000, 0)], highway="motorway_link", oneway="yes")
way([(x, -200) for x in XS], highway="residential", name="Jalan Samping")
way([(0, 0), (0, -200)], highway="residential")
way([(2000, 0), (2000, -200)], highway="residential")
# A street no road joins.
way([(2600, 500), (2750, 500), (2900, 500)], highway="residential", name="Jalan Buntu")

relations = [
    (1, [("way", named["row600w"], "from"), ("node", nodes[(1000, 600)], "via"), ("way", named["col1000n"], "to")],
     {"type": "restriction", "restriction": "no_left_turn"}),
    (2, [("way", named["row2000w"], "from"), ("node", nodes[(1000, 2000)], "via"), ("way", named["row2000e"], "to")],
     {"type": "restriction", "restriction": "only_straight_on"}),
    (3, [("way", named["row0"], "from"), ("way", named["col1000s"], "via"), ("way", named["row600e"], "to")],
     {"type": "restriction", "restriction": "no_u_turn"}),
    (4, [("way", 999999, "from"), ("node", nodes[(1000, 2000)], "via"), ("way", named["col1000up"], "to")],
     {"type": "restriction", "restriction": "no_right_turn"}),
]


def esc(s):
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def write(path, lon0, lat0, keep=lambda tags: True):
    kx = KY * math.cos(math.radians(lat0))
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="town.py">']
    for x, y in order:
        lon, lat = round(lon0 + x / kx, 7), round(lat0 + y / KY, 7)
        out.append(f'  <node id="{nodes[(x, y)]}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for wid, ids, tags in ways:
        if not keep(tags):
            continue
        out.append(f'  <way id="{wid}" version="1">')
        out += [f'    <nd ref="{i}"/>' for i in ids]
        out += [f'    <tag k="{esc(k)}" v="{esc(v)}"/>' for k, v in tags.items()]
        out.append("  </way>")
    for rid, members, tags in relations:
        out.append(f'  <relation id="{rid}" version="1">')
        out += [f'    <member type="{t}" ref="{ref}" role="{role}"/>' for t, ref, role in members]
        out += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        out.append("  </relation>")
    out.append("</osm>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


write("town.osm", LON0, LAT0)
# The refused extracts: the same town in Bandung, outside the city; and
# its ways a car may not use alone.
write("elsewhere.osm", 107.60, -6.90)
write("footways.osm", LON0, LAT0, keep=lambda tags: tags.get("highway") in ("footway", "path", "steps", "pedestrian"))

places = {"far": lonlat(1000, -2500), "river": lonlat(1000, 1300)}
with open("town.json", "w") as f:
    json.dump({"nodes": {f"{x},{y}": [nodes[(x, y)], *lonlat(x, y)] for x, y in order},
               "places": places, "origin": [LON0, LAT0]}, f, indent=0)
    f.write("\n")
