"""Set up routing for a set of points: the cost field, and a grid graph when needed.

Polygon obstacles alone are routed on a visibility graph (exact straight lines and
corner bends); a cost raster, or a candidate network (whose routes share cells), needs
the grid. Both are built around the points to be routed (:func:`ccusplan.routes.surface.window`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccusplan.errors import InputError, Problem
from ccusplan.io.cost_raster import CostRaster
from ccusplan.routes.field import CostField, routing_crs
from ccusplan.routes.grid import GridGraph
from ccusplan.routes.router import Router
from ccusplan.routes.surface import cell_multipliers, grid_over, raster_on_grid, window

DEFAULT_CELL_KM = 1.0


@dataclass(frozen=True)
class Routing:
    """A ready router and what it took to build it."""

    router: Router
    build_seconds: float

    @property
    def field(self) -> CostField:
        return self.router.field

    @property
    def graph(self) -> GridGraph | None:
        return self.router.graph

    def check_nodes(self, ids, lonlat: np.ndarray) -> None:
        """Bad input naming each node a grid route cannot start from: off the grid (off a
        projected cost raster), or in a cell a forbidden obstacle touches."""
        if self.graph is None:
            return
        lonlat = np.asarray(lonlat, float).reshape(-1, 2)
        x, y = self.field.xy(lonlat[:, 0], lonlat[:, 1])
        grid = self.graph.grid
        r, c = grid.cell_of(x, y)
        inside = grid.inside(r, c)
        problems = [Problem("command line", f"node '{i}' lies outside the cost raster",
                            field="--raster") for i, ok in zip(ids, inside) if not ok]
        cells = np.where(inside, r * grid.nx + c, 0)
        blocked = inside & ~np.isfinite(self.graph.multiplier[cells])
        problems += [Problem("command line", f"node '{i}' lies in a {grid.cell_m / 1000:g} km "
                             "grid cell that a forbidden obstacle touches: use a smaller "
                             "--cell-km (or move the node)", field="--cell-km")
                     for i, b in zip(ids, blocked) if b]
        if problems:
            raise InputError(problems)

    @property
    def method(self) -> str:
        return "visibility graph" if self.graph is None else (
            f"{self.graph.grid.cell_m / 1000:g} km grid of {self.graph.grid.nx:,} × "
            f"{self.graph.grid.ny:,} cells")


def build_routing(lonlat: np.ndarray, obstacles: pd.DataFrame | None, raster: CostRaster | None,
                  cell_km: float = DEFAULT_CELL_KM, grid: bool = False) -> Routing:
    """The cost field over the points ``lonlat`` (n × 2, WGS84) and a router for it.

    Parameters
    ----------
    lonlat : numpy.ndarray
        The points routes start and end at; the routing CRS and grid are centred on them.
    obstacles : pandas.DataFrame or None
        As read by :func:`ccusplan.io.obstacles.read_obstacles`.
    raster : CostRaster or None
        A cost surface; with one the grid is used.
    cell_km : float
        Grid cell size (a projected raster keeps its own cells when they are coarser).
    grid : bool
        Use the grid even without a raster.
    """
    start = time.perf_counter()
    lonlat = np.asarray(lonlat, float).reshape(-1, 2)
    crs = routing_crs(lonlat[:, 0], lonlat[:, 1], raster)
    bare = CostField(crs, obstacles, None)
    x, y = bare.xy(lonlat[:, 0], lonlat[:, 1])
    bounds = window(np.column_stack([x, y]))
    cell_m = cell_km * 1000.0
    field = bare if raster is None else CostField(crs, obstacles,
                                                  raster_on_grid(raster, crs, bounds, cell_m))
    graph = None
    if grid or raster is not None:
        spec = field.raster.grid if field.raster is not None else grid_over(bounds, cell_m)
        graph = GridGraph(spec, cell_multipliers(field, spec))
    return Routing(Router(field, graph), time.perf_counter() - start)
