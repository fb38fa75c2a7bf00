"""Read and validate a network's obstacle layer (``obstacles.geojson``).

Each feature is a Polygon or MultiPolygon (any CRS; reprojected to WGS84) that a
pipeline route either may not enter (``forbidden = true``) or pays more to cross
(``cost_factor`` ≥ 1 multiplies the cost of every km inside it). Optional ``kind``
(what it is: ``river``, ``urban``, ``reserve`` … — routes report what they cross by
kind; default ``obstacle``) and ``name``. A GeoPackage network holds the same as a layer
named ``obstacles``. Every problem is reported at once, naming the feature (1-based)
and field, as :mod:`ccusplan.io.network` does for the other tables.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely

from ccusplan.errors import InputError, Problem, display_path

OBSTACLES_FILE = "obstacles.geojson"
OBSTACLES_LAYER = "obstacles"
DEFAULT_KIND = "obstacle"
_TRUE, _FALSE = {"true", "1", "1.0", "yes"}, {"false", "0", "0.0", "no", ""}
_POLYGONS = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def obstacles_path(network: Path) -> tuple[Path, str | None] | None:
    """Where a network's obstacles are: (file, layer) — ``None`` when it has none."""
    network = Path(network)
    if network.is_dir():
        f = network / OBSTACLES_FILE
        return (f, None) if f.is_file() else None
    if network.suffix.lower() == ".gpkg" and network.is_file():
        try:
            names = set(pyogrio.list_layers(network)[:, 0])
        except (pyogrio.errors.DataSourceError, ValueError):
            return None  # the network reader reports an unreadable GeoPackage
        return (network, OBSTACLES_LAYER) if OBSTACLES_LAYER in names else None
    return None


def read_obstacles(network: Path, nodes: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The obstacle layer of the network at ``network``, validated; ``None`` if it has none.

    Parameters
    ----------
    network : pathlib.Path
        A network folder (``obstacles.geojson``) or GeoPackage (layer ``obstacles``).
    nodes : pandas.DataFrame, optional
        The network's nodes (id index, ``lon``, ``lat``): a node inside a forbidden
        obstacle is a problem (no route could start or end there).

    Returns
    -------
    pandas.DataFrame or None
        One row per feature: ``feature`` (1-based number), ``name``, ``kind``,
        ``cost_factor`` (1 for a forbidden one), ``forbidden`` (bool) and ``geometry``
        (shapely polygons, WGS84 degrees). ``attrs["file"]`` names the file.

    Raises
    ------
    InputError
        Every problem found, each naming the file, feature and field.
    """
    found = obstacles_path(network)
    if found is None:
        return None
    file, layer = found
    where = display_path(file) + (f", layer '{layer}'" if layer else "")
    problems: list[Problem] = []
    try:
        with warnings.catch_warnings():  # mixed-type columns are read as text, as wanted
            warnings.simplefilter("ignore", UserWarning)
            frame = pyogrio.read_dataframe(file, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise InputError(Problem(where, f"cannot read as GeoJSON: {exc}")) from None
    if getattr(frame, "crs", None) is not None:
        frame = frame.to_crs(4326)
    table = _convert(frame, where, problems)
    if nodes is not None:
        problems += _nodes_inside_forbidden(table, nodes, where)
    if problems:
        raise InputError(problems)
    table.attrs["file"] = where
    return table


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=str)
    col = frame[column]
    return col.astype(str).where(col.notna(), "").str.strip()


def _convert(frame: pd.DataFrame, where: str, problems: list[Problem]) -> pd.DataFrame:
    """Typed obstacle table; every bad cell is reported."""
    frame = frame.reset_index(drop=True)
    rows = np.arange(1, len(frame) + 1)
    geoms = (frame.geometry.to_numpy() if hasattr(frame, "geometry")
             else np.full(len(frame), None, dtype=object))
    problems += _geometry_problems(geoms, rows, where)

    forbidden_text = _text(frame, "forbidden").str.lower()
    bad_flag = ~forbidden_text.isin(_TRUE | _FALSE)
    problems += [Problem(where, f"'{v}' is not true or false", int(r), "forbidden")
                 for r, v in zip(rows[bad_flag], _text(frame, "forbidden")[bad_flag])]
    forbidden = forbidden_text.isin(_TRUE).to_numpy()

    factor_text = _text(frame, "cost_factor")
    factor = pd.to_numeric(factor_text.where(factor_text != ""), errors="coerce").to_numpy(float)
    given = (factor_text != "").to_numpy()
    for r, text, f, forb, flag_ok in zip(rows, factor_text, factor, forbidden, ~bad_flag):
        if given[r - 1] and not np.isfinite(f):
            problems.append(Problem(where, f"'{text}' is not a number; expected a cost factor "
                                    "≥ 1", int(r), "cost_factor"))
        elif given[r - 1] and f < 1:
            problems.append(Problem(where, f"{text} is below 1; expected a cost factor ≥ 1 "
                                    "(1 = no extra cost; an obstacle never makes a route "
                                    "cheaper)", int(r), "cost_factor"))
        elif given[r - 1] and forb:
            problems.append(Problem(where, "a forbidden obstacle has no cost factor: give "
                                    "either forbidden = true or a cost_factor", int(r),
                                    "cost_factor"))
        elif not given[r - 1] and not forb and flag_ok:
            problems.append(Problem(where, "expected a cost_factor ≥ 1 or forbidden = true",
                                    int(r), "cost_factor"))
    name = _text(frame, "name")
    return pd.DataFrame({
        "feature": rows,
        "name": name.where(name != "", pd.Series([f"obstacle {r}" for r in rows])),
        "kind": _text(frame, "kind").replace("", DEFAULT_KIND),
        "cost_factor": np.where(forbidden, 1.0, np.where(np.isfinite(factor), factor, 1.0)),
        "forbidden": forbidden,
        "geometry": geoms,
    })


def _geometry_problems(geoms: np.ndarray, rows: np.ndarray, where: str) -> list[Problem]:
    """Each feature needs a valid, non-empty Polygon or MultiPolygon."""
    out = []
    types = shapely.get_type_id(geoms)
    for r, g, t in zip(rows, geoms, types):
        if g is None or t == shapely.GeometryType.MISSING:
            out.append(Problem(where, "no geometry; expected a Polygon or MultiPolygon",
                               int(r), "geometry"))
        elif t not in _POLYGONS:
            out.append(Problem(where, f"geometry is a {g.geom_type}; expected a Polygon or "
                               "MultiPolygon", int(r), "geometry"))
        elif g.is_empty:
            out.append(Problem(where, "geometry is empty; expected a Polygon or MultiPolygon",
                               int(r), "geometry"))
        elif not g.is_valid:
            out.append(Problem(where, f"invalid polygon ({shapely.is_valid_reason(g)}); "
                               "fix it, e.g. with QGIS 'Fix geometries'", int(r), "geometry"))
    return out


def _nodes_inside_forbidden(table: pd.DataFrame, nodes: pd.DataFrame,
                            where: str) -> list[Problem]:
    """A node inside a forbidden obstacle can be reached by no route."""
    ok = table["forbidden"] & np.array([g is not None and g.is_valid and not g.is_empty
                                        for g in table["geometry"]], dtype=bool)
    if not ok.any() or nodes.empty:
        return []
    points = shapely.points(nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float))
    polys = table.loc[ok, "geometry"].to_numpy()
    tree = shapely.STRtree(polys)
    node_i, poly_i = tree.query(points, predicate="intersects")
    feature = table.loc[ok, "feature"].to_numpy()
    return [Problem(where, f"node '{nodes.index[n]}' lies inside this forbidden obstacle: no "
                    "route can reach it; move the node or make the obstacle costly instead",
                    int(feature[p]), "geometry")
            for n, p in sorted(zip(node_i, poly_i), key=lambda np_: (feature[np_[1]], np_[0]))]
