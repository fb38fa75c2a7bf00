"""Alternative routes side by side: length, detour, cost weight, what they cross, and the
pipe each needs at a given flow with its capital and levelised cost.

The pipe is the cheapest standard size for the flow over the route's length
(:func:`ccusplan.costs.pipeline.size_pipeline`), its capital cost scaled by the route's
``cost_weight / length_km`` (the terrain factor the obstacles and cost surface impose).
A corridor the network already gives between the two nodes is added as a reference row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ccusplan.costs.pipeline import size_pipeline
from ccusplan.routes.router import Route


def _pipe(mtpa: float, length_km: float, terrain: float, spec, crf: float) -> dict:
    """Size and cost of the pipe; NaN when no standard size carries the flow."""
    try:
        r = size_pipeline(mtpa, length_km, spec, crf, terrain_factor=terrain)
    except ValueError:
        return {"nominal_diameter_in": np.nan, "capex_musd": np.nan,
                "levelized_usd_per_t": np.nan}
    return {k: r[k] for k in ("nominal_diameter_in", "capex_musd", "levelized_usd_per_t")}


def crossing_kinds(obstacles: pd.DataFrame) -> list[str]:
    """The kinds of obstacle a route may cross (forbidden ones it never does)."""
    return sorted(set(obstacles.loc[~obstacles["forbidden"].astype(bool), "kind"]))


def compare_routes(routes: list[Route], shared: list[float], obstacles: pd.DataFrame,
                   mtpa: float, spec, crf: float, given: dict | None = None) -> pd.DataFrame:
    """One row per route (``route`` 1, 2 …) and one for the ``given`` corridor, if any.

    Parameters
    ----------
    routes : list of Route
    shared : list of float
        Largest share of each route's length it has in common with an earlier route.
    obstacles : pandas.DataFrame
        The cost field's obstacles, in the order of ``Route.crossings_km``.
    mtpa : float
        Flow the pipe is sized for, Mt/yr.
    spec : PipelineSpec
    crf : float
        Capital recovery factor (levelised cost).
    given : dict, optional
        ``length_km``, ``cost_weight``, ``geodesic_km`` and ``crossings_km`` (None when the
        given corridor has no geometry) of a corridor the network gives.
    """
    kinds = crossing_kinds(obstacles)
    kind_of = obstacles["kind"].to_numpy()
    rows = []
    for i, (r, s) in enumerate(zip(routes, shared), start=1):
        rows.append(_row(str(i), r.length_km, r.geodesic_km, r.cost_weight, r.crossings_km, s,
                         kinds, kind_of, mtpa, spec, crf))
    if given is not None:
        rows.append(_row("given", given["length_km"], given["geodesic_km"], given["cost_weight"],
                         given["crossings_km"], np.nan, kinds, kind_of, mtpa, spec, crf))
    return pd.DataFrame(rows)


def _row(name, length_km, geodesic_km, cost_weight, crossings, shared, kinds, kind_of, mtpa,
         spec, crf) -> dict:
    terrain = cost_weight / length_km if length_km > 0 else 1.0
    row = {"route": name, "length_km": length_km, "geodesic_km": geodesic_km,
           "detour_ratio": length_km / geodesic_km if geodesic_km > 0 else 1.0,
           "cost_weight": cost_weight, "terrain_factor": terrain, "shared_share": shared}
    for kind in kinds:
        row[f"crossed_{kind}_km"] = (np.nan if crossings is None else
                                     float(np.asarray(crossings)[kind_of == kind].sum()))
    row["mtpa"] = mtpa
    return row | _pipe(mtpa, length_km, terrain, spec, crf)


def crossing_text(row: pd.Series, kinds: list[str]) -> str:
    """``river 0.5 km, urban 1.2 km``; ``—`` when it crosses nothing, ``?`` when unknown."""
    values = [(k, row.get(f"crossed_{k}_km", np.nan)) for k in kinds]
    if any(v != v for _, v in values):
        return "?"
    parts = [f"{k} {v:.1f} km" for k, v in values if v > 0.005]
    return ", ".join(parts) if parts else "—"


def given_corridor(corridors: pd.DataFrame | None, a: str, b: str, field,
                   geodesic_km: float) -> tuple[dict | None, object]:
    """The network's own corridor between ``a`` and ``b`` as a reference row for
    :func:`compare_routes` (None without one, or without a length), and its line (None
    without geometry; then what it crosses is unknown)."""
    if corridors is None:
        return None, None
    hit = corridors[((corridors["from"] == a) & (corridors["to"] == b))
                    | ((corridors["from"] == b) & (corridors["to"] == a))]
    if hit.empty or not np.isfinite(hit["length_km"].iloc[0]):
        return None, None
    row = hit.iloc[0]
    length = float(row["length_km"])
    terrain = float(row["terrain_factor"]) if np.isfinite(row["terrain_factor"]) else 1.0
    weight = float(row["cost_weight"]) if np.isfinite(row["cost_weight"]) else length * terrain
    line = row.get("geometry") if "geometry" in corridors else None
    crossings = None
    if isinstance(line, shapely.LineString):
        lon, lat = np.asarray(line.coords)[:, :2].T
        xy = np.column_stack(field.xy(lon, lat))
        planar = float(np.hypot(*np.diff(xy, axis=0).T).sum())
        crossings = field.crossings_m(xy) * (length / planar if planar > 0 else 0.0)
    else:
        line = None
    return ({"length_km": length, "cost_weight": weight, "geodesic_km": geodesic_km,
             "crossings_km": crossings}, line)


def route_lines(routes: list[Route], given_line, with_given: bool) -> list:
    """The routes' lines (WGS84, 6 decimals), then the given corridor's (or None)."""
    lines = [shapely.LineString(np.round(r.lonlat, 6)) for r in routes]
    return lines + [given_line] if with_given else lines
