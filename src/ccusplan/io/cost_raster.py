"""Read and validate a cost-surface raster (a GeoTIFF of cost multipliers).

A network may carry ``cost_surface.tif``: one band whose cells multiply the cost of
every km of pipe laid through them (1 = the pipe cost model's own cost, 1.5 = half as
much again, e.g. for hilly or wet ground). Cells without a value (the raster's nodata)
count 1, as does ground outside the raster. The raster needs a CRS; it is read with
rasterio (GDAL).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj import CRS

from ccusplan.errors import InputError, Problem, display_path

COST_RASTER_FILE = "cost_surface.tif"


@dataclass(frozen=True)
class CostRaster:
    """A validated cost surface.

    Attributes
    ----------
    file : str
        The file, as shown to the user.
    values : numpy.ndarray
        Multipliers (rows × columns, row 0 at the top), float64; NaN where the raster
        has no value.
    transform : tuple of float
        The affine transform ``(a, b, c, d, e, f)``: ``x = a·col + b·row + c``,
        ``y = d·col + e·row + f`` for cell corners.
    crs : pyproj.CRS
    """

    file: str
    values: np.ndarray
    transform: tuple[float, float, float, float, float, float]
    crs: CRS


def cost_raster_path(network: Path) -> Path | None:
    """The network's ``cost_surface.tif``, if it has one."""
    f = Path(network) / COST_RASTER_FILE
    return f if Path(network).is_dir() and f.is_file() else None


def read_cost_raster(path: Path) -> CostRaster:
    """Read ``path`` and check it is a usable cost surface.

    Raises
    ------
    InputError
        The file cannot be read, has no CRS, more than one band, is rotated, or holds
        multipliers that are not positive numbers (the first such cell is named).
    """
    import rasterio
    from rasterio.errors import RasterioIOError

    where = display_path(path)
    try:
        with rasterio.open(path) as src:
            count, crs, transform = src.count, src.crs, src.transform
            band = src.read(1, masked=True) if count >= 1 else None
    except RasterioIOError as exc:
        raise InputError(Problem(where, f"cannot read as a GeoTIFF: {exc}")) from None
    problems = []
    if count != 1:
        problems.append(Problem(where, f"has {count} bands; expected one band of cost "
                                "multipliers"))
    if crs is None:
        problems.append(Problem(where, "has no coordinate reference system; expected a "
                                "GeoTIFF with a CRS (e.g. EPSG:4326 or a UTM zone)"))
    if transform.b != 0 or transform.d != 0 or transform.e >= 0:
        problems.append(Problem(where, "is rotated or not north-up; expected a north-up "
                                "raster (warp it first, e.g. gdalwarp)"))
    if band is not None:
        values = np.ma.filled(band.astype("float64"), np.nan)
        bad = np.isfinite(values) & (values <= 0) | np.isinf(values)
        if bad.any():
            r, c = map(int, np.argwhere(bad)[0])
            problems.append(Problem(
                where, f"{int(bad.sum())} cells hold multipliers that are not positive "
                f"numbers, the first at row {r + 1}, column {c + 1} ({values[r, c]:g}); "
                "expected multipliers > 0 (nodata for no value)", field="band 1"))
    if problems:
        raise InputError(problems)
    return CostRaster(where, values, tuple(transform)[:6], CRS.from_wkt(crs.to_wkt()))
