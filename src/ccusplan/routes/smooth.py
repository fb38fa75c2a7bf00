"""Pull a grid path taut: cut its corners where the straight cut costs no more.

A path from a grid search zig-zags between cell centres (16 directions only). From each
kept vertex the farthest later vertex is taken whose straight segment touches no
forbidden obstacle and costs no more than the stretch of path it replaces, priced
exactly on the cost field. On uniform ground the whole path becomes one straight line;
around obstacles it keeps the bends that pay.
"""

from __future__ import annotations

import numpy as np

from ccusplan.routes.field import CostField

#: A straight cut may cost this fraction more than the path it replaces (rounding only).
REL_TOL = 1e-9


def drop_collinear(xy: np.ndarray) -> np.ndarray:
    """The polyline without its vertices that continue in the same direction."""
    xy = np.asarray(xy, float)
    if len(xy) < 3:
        return xy
    d = np.diff(xy, axis=0)
    turn = d[:-1, 0] * d[1:, 1] - d[:-1, 1] * d[1:, 0]
    scale = np.hypot(*d[:-1].T) * np.hypot(*d[1:].T)
    back = (d[:-1] * d[1:]).sum(axis=1) < 0
    keep = np.concatenate([[True], (np.abs(turn) > 1e-12 * scale) | back, [True]])
    return xy[keep]


def pull_taut(field: CostField, xy: np.ndarray, extra: tuple = ()) -> np.ndarray:
    """Vertices of ``xy`` (routing CRS) kept after cutting every corner that does not pay.

    ``extra`` are penalty polygons priced as in :meth:`CostField.segment_weights`.
    """
    xy = drop_collinear(xy)
    n = len(xy)
    if n <= 2:
        return xy
    cost = np.concatenate([[0.0], np.cumsum(field.segment_weights(xy[:-1], xy[1:], extra))])
    kept, i = [0], 0
    while i < n - 1:
        js = np.arange(i + 1, n)
        start = np.repeat(xy[i][None], len(js), axis=0)
        ok = ~field.blocked(start, xy[js])
        ok &= field.segment_weights(start, xy[js], extra) <= (cost[js] - cost[i]) * (1 + REL_TOL)
        ok[0] = True  # the path's own segment
        i = int(js[np.flatnonzero(ok)[-1]])
        kept.append(i)
    return xy[kept]
