"""Input that is valid but probably not what was meant: notes, not errors.

- a column a table does not read whose name is close to one it does (a typo in an
  optional column, e.g. ``capture_cost_usd_per_ton``, would otherwise leave the default
  in force without a word);
- a node far from every other one, measured against the size of the network without it
  (swapped ``lon``/``lat`` put a Rotterdam site in the Gulf of Guinea, and the plan then
  lays an 8,000 km pipe to it).

:func:`notes` gives one line per finding; ``read_network`` keeps them on the network
(:attr:`ccusplan.model.Network.notes`) and the command line prints them.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from ccusplan.model import columns

#: How alike a column name must be to a known one to be taken for a misspelling of it
#: (:func:`difflib.SequenceMatcher.ratio`).
NAME_SIMILARITY = 0.8
#: A node is far when its nearest other node is farther than this many times the
#: distance across the rest of the network, and farther than :data:`FAR_KM`.
FAR_SHARE = 1.0
FAR_KM = 300.0
EARTH_RADIUS_KM = 6371.0


def misspelt_columns(table: str, file: str, frame: pd.DataFrame) -> list[str]:
    """A note for each column of ``frame`` the table does not read whose name is close to
    one it does."""
    known = columns(table)
    out = []
    for col in frame.columns:
        if col in known or col in ("id", "geometry"):
            continue
        close = difflib.get_close_matches(str(col), known, n=1, cutoff=NAME_SIMILARITY)
        if close:
            out.append(f"{file}: column '{col}' is not one ccusplan reads, and is ignored; "
                       f"did you mean '{close[0]}'?")
    return out


def far_nodes(nodes: pd.DataFrame) -> list[str]:
    """A note for each node (``lon``, ``lat``, indexed by id, with ``role``) whose nearest
    other node is farther than :data:`FAR_KM` and than :data:`FAR_SHARE` times the
    diagonal of the box around all the other nodes."""
    if len(nodes) < 3:
        return []
    lon = nodes["lon"].to_numpy(float)
    lat = nodes["lat"].to_numpy(float)
    nearest = _nearest_km(lon, lat)
    span = _span_without_each_km(lon, lat)
    far = np.flatnonzero((nearest > FAR_KM) & (nearest > FAR_SHARE * span))
    return [f"{nodes['role'].iloc[i]} '{nodes.index[i]}' at lon {lon[i]:g}, lat {lat[i]:g} is "
            f"{nearest[i]:,.0f} km from the nearest other node, farther than the rest of "
            f"the network is across ({span[i]:,.0f} km): check its lon and lat (swapped?)"
            for i in far]


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _km(chord: np.ndarray) -> np.ndarray:
    """Great-circle km from the chord length between unit vectors."""
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0.0, 1.0))


def _nearest_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Each node's great-circle distance to its nearest other node (at the same place: 0)."""
    from scipy.spatial import cKDTree

    xyz = _unit_vectors(lon, lat)
    chord, _ = cKDTree(xyz).query(xyz, k=2)
    return _km(chord[:, 1])


def _span_without_each_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """For each node, the great-circle diagonal of the lon/lat box around all the others:
    the box's bounds without node i are the extreme values of the others, the second
    extreme where i holds the first."""
    bounds = []
    for v in (lon, lat):
        order = np.argsort(v)
        lo = np.where(np.arange(len(v)) == order[0], v[order[1]], v[order[0]])
        hi = np.where(np.arange(len(v)) == order[-1], v[order[-2]], v[order[-1]])
        bounds += [lo, hi]
    lon_lo, lon_hi, lat_lo, lat_hi = bounds
    a, b = _unit_vectors(lon_lo, lat_lo), _unit_vectors(lon_hi, lat_hi)
    return _km(np.linalg.norm(a - b, axis=1))
