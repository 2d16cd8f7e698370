#!/usr/bin/python3
"""Held-out points for mapdata's TestHeldOutPoints, labelled by shapely (not by siaga112's code).

Uniform random points over a box 3 km wider than Kota Serang; a point is kept when it is at least 40 m from every
kelurahan border (inside: labelled with its kelurahan) or at least 100 m outside every kelurahan (labelled "").
Distances in metres on a local equirectangular plane at latitude -6.12 (scale error under 0.1% across the city).
Run: /usr/bin/python3 heldout.py ../../../shared/data/serang/kelurahan.geojson > heldout.csv
"""
import json, math, random, sys
from shapely.geometry import shape, Point
from shapely.ops import unary_union
from shapely.prepared import prep
from shapely import affinity

R = 6371008.8
KX = R * math.pi / 180 * math.cos(math.radians(-6.12))
KY = R * math.pi / 180

def metric(g):
    return affinity.scale(g, xfact=KX, yfact=KY, origin=(0, 0))

fc = json.load(open(sys.argv[1]))
kels = [(f['properties']['code'], shape(f['geometry'])) for f in fc['features']]
borders = unary_union([metric(g).boundary for _, g in kels])
city = metric(unary_union([g for _, g in kels]))
prepared = [(c, prep(g)) for c, g in kels]
rng = random.Random(15)
print('lon,lat,kelurahan')
inside = outside = 0
while inside < 1500 or outside < 300:
    lon, lat = rng.uniform(106.05, 106.29), rng.uniform(-6.24, -5.98)
    p = Point(lon, lat)
    mp = Point(lon * KX, lat * KY)
    hits = [c for c, g in prepared if g.contains(p)]
    if len(hits) == 1 and inside < 1500 and borders.distance(mp) >= 40:
        print(f'{lon:.7f},{lat:.7f},{hits[0]}'); inside += 1
    elif not hits and outside < 300 and city.distance(mp) >= 100:
        print(f'{lon:.7f},{lat:.7f},'); outside += 1
