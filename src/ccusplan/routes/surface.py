"""The routing grid: where it lies, the cost raster on it, and obstacles burnt into it.

The grid covers the nodes to be routed plus a margin of :data:`MARGIN_SHARE` of their
span (at least :data:`MIN_MARGIN_M`); routes do not leave it. A projected cost raster
keeps its own cells (averaged in blocks when they are much finer than the routing cell);
a geographic one is warped (rasterio, average) onto the azimuthal-equidistant grid.
Obstacles are burnt in with rasterio: costly faces by cell centre (their product
factor), forbidden polygons into every cell they touch (so no move between passable
cells can cross one).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from pyproj import CRS

from ccusplan.io.cost_raster import CostRaster
from ccusplan.routes.field import CostField, RasterGrid
from ccusplan.routes.traverse import GridSpec

MARGIN_SHARE = 0.10
MIN_MARGIN_M = 20_000.0


def window(xy: np.ndarray, margin_m: float | None = None) -> tuple[float, float, float, float]:
    """Bounds (xmin, ymin, xmax, ymax) around the points ``xy`` with the routing margin."""
    xy = np.asarray(xy, float).reshape(-1, 2)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    margin = margin_m if margin_m is not None else max(MIN_MARGIN_M,
                                                       MARGIN_SHARE * float(np.max(hi - lo)))
    return lo[0] - margin, lo[1] - margin, hi[0] + margin, hi[1] + margin


def grid_over(bounds: tuple[float, float, float, float], cell_m: float) -> GridSpec:
    """Cells of ``cell_m`` covering ``bounds``."""
    xmin, ymin, xmax, ymax = bounds
    nx, ny = max(1, math.ceil((xmax - xmin) / cell_m)), max(1, math.ceil((ymax - ymin) / cell_m))
    return GridSpec(xmin, ymax, cell_m, nx, ny)


def raster_on_grid(raster: CostRaster, crs: CRS, bounds, cell_m: float) -> RasterGrid:
    """The cost raster over ``bounds`` of the routing CRS ``crs``.

    Its own cells when the raster is in ``crs`` with square cells (block-averaged by the
    whole factor nearest ``cell_m`` / its cell size when that exceeds 1); otherwise warped
    onto cells of ``cell_m`` (average resampling).
    """
    a, _, c, _, e, f = raster.transform
    if raster.crs == crs and math.isclose(abs(a), abs(e)):
        xmin, ymin, xmax, ymax = bounds
        ny_r, nx_r = raster.values.shape
        c0 = max(0, math.floor((xmin - c) / a))
        c1 = min(nx_r, math.ceil((xmax - c) / a))
        r0 = max(0, math.floor((f - ymax) / a))
        r1 = min(ny_r, math.ceil((f - ymin) / a))
        values = raster.values[r0:max(r0, r1), c0:max(c0, c1)]
        k = max(1, round(cell_m / a))
        if k > 1:
            h, w = values.shape[0] // k * k, values.shape[1] // k * k
            blocks = values[:h, :w].reshape(h // k, k, w // k, k)
            with warnings.catch_warnings():  # an all-NaN block stays NaN (counts 1)
                warnings.simplefilter("ignore", RuntimeWarning)
                values = np.nanmean(blocks, axis=(1, 3))
        grid = GridSpec(c + c0 * a, f - r0 * a, a * k, values.shape[1], values.shape[0])
        return RasterGrid(grid, values.ravel().astype(float))
    return _warped(raster, crs, grid_over(bounds, cell_m))


def _warped(raster: CostRaster, crs: CRS, grid: GridSpec) -> RasterGrid:
    from affine import Affine
    from rasterio.crs import CRS as RioCRS
    from rasterio.warp import Resampling, reproject

    out = np.full((grid.ny, grid.nx), np.nan)
    reproject(source=raster.values, destination=out,
              src_transform=Affine(*raster.transform), src_crs=RioCRS.from_wkt(raster.crs.to_wkt()),
              dst_transform=Affine(grid.cell_m, 0, grid.x0, 0, -grid.cell_m, grid.y0),
              dst_crs=RioCRS.from_wkt(crs.to_wkt()), src_nodata=np.nan, dst_nodata=np.nan,
              resampling=Resampling.average)
    return RasterGrid(grid, out.ravel())


def cell_multipliers(field: CostField, grid: GridSpec) -> np.ndarray:
    """Multiplier of every cell of ``grid`` (flat): raster × obstacle faces; inf where a
    forbidden obstacle touches the cell."""
    from affine import Affine
    from rasterio.features import rasterize

    x, y = grid.centre(np.arange(grid.n_cells))
    m = np.ones(grid.n_cells)
    if field.raster is not None:
        r, c = field.raster.grid.cell_of(x, y)
        cells = np.where(field.raster.grid.inside(r, c), r * field.raster.grid.nx + c, -1)
        m = field.raster.multiplier(cells)
    transform = Affine(grid.cell_m, 0, grid.x0, 0, -grid.cell_m, grid.y0)
    shape = (grid.ny, grid.nx)
    if len(field.faces):
        m = m * rasterize(zip(field.faces, field.face_factor), out_shape=shape,
                          transform=transform, fill=1.0, dtype="float64").ravel()
    if field.forbidden is not None:
        hit = rasterize([(field.forbidden, 1)], out_shape=shape, transform=transform, fill=0,
                        all_touched=True, dtype="uint8").ravel()
        m[hit > 0] = np.inf
    return m
