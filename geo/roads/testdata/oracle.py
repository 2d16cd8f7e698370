#!/usr/bin/python3
"""An independent shortest-path oracle for geo/roads' tests, on networkx.

Reads an OSM XML file and, on stdin, a JSON list of [from_node, to_node]
pairs; writes a JSON list of {"secs", "metres", "path"} (null when no road
joins them). It applies the rules of issue 24 on its own: drivable classes
and access tags, one-ways (yes/1/true, -1, motorways and roundabouts),
speeds per class lowered by maxspeed, and via-node turn restrictions, here
on the line graph (a state is the arc just driven), not by node copies as
geo/roads does. Distances are haversine on a sphere of radius 6378137 m.

usage: oracle.py town.osm [speeds.json] < pairs.json
"""
import json
import math
import sys
import xml.etree.ElementTree as ET

import networkx as nx

SPEEDS = {
    "motorway": 80, "motorway_link": 50, "trunk": 70, "trunk_link": 45,
    "primary": 50, "primary_link": 40, "secondary": 45, "secondary_link": 35,
    "tertiary": 40, "tertiary_link": 30, "unclassified": 30, "residential": 30,
    "living_street": 10, "service": 15,
}


def haversine(a, b):
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6378137.0 * math.asin(min(1, math.sqrt(h)))


def main():
    root = ET.parse(sys.argv[1]).getroot()
    speeds = dict(SPEEDS)
    if len(sys.argv) > 2:
        speeds.update(json.load(open(sys.argv[2])))
    pos = {int(n.get("id")): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}
    arcs = {}  # (u, v, way) -> (secs, metres)
    for w in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in w.iter("tag")}
        hw = tags.get("highway")
        if hw not in speeds or tags.get("access") in ("no", "private") or tags.get("motor_vehicle") == "no":
            continue
        ow = tags.get("oneway")
        fwd, bwd = True, True
        if ow in ("yes", "1", "true"):
            bwd = False
        elif ow == "-1":
            fwd = False
        elif ow not in ("no", "0", "false") and (hw == "motorway" or tags.get("junction") == "roundabout"):
            bwd = False
        kmh = speeds[hw]
        try:
            kmh = min(kmh, float(tags.get("maxspeed", "x")))
        except ValueError:
            pass
        ids = [int(nd.get("ref")) for nd in w.iter("nd")]
        wid = int(w.get("id"))
        for u, v in zip(ids, ids[1:]):
            m = haversine(pos[u], pos[v])
            if fwd:
                arcs[(u, v, wid)] = (m / (kmh / 3.6), m)
            if bwd:
                arcs[(v, u, wid)] = (m / (kmh / 3.6), m)
    banned, only = set(), {}
    for r in root.iter("relation"):
        tags = {t.get("k"): t.get("v") for t in r.iter("tag")}
        if tags.get("type") != "restriction":
            continue
        mem = {(m.get("role"), m.get("type")): int(m.get("ref")) for m in r.iter("member")}
        if ("via", "node") not in mem or ("from", "way") not in mem or ("to", "way") not in mem:
            continue
        key = (mem[("from", "way")], mem[("via", "node")])
        kind = tags.get("restriction", "")
        if kind.startswith("no_"):
            banned.add((key, mem[("to", "way")]))
        elif kind.startswith("only_"):
            only[key] = mem[("to", "way")]
    g = nx.DiGraph()
    into = {}
    for (u, v, w), (secs, m) in arcs.items():
        into.setdefault(u, []).append((u, v, w))
    for a, (secs, m) in arcs.items():
        u, v, w = a
        for b in into.get(v, []):
            key = (w, v)
            if (key, b[2]) in banned or (key in only and only[key] != b[2]):
                continue
            g.add_edge(a, b, weight=arcs[b][0])
    for a, (secs, m) in arcs.items():
        g.add_edge(("src", a[0]), a, weight=secs)
        g.add_edge(a, ("dst", a[1]), weight=0)
    out = []
    for s, t in json.load(sys.stdin):
        if s == t:
            out.append({"secs": 0, "metres": 0, "path": [s]})
            continue
        try:
            secs, path = nx.single_source_dijkstra(g, ("src", s), ("dst", t), weight="weight")
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            out.append(None)
            continue
        states = path[1:-1]
        nodes = [states[0][0]] + [a[1] for a in states]
        out.append({"secs": secs, "metres": sum(arcs[a][1] for a in states), "path": nodes})
    json.dump(out, sys.stdout)


main()
