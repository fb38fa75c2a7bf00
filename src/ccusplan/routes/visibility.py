"""Shortest routes around and through polygon obstacles on a visibility graph.

Nodes are the two ends, the corners of every forbidden obstacle and points along the
edges of every costly one (and of any penalty polygon), each :data:`EPS_M` outside its
polygon. Every pair of nodes whose straight segment touches no forbidden obstacle is an
edge weighted by its cost (:meth:`CostField.segment_weights`); the cheapest path is found
with Dijkstra (scipy.sparse.csgraph). With nothing in the way the route is the straight
segment between the ends; around a forbidden polygon it bends only at its corners (the
classic shortest path among polygons); a costly polygon is crossed where its edge
points make it cheapest — optimal to within the spacing of those points, which is
1/:data:`EDGE_POINTS_PER_ROUTE` of the ends' distance (within 0.2–5 km).

Only obstacles that could matter are used: no route costing ``C`` leaves the ellipse
of points whose distances to the two ends add up to ``C`` (every multiplier is ≥ 1),
so the graph is built inside the ellipse of the best cost known (the straight line's, or
a known route's): first with edge points :data:`COARSE` times sparser (widening the
ellipse until the route found fits in it), then inside the ellipse of that route's cost
with the full set of edge points near it and the sparse ones elsewhere.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra

from ccusplan.routes.field import SEARCH_TOLERANCE_M, CostField

#: Graph nodes sit this many metres outside the (simplified) polygon they belong to: more
#: than the search tolerance, so they are outside the exact polygon too.
EPS_M = 5.0
EDGE_POINTS_PER_ROUTE = 50
MIN_SPACING_M, MAX_SPACING_M = 200.0, 5000.0
COARSE = 4
#: Penalty polygons (alternative routes) get edge points this many times further apart.
PENALTY_SPACING = 2
#: First ellipse when the straight line is blocked: ends' distances add up to this × d.
FIRST_REACH = 1.5
MAX_REACH = 20.0


def visibility_path(field: CostField, a: np.ndarray, b: np.ndarray, extra: tuple = (),
                    hints: tuple = ()) -> np.ndarray | None:
    """The cheapest polyline (n × 2, routing CRS) from ``a`` to ``b``, or None if none exists.

    A first search with edge points :data:`COARSE` times further apart bounds the cost;
    the fine search then only looks inside the ellipse of that bound.

    Parameters
    ----------
    field : CostField
    a, b : numpy.ndarray
        The ends (x, y).
    extra : tuple of (polygons, factors)
        More costly polygons (penalties), as in :meth:`CostField.segment_weights`.
    hints : tuple of numpy.ndarray
        Known routes from ``a`` to ``b`` that avoid every forbidden obstacle: the cheapest
        of them bounds the search.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = float(np.hypot(*(b - a)))
    if d == 0:
        return np.array([a, b])
    spacing = float(np.clip(d / EDGE_POINTS_PER_ROUTE, MIN_SPACING_M, MAX_SPACING_M))
    blocked = bool(field.blocked(a, b)[0])
    reach = FIRST_REACH * d if blocked else float(field.segment_weights(a, b, extra)[0])
    for xy in hints:
        reach = min(reach, float(field.segment_weights(xy[:-1], xy[1:], extra).sum()))
    coarse = COARSE * spacing
    while True:  # coarse: widen the ellipse until it holds the route it finds
        region = _ellipse(a, b, _slack(reach))
        path, cost = _cheapest(field, a, b, _nodes(field, region, extra, coarse), extra)
        if path is not None and cost <= _slack(reach):
            break
        if path is not None:
            reach = cost
        elif reach >= MAX_REACH * d:
            return None
        else:
            reach = min(2 * reach, MAX_REACH * d)
    # fine: every edge point near the coarse route, the sparse ones elsewhere
    region = _ellipse(a, b, _slack(cost))
    near = shapely.intersection(shapely.buffer(shapely.LineString(path), coarse), region)
    pts = np.vstack([_nodes(field, region, extra, coarse), _nodes(field, near, extra, spacing)])
    fine, fine_cost = _cheapest(field, a, b, pts, extra)
    return fine if fine is not None and fine_cost <= cost else path


def _slack(reach: float) -> float:
    return reach * (1 + 1e-9) + EPS_M


def _ellipse(a: np.ndarray, b: np.ndarray, reach: float):
    """Points whose distances to a and b add up to at most ``reach`` (a polygon)."""
    d = float(np.hypot(*(b - a)))
    major = reach / 2
    minor = np.sqrt(max(major**2 - (d / 2) ** 2, 0.0)) + EPS_M
    t = np.linspace(0, 2 * np.pi, 73)[:-1]
    u = (b - a) / d
    v = np.array([-u[1], u[0]])
    pts = (a + b) / 2 + np.outer(major * np.cos(t), u) + np.outer(minor * np.sin(t), v)
    # the polygon is inscribed in the ellipse: widen it so it holds the whole ellipse
    return shapely.buffer(shapely.polygons(pts), reach * (1 - np.cos(np.pi / 72)) + EPS_M)


def _nodes(field: CostField, region, extra: tuple, spacing: float) -> np.ndarray:
    """Corners of forbidden obstacles and edge points of costly polygons, inside ``region``."""
    parts = []
    if field.forbidden is not None:
        corners = shapely.simplify(field.forbidden, SEARCH_TOLERANCE_M)
        ring = shapely.boundary(shapely.buffer(corners, EPS_M, join_style="mitre"))
        parts.append(shapely.get_coordinates(shapely.intersection(ring, region)))
    costly = [(field.faces, spacing), *((p, PENALTY_SPACING * spacing) for p, _ in extra)]
    for polys, step in costly:
        if len(polys):
            outline = shapely.simplify(shapely.union_all(polys), SEARCH_TOLERANCE_M)
            ring = shapely.boundary(shapely.buffer(outline, EPS_M, join_style="mitre"))
            ring = shapely.segmentize(shapely.intersection(ring, region), step)
            parts.append(shapely.get_coordinates(ring))
    pts = np.vstack(parts) if parts else np.empty((0, 2))
    if field.forbidden is not None and len(pts):  # corners squeezed between two obstacles
        pts = pts[~shapely.intersects(shapely.points(pts), field.search_forbidden)]
    return pts


def _cheapest(field: CostField, a, b, nodes: np.ndarray, extra):
    """Dijkstra on the visibility graph of ``a``, ``b`` and ``nodes``: path and cost."""
    pts = np.vstack([a, b, np.unique(nodes, axis=0)])
    i, j = np.triu_indices(len(pts), 1)
    ok = ~field.blocked(pts[i], pts[j], search=True)
    i, j = i[ok], j[ok]
    w = field.segment_weights(pts[i], pts[j], extra, search=True)
    n = len(pts)
    graph = sp.csr_matrix((np.concatenate([w, w]), (np.concatenate([i, j]),
                                                    np.concatenate([j, i]))), shape=(n, n))
    dist, pred = dijkstra(graph, indices=0, return_predecessors=True)
    if not np.isfinite(dist[1]):
        return None, np.inf
    order = [1]
    while order[-1] != 0:
        order.append(pred[order[-1]])
    return pts[order[::-1]], float(dist[1])
