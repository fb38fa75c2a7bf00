"""Route a pipeline between two points and describe the route found.

Two searches, one result type:

* **visibility** (polygon obstacles only): :mod:`ccusplan.routes.visibility` — the
  straight line when nothing is in the way, otherwise bends at obstacle corners and
  crossing points;
* **grid** (a cost raster): :class:`ccusplan.routes.grid.GridGraph` over the routing
  grid, then pulled taut (:mod:`ccusplan.routes.smooth`).

Whatever found it, a route is priced on the exact cost field (:class:`Route`): its
length is the WGS84 geodesic length along its vertices (pyproj), its ``cost_weight`` that
length times the multipliers crossed, as the share of its projected length spent at each
multiplier, so with no multiplier it equals the length exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod

from ccusplan.routes.field import CostField
from ccusplan.routes.grid import GridGraph
from ccusplan.routes.smooth import pull_taut
from ccusplan.routes.visibility import visibility_path

_GEOD = Geod(ellps="WGS84")
#: Route vertices are added every this many metres before leaving the routing CRS, so
#: the lon/lat line stays on the projected one (to within centimetres).
DENSIFY_M = 1000.0


@dataclass(frozen=True)
class Route:
    """A route priced on the cost field.

    Attributes
    ----------
    xy : numpy.ndarray
        Vertices in the routing CRS (n × 2).
    lonlat : numpy.ndarray
        The same line, densified every :data:`DENSIFY_M`, in WGS84 degrees.
    length_km : float
        Geodesic length along ``lonlat``.
    cost_weight : float
        ``length_km`` × the multipliers crossed (km-equivalent; = length_km on plain ground).
    geodesic_km : float
        Geodesic distance between the ends.
    crossings_km : numpy.ndarray
        Length inside each obstacle of the field, in ``field.obstacles`` order.
    """

    xy: np.ndarray
    lonlat: np.ndarray
    length_km: float
    cost_weight: float
    geodesic_km: float
    crossings_km: np.ndarray

    @property
    def detour_ratio(self) -> float:
        """Route length over the geodesic between its ends."""
        return self.length_km / self.geodesic_km if self.geodesic_km > 0 else 1.0

    @property
    def terrain_factor(self) -> float:
        """Cost weight per km (1 on plain ground)."""
        return self.cost_weight / self.length_km if self.length_km > 0 else 1.0

    @property
    def line(self) -> shapely.LineString:
        return shapely.LineString(self.lonlat)


def describe(field: CostField, xy: np.ndarray, ends_lonlat: np.ndarray) -> Route:
    """Price the polyline ``xy`` (routing CRS) whose ends are ``ends_lonlat`` (2 × 2)."""
    xy = np.asarray(xy, float)
    dense = shapely.get_coordinates(shapely.segmentize(shapely.LineString(xy), DENSIFY_M))
    lon, lat = field.lonlat(dense[:, 0], dense[:, 1])
    lonlat = np.column_stack([lon, lat])
    lonlat[0], lonlat[-1] = ends_lonlat[0], ends_lonlat[1]  # the nodes exactly
    length_km = _GEOD.line_length(lonlat[:, 0], lonlat[:, 1]) / 1000.0
    planar, weighted = field.line_cost(xy)
    share = length_km / planar if planar > 0 else 0.0
    _, _, d = _GEOD.inv(*ends_lonlat[0], *ends_lonlat[1])
    return Route(xy, lonlat, length_km, weighted * share if planar > 0 else 0.0, d / 1000.0,
                 field.crossings_m(xy) * share)


class Router:
    """Finds cheapest polylines between points of the routing CRS.

    Parameters
    ----------
    field : CostField
    graph : GridGraph or None
        With a graph the grid search is used, else the visibility graph.
    """

    def __init__(self, field: CostField, graph: GridGraph | None = None):
        self.field, self.graph = field, graph

    def path(self, a: np.ndarray, b: np.ndarray, extra: tuple = (),
             hints: tuple = ()) -> np.ndarray | None:
        """The cheapest polyline from ``a`` to ``b`` with penalty polygons ``extra``
        ((polygons, factors) pairs), or None when forbidden obstacles cut them apart.
        ``hints``: known routes between the two (they bound a visibility search)."""
        if self.graph is None:
            return visibility_path(self.field, a, b, extra, hints)
        return self._grid_path(np.asarray(a, float), np.asarray(b, float), extra)

    def _grid_path(self, a, b, extra) -> np.ndarray | None:
        g = self.graph
        r, c = g.grid.cell_of([a[0], b[0]], [a[1], b[1]])
        if not g.grid.inside(r, c).all():
            return None
        cells = r * g.grid.nx + c
        scaled = [(self._cells_in(polys), factor) for polys, factors in extra
                  for polys, factor in zip(polys, factors)]
        for inside, factor in scaled:
            g.scale_cells(inside, factor)
        try:
            path = g.paths(int(cells[0]), [int(cells[1])])[0]
        finally:
            for inside, factor in scaled:
                g.scale_cells(inside, 1.0 / factor)
        if path is None:
            return None
        x, y = g.grid.centre(path)
        xy = np.vstack([a, np.column_stack([x, y]), b])
        return pull_taut(self.field, xy, extra)

    def _cells_in(self, polygon) -> np.ndarray:
        """Flat indices of the grid cells whose centres lie in ``polygon``."""
        grid = self.graph.grid
        xmin, ymin, xmax, ymax = shapely.bounds(polygon)
        r0, c0 = grid.cell_of(xmin, ymax)
        r1, c1 = grid.cell_of(xmax, ymin)
        rows = np.arange(max(r0, 0), min(r1, grid.ny - 1) + 1)
        cols = np.arange(max(c0, 0), min(c1, grid.nx - 1) + 1)
        cells = (rows[:, None] * grid.nx + cols[None, :]).ravel()
        x, y = grid.centre(cells)
        return cells[shapely.contains_xy(polygon, x, y)]
