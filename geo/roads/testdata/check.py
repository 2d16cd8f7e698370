#!/usr/bin/python3
"""Checks the server's road answers with shapely, independently of Go.

stdin: {"osm": path to the town's OSM XML, "routes": [{"name", "route",
"route_m", "eta_model"}], "isochrones": FeatureCollection, "inside": [[lon, lat]],
"outside": [[lon, lat]]}. stdout: {"errors": [sentences]}.

- a route is a valid LineString whose geodesic length is route_m within 1%,
  whose vertices but its two first and two last (unit, its road point, the
  incident's road point, the incident) are nodes of drivable ways, and which
  crosses the river only on a bridge;
- each isochrone is a valid Polygon or MultiPolygon, contains each smaller
  one, contains the "inside" points and none of the "outside" ones.
"""
import json
import math
import sys
import xml.etree.ElementTree as ET

from shapely.geometry import LineString, Point, shape
from shapely.validation import explain_validity

DRIVABLE = {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
            "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street", "service"}


def haversine(a, b):
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6378137.0 * math.asin(min(1, math.sqrt(h)))


def main():
    doc = json.load(sys.stdin)
    root = ET.parse(doc["osm"]).getroot()
    pos = {n.get("id"): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}
    drivable, bridges, rivers = set(), [], []
    for w in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in w.iter("tag")}
        pts = [pos[nd.get("ref")] for nd in w.iter("nd")]
        if tags.get("waterway") == "river":
            rivers.append(LineString(pts))
        ok = tags.get("highway") in DRIVABLE and tags.get("access") not in ("no", "private") and tags.get("motor_vehicle") != "no"
        if ok:
            drivable.update((round(x, 7), round(y, 7)) for x, y in pts)
            if tags.get("bridge") == "yes":
                bridges.append(LineString(pts))
    errors = []
    for r in (doc.get("routes") or []):
        name, coords = r["name"], r["route"]["coordinates"]
        line = LineString(coords)
        if r["route"]["type"] != "LineString" or not line.is_valid:
            errors.append(f"{name}: not a valid LineString")
            continue
        length = sum(haversine(a, b) for a, b in zip(coords, coords[1:]))
        if r.get("eta_model") == "detour":  # the straight line; route_m is it × the detour factor
            if len(coords) != 2 or abs(length * r.get("detour", 1.4) - r["route_m"]) > 0.01 * r["route_m"] + 1:
                errors.append(f"{name}: a detour row's route is not the straight line of route_m ÷ detour")
            continue
        if abs(length - r["route_m"]) > 0.01 * r["route_m"] + 1:
            errors.append(f"{name}: geodesic length {length:.1f} m, route_m {r['route_m']}")
        for c in coords[2:-2]:
            if (round(c[0], 7), round(c[1], 7)) not in drivable:
                errors.append(f"{name}: vertex {c} is not a node of a drivable way")
                break
        for river in rivers:
            cross = line.intersection(river)
            pts = [cross] if cross.geom_type == "Point" else list(getattr(cross, "geoms", []))
            for p in pts:
                if not any(b.distance(p) < 1e-7 for b in bridges):
                    errors.append(f"{name}: crosses the river at {p.wkt}, not on a bridge")
    feats = doc.get("isochrones", {}).get("features", [])
    prev = None
    for f in feats:
        g = shape(f["geometry"])
        m = f["properties"]["minutes"]
        if g.geom_type not in ("Polygon", "MultiPolygon") or not g.is_valid:
            errors.append(f"isochrone {m} min: {g.geom_type} {explain_validity(g)}")
            continue
        if prev is not None and prev.difference(g).area > 1e-12:
            errors.append(f"isochrone {m} min does not contain the smaller one")
        for p in (doc.get("inside") or []):
            if not g.contains(Point(p)):
                errors.append(f"isochrone {m} min leaves out {p}")
        for p in (doc.get("outside") or []):
            if g.contains(Point(p)):
                errors.append(f"isochrone {m} min takes in {p}")
        prev = g
    json.dump({"errors": errors}, sys.stdout)


main()
