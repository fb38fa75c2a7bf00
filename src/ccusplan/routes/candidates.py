"""Candidate pipeline corridors from node positions.

When a network has no corridors file, candidates are the union of a Delaunay
triangulation of all nodes and each node's k nearest neighbours. Lengths are
WGS84 geodesics (pyproj) times a detour factor for the real route.
Triangulation and neighbour search run in an azimuthal equidistant projection
centred on the network, where planar distances approximate ground distances.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Geod, Proj
from scipy.spatial import Delaunay, QhullError, cKDTree

_GEOD = Geod(ellps="WGS84")


def geodesic_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """WGS84 geodesic distance in km, vectorised.

    >>> round(float(geodesic_km(0, 0, 1, 0)), 3)
    111.319
    """
    _, _, m = _GEOD.inv(
        np.asarray(lon1, float), np.asarray(lat1, float),
        np.asarray(lon2, float), np.asarray(lat2, float),
    )
    return np.asarray(m) / 1000.0


def _projected_xy(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    proj = Proj(proj="aeqd", lon_0=float(np.mean(lon)), lat_0=float(np.mean(lat)), ellps="WGS84")
    x, y = proj(lon, lat)
    return np.column_stack([x, y])


def _delaunay_pairs(xy: np.ndarray) -> np.ndarray:
    if len(xy) < 3:
        return np.array([[0, 1]]) if len(xy) == 2 else np.empty((0, 2), int)
    try:
        tri = Delaunay(xy)
    except QhullError:  # all nodes on one line: no triangles; neighbours cover it
        return np.empty((0, 2), int)
    s = tri.simplices
    return np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])


def _knn_pairs(xy: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(xy) - 1)
    if k <= 0:
        return np.empty((0, 2), int)
    _, idx = cKDTree(xy).query(xy, k=k + 1)
    i = np.repeat(np.arange(len(xy)), k)
    return np.column_stack([i, idx[:, 1:].ravel()])


def candidate_corridors(nodes: pd.DataFrame, k_nearest: int, detour_factor: float) -> pd.DataFrame:
    """Corridors ``from, to, length_km`` joining ``nodes`` (id index, ``lon``, ``lat``).

    Pairs are unordered and unique; ``from`` is the smaller id, rows sorted, so the
    result does not depend on the order of the input.
    """
    nodes = nodes.sort_index()
    lon, lat = nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float)
    xy = _projected_xy(lon, lat)
    pairs = np.vstack([_delaunay_pairs(xy), _knn_pairs(xy, k_nearest)])
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    ids = nodes.index.to_numpy()
    a, b = pairs[:, 0], pairs[:, 1]
    return pd.DataFrame({
        "from": ids[a],
        "to": ids[b],
        "length_km": geodesic_km(lon[a], lat[a], lon[b], lat[b]) * detour_factor,
    })
