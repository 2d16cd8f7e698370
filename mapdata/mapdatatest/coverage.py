#!/usr/bin/python3
"""Is a boundary layer a clean coverage? Judged by shapely (GEOS), not by siaga112's code.

Usage: /usr/bin/python3 coverage.py KELURAHAN.geojson [KECAMATAN.geojson [CITY.geojson]]

Prints one JSON object. For each layer: "n" features, "invalid" (code: reason), "gaps" (areas in m² of the holes
of the layer's union over 1 m²: ground between polygons that none covers), "overlaps" ([code, code, m²] for each
pair overlapping by over 1 m²). With a kecamatan layer also "not_dissolve": [code, m²] where a kecamatan differs from
the union of its kelurahan by over 1 m² (a kelurahan names its kecamatan in "kecamatan_code", or in "kecamatan"
as {"code": …} like GET /api/areas), and "outline_m2": how much the two layers' outlines differ. With a city
layer, "city": its judgement, and "city_m2": how much it differs from the union of the kelurahan.

Areas are in m² on a plane tangent to the WGS 84 ellipsoid at the layer's middle latitude (x = N cos(phi0) lon,
y = M lat, N and M the radii of curvature): across one city the scale error is under 0.05%.
"""
import json, math, sys
from shapely.geometry import shape, Polygon
from shapely.ops import unary_union
from shapely.validation import explain_validity
from shapely import affinity

MIN_M2 = 1.0


def load(path):
    fc = json.load(open(path))
    return [(f["properties"], shape(f["geometry"])) for f in fc["features"]]


def plane(layers):
    lats = [y for layer in layers for _, g in layer for y in (g.bounds[1], g.bounds[3])]
    phi = math.radians((min(lats) + max(lats)) / 2)
    a, e2 = 6378137.0, 6.69437999014e-3
    w = 1 - e2 * math.sin(phi) ** 2
    n, m = a / math.sqrt(w), a * (1 - e2) / w ** 1.5
    kx, ky = n * math.cos(phi) * math.pi / 180, m * math.pi / 180
    return lambda g: affinity.scale(g, xfact=kx, yfact=ky, origin=(0, 0))


def polygons(g):
    return [g] if g.geom_type == "Polygon" else [p for p in getattr(g, "geoms", []) if p.geom_type == "Polygon"]


def judge(items):
    out = {"n": len(items), "invalid": [], "gaps": [], "overlaps": []}
    for code, g in items:
        if not g.is_valid:
            out["invalid"].append("%s: %s" % (code, explain_validity(g)))
    if out["invalid"]:
        return out, None
    union = unary_union([g for _, g in items])
    for p in polygons(union):
        out["gaps"] += [Polygon(r).area for r in p.interiors if Polygon(r).area > MIN_M2]
    for i, (a, ga) in enumerate(items):
        for b, gb in items[i + 1:]:
            if ga.envelope.intersects(gb.envelope):
                x = ga.intersection(gb).area
                if x > MIN_M2:
                    out["overlaps"].append([a, b, x])
    return out, union


kel = load(sys.argv[1])
kec = load(sys.argv[2]) if len(sys.argv) > 2 else []
city = load(sys.argv[3]) if len(sys.argv) > 3 else []
metric = plane([kel, kec])
kel = [(p, metric(g)) for p, g in kel]
res = {}
res["kelurahan"], kel_union = judge([(p["code"], g) for p, g in kel])
if kec:
    kec = [(p, metric(g)) for p, g in kec]
    res["kecamatan"], kec_union = judge([(p["code"], g) for p, g in kec])
    parent = lambda p: p.get("kecamatan_code") or p["kecamatan"]["code"]
    res["kecamatan"]["not_dissolve"] = []
    for p, g in kec:
        mine = unary_union([k for kp, k in kel if parent(kp) == p["code"]])
        d = g.symmetric_difference(mine).area
        if d > MIN_M2:
            res["kecamatan"]["not_dissolve"].append([p["code"], d])
    if kel_union is not None and kec_union is not None:
        res["outline_m2"] = kel_union.symmetric_difference(kec_union).area
if city:
    res["city"], city_union = judge([(p.get("code", "city"), metric(g)) for p, g in city])
    if kel_union is not None and city_union is not None:
        res["city_m2"] = kel_union.symmetric_difference(city_union).area
print(json.dumps(res))
