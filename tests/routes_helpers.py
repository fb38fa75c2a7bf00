"""Helpers for the route tests: obstacle layers and cost rasters on disk, independent checks.

The checks here do not use ccusplan's own geometry code: lengths come from pyproj's
geodesic, inside/outside from shapely in a UTM projection, raster values from rasterio.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod, Transformer

GEOD = Geod(ellps="WGS84")
#: UTM zone 50N covers the test areas (114–120° E): an independent projection.
UTM = "EPSG:32650"


def write_obstacles(folder: Path, features: list[dict]) -> Path:
    """``obstacles.geojson`` from dicts with ``geometry`` (shapely) and properties."""
    folder.mkdir(parents=True, exist_ok=True)
    feats = [{"type": "Feature",
              "properties": {k: v for k, v in f.items() if k != "geometry"},
              "geometry": None if f.get("geometry") is None
              else shapely.geometry.mapping(f["geometry"])} for f in features]
    path = folder / "obstacles.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def write_raster(path: Path, values: np.ndarray, x0: float, y0: float, cell: float,
                 crs: str = UTM, nodata=None, count: int = 1) -> Path:
    """A GeoTIFF of ``values`` (row 0 at the top), upper-left corner (x0, y0)."""
    import rasterio
    from affine import Affine

    data = np.asarray(values, dtype="float64")
    with rasterio.open(path, "w", driver="GTiff", height=data.shape[0], width=data.shape[1],
                       count=count, dtype="float64", crs=crs, nodata=nodata,
                       transform=Affine(cell, 0, x0, 0, -cell, y0)) as dst:
        for band in range(1, count + 1):
            dst.write(data, band)
    return path


def to_utm(geom):
    t = Transformer.from_crs(4326, UTM, always_xy=True)
    return shapely.transform(geom, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))


def geodesic_km(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def sampled_cost_weight(line_lonlat, multiplier, step_m: float = 10.0) -> tuple[float, float]:
    """(length km, cost weight) of a lon/lat line by sampling: the line is cut into pieces
    of at most ``step_m`` metres in UTM; each piece's geodesic length is weighted by
    ``multiplier(lon, lat)`` at its midpoint (arrays in, array out)."""
    utm = to_utm(line_lonlat)
    pts = shapely.get_coordinates(shapely.segmentize(utm, step_m))
    back = Transformer.from_crs(UTM, 4326, always_xy=True)
    lon, lat = back.transform(pts[:, 0], pts[:, 1])
    _, _, d = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    mid_lon, mid_lat = back.transform((pts[:-1, 0] + pts[1:, 0]) / 2,
                                      (pts[:-1, 1] + pts[1:, 1]) / 2)
    m = multiplier(np.asarray(mid_lon), np.asarray(mid_lat))
    return float(d.sum() / 1000), float((d * m).sum() / 1000)


def polygon_multiplier(polygons, factors):
    """multiplier(lon, lat): the product of the factors of the polygons holding a point."""
    def f(lon, lat):
        m = np.ones(len(lon))
        for poly, factor in zip(polygons, factors):
            m = np.where(shapely.contains_xy(poly, lon, lat), m * factor, m)
        return m
    return f
