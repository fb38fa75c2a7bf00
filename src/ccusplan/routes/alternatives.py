"""k genuinely different routes between two points (the iterative penalty method).

The cheapest route comes first. For each next one, the band within
:data:`PENALTY_BAND` × ``separation`` of every route found so far (away from the two
ends) is made dearer — by a factor of 2, then 4, 8 … up to :data:`PENALTY_FACTORS` [-1] — and the cheapest route
under that penalty is taken as soon as it shares at most ``max_shared`` of its length
with each earlier route. Two routes *share* the stretches where one runs within
``separation`` of the other (by default 10 % of the ends' distance, at least 1 km), so
a route a few hundred metres beside another is the same corridor, not an alternative.
Every route is priced without penalties. Fewer than k come back when no penalty finds
another route different enough (e.g. a forbidden gap everything has to pass through).
"""

from __future__ import annotations

import numpy as np
import shapely

from ccusplan.routes.clip import inside_intervals
from ccusplan.routes.router import Router

PENALTY_FACTORS = (2.0, 4.0, 8.0, 16.0, 64.0)
PENALTY_BAND = 1.1
#: Around the two ends (this × the band's width) nothing is penalised: every route has to
#: leave from and arrive at the same points, in whatever direction suits it.
END_FREE = 1.0
#: Bands are simplified to within this share of the separation (fewer graph nodes).
BAND_TOLERANCE = 0.05
DEFAULT_MAX_SHARED = 0.5
SEPARATION_SHARE = 0.10
MIN_SEPARATION_M = 1000.0


def default_separation_m(a: np.ndarray, b: np.ndarray) -> float:
    """10 % of the ends' (projected) distance, at least 1 km."""
    return max(MIN_SEPARATION_M, SEPARATION_SHARE * float(np.hypot(*(np.asarray(b) - a))))


def shared_share(xy: np.ndarray, other: np.ndarray, separation_m: float) -> float:
    """Share of the polyline ``xy``'s length within ``separation_m`` of ``other``."""
    xy = np.asarray(xy, float)
    band = shapely.buffer(shapely.LineString(other), separation_m)
    seg, t0, t1 = inside_intervals(xy[:-1], xy[1:], band)
    seg_len = np.hypot(*np.diff(xy, axis=0).T)
    total = seg_len.sum()
    return float(((t1 - t0) * seg_len[seg]).sum() / total) if total > 0 else 1.0


def alternatives(router: Router, a: np.ndarray, b: np.ndarray, k: int,
                 max_shared: float = DEFAULT_MAX_SHARED,
                 separation_m: float | None = None) -> list[tuple[np.ndarray, float]]:
    """Up to ``k`` routes from ``a`` to ``b`` (routing CRS), cheapest first.

    Returns
    -------
    list of (numpy.ndarray, float)
        Each route's vertices and the largest share of its length it has in common with
        an earlier route (0 for the first). Empty when no route exists.
    """
    sep = default_separation_m(a, b) if separation_m is None else separation_m
    first = router.path(a, b)
    if first is None:
        return []
    found = [(first, 0.0)]
    while len(found) < k:
        nxt = _next_route(router, a, b, [xy for xy, _ in found], max_shared, sep)
        if nxt is None:
            break
        found.append(nxt)
    return found


def _next_route(router: Router, a, b, earlier: list[np.ndarray], max_shared: float,
                sep: float) -> tuple[np.ndarray, float] | None:
    """The cheapest route under rising penalties on the earlier routes' bands that shares
    at most ``max_shared`` with each of them."""
    ends = shapely.buffer(shapely.multipoints([a, b]), END_FREE * PENALTY_BAND * sep,
                          quad_segs=4)
    bands = np.array([shapely.simplify(shapely.difference(
        shapely.buffer(shapely.LineString(xy), PENALTY_BAND * sep, quad_segs=2), ends),
        BAND_TOLERANCE * sep) for xy in earlier], dtype=object)
    hints = list(earlier)
    for factor in PENALTY_FACTORS:
        xy = router.path(a, b, ((bands, np.full(len(bands), factor)),), tuple(hints))
        if xy is None:
            return None
        hints.append(xy)
        share = max(shared_share(xy, old, sep) for old in earlier)
        if share <= max_shared:
            return xy, share
    return None
