"""Write a network folder whose corridors are routed (``ccusplan routes candidates``).

The folder is a complete network that ``ccusplan solve`` reads like any other:
``sources.csv``, ``sinks.csv``, ``junctions.csv`` (the network's own plus the route
junctions), ``pipe_classes.csv`` (if the network has one) and ``corridors.geojson`` —
the corridor table with every contract column as properties and each route's line
geometry — plus the obstacle layer (as ``obstacles.geojson``) and cost raster it was
routed on, and
``routing.json`` saying how it was made. Corridors travel as GeoJSON, not CSV, because a
network folder holds each table once (the CSV columns and the route geometry in one
file). Written atomically; an earlier routed network (one with ``routing.json``) may be
replaced, any other non-empty folder is refused.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ccusplan.errors import InputError, Problem
from ccusplan.io.obstacles import OBSTACLES_FILE
from ccusplan.io.results import write_atomic
from ccusplan.model import Network, columns

MARKER = "routing.json"


def _value(v):
    """JSON-ready cell: numpy scalars to Python, NaN and blanks to null."""
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or v is pd.NA or (isinstance(v, float) and not math.isfinite(v)):
        return None
    return v


def corridors_geojson(corridors: pd.DataFrame) -> str:
    """A FeatureCollection of ``corridors`` (a ``geometry`` column of WGS84 lines or None),
    one feature per line of text."""
    props = [c for c in corridors.columns if c != "geometry"]
    geoms = corridors["geometry"] if "geometry" in corridors else [None] * len(corridors)
    feats = []
    for row, geom in zip(corridors[props].itertuples(index=False), geoms):
        g = shapely.geometry.mapping(geom) if isinstance(geom, shapely.Geometry) else None
        feats.append(json.dumps({"type": "Feature", "properties": {
            k: _value(v) for k, v in zip(props, row)}, "geometry": g}))
    return ('{"type": "FeatureCollection", "features": [\n' + ",\n".join(feats) + "\n]}\n")


def _table(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Contract columns first (ids back as a column), extras after, as read."""
    frame = frame.reset_index() if frame.index.name == "id" else frame
    cols = [c for c in columns(table) if c in frame] + [
        c for c in frame.columns if c not in columns(table) and c != "geometry"]
    return frame[cols]


def obstacles_geojson(obstacles: pd.DataFrame) -> str:
    """An obstacle table (as read, WGS84) back as ``obstacles.geojson``."""
    forbidden = obstacles["forbidden"].astype(bool)
    return corridors_geojson(pd.DataFrame({
        "name": obstacles["name"], "kind": obstacles["kind"],
        "cost_factor": obstacles["cost_factor"].where(~forbidden),
        "forbidden": forbidden, "geometry": obstacles["geometry"]}))


def write_routed_network(out: Path, network: Network, corridors: pd.DataFrame,
                         junctions: pd.DataFrame, provenance: dict,
                         copies: dict[str, Path], obstacles: pd.DataFrame | None = None
                         ) -> list[str]:
    """Write the routed network into ``out`` (atomically); the names of the files written.

    Parameters
    ----------
    out : pathlib.Path
        The new network folder; never the network's own.
    network : Network
        The network routed (its node tables and pipe classes are written back as CSV).
    corridors : pandas.DataFrame
        Every corridor (given and routed) with contract columns, extras and ``geometry``.
    junctions : pandas.DataFrame
        New junctions (id index, ``name``, ``lon``, ``lat``).
    provenance : dict
        Written as ``routing.json``.
    copies : dict of str to pathlib.Path
        Files copied in under the given names (obstacles, cost raster).
    obstacles : pandas.DataFrame, optional
        Written as ``obstacles.geojson`` unless a file of that name is copied (a
        GeoPackage network's obstacle layer).
    """
    if network.path is not None and Path(out).resolve() == Path(network.path).resolve():
        raise InputError(Problem("command line", "--out is the network being routed; write "
                                 "the routed network to a folder of its own", field="--out"))
    new = junctions.reset_index()[["id", "name", "lon", "lat"]].assign(kind="junction")
    all_junctions = pd.concat([_table(network.junctions, "junctions"), new], ignore_index=True)
    tables = {"sources.csv": _table(network.sources, "sources"),
              "sinks.csv": _table(network.sinks, "sinks"),
              "junctions.csv": all_junctions}
    if network.pipe_classes is not None:
        tables["pipe_classes.csv"] = _table(network.pipe_classes, "pipe_classes")
    writers = {name: (lambda p, t=t: t.to_csv(p, index=False)) for name, t in tables.items()}
    writers["corridors.geojson"] = lambda p: p.write_text(corridors_geojson(corridors))
    if obstacles is not None and OBSTACLES_FILE not in copies:
        writers[OBSTACLES_FILE] = lambda p: p.write_text(obstacles_geojson(obstacles))
    for name, src in copies.items():
        writers[name] = lambda p, src=src: shutil.copyfile(src, p)
    writers[MARKER] = lambda p: p.write_text(json.dumps(provenance, indent=2) + "\n")
    write_atomic(out, writers, marker=MARKER)
    return list(writers)
