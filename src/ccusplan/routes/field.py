"""The cost field a pipeline route crosses: obstacles and a cost surface, projected.

Routing happens in a projected CRS: the cost raster's own when it is projected,
otherwise an azimuthal equidistant projection centred on the area (distances from the
centre exact, others within 0.1 % over a province). Obstacle polygons are densified
(every :data:`DENSIFY_DEG` degrees) before projecting, so an edge that is straight in
lon/lat stays where it is to within millimetres.

The multiplier at a point is the product of the ``cost_factor`` of every obstacle
holding it, times the cost surface's value there (1 off the raster or where it has no
value). Overlapping polygons are split into disjoint *faces* (each with the product of
its polygons' factors), so the cost of a line is exact::

    weighted = ∫ r ds + Σ_faces (m_f − 1) · ∫_{line ∩ face} r ds

with ``r`` the raster multiplier (1 without a raster) integrated exactly cell by cell
(:mod:`ccusplan.routes.traverse`). Forbidden obstacles are kept as one union that a
route may not intersect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from ccusplan.io.cost_raster import CostRaster
from ccusplan.routes.clip import PolygonClip
from ccusplan.routes.traverse import GridSpec, cell_pieces

#: Obstacle edges are split into pieces of at most this many degrees before projecting.
DENSIFY_DEG = 0.005
#: Route searches price their many trial segments on obstacles simplified to within this
#: many metres (the densified vertices of a straight edge are dropped); every route found
#: is priced again on the exact obstacles.
SEARCH_TOLERANCE_M = 1.0


@dataclass(frozen=True)
class RasterGrid:
    """Cost-surface multipliers on a grid of the routing CRS (NaN: no value, counts 1)."""

    grid: GridSpec
    values: np.ndarray  # flat, row-major, length grid.n_cells

    def multiplier(self, cells: np.ndarray) -> np.ndarray:
        """Multiplier of flat cell indices (−1 = off the grid → 1)."""
        v = np.ones(len(cells))
        on = cells >= 0
        v[on] = self.values[cells[on]]
        return np.where(np.isfinite(v), v, 1.0)


class CostField:
    """Projected obstacles (faces and forbidden union) and an optional raster grid.

    Parameters
    ----------
    crs : pyproj.CRS
        The routing CRS (metres).
    obstacles : pandas.DataFrame or None
        As read by :func:`ccusplan.io.obstacles.read_obstacles` (WGS84).
    raster : RasterGrid or None
        The cost surface already on a grid of ``crs``.
    """

    def __init__(self, crs: CRS, obstacles: pd.DataFrame | None, raster: RasterGrid | None):
        self.crs = crs
        self._fwd = Transformer.from_crs(4326, crs, always_xy=True)
        self._inv = Transformer.from_crs(crs, 4326, always_xy=True)
        self.raster = raster
        obs = obstacles if obstacles is not None else _no_obstacles()
        geoms = self.project_geometry(obs["geometry"].to_numpy(object))
        self.obstacles = obs.assign(geometry=geoms).reset_index(drop=True)
        forb = self.obstacles["forbidden"].to_numpy(bool)
        self.forbidden = shapely.union_all(geoms[forb]) if forb.any() else None
        # searches test against this: fewer vertices, and a superset of the exact union
        self.search_forbidden = None if self.forbidden is None else shapely.buffer(
            shapely.simplify(self.forbidden, SEARCH_TOLERANCE_M), SEARCH_TOLERANCE_M,
            join_style="mitre")
        for g in (self.forbidden, self.search_forbidden):
            if g is not None:
                shapely.prepare(g)
        costly = ~forb & (self.obstacles["cost_factor"].to_numpy(float) > 1)
        self.faces, self.face_factor = _faces(geoms[costly],
                                              self.obstacles["cost_factor"].to_numpy(float)[costly])
        self._search_faces = shapely.simplify(self.faces, SEARCH_TOLERANCE_M)
        self._clips = {False: [PolygonClip(f) for f in self.faces],
                       True: [PolygonClip(f) for f in self._search_faces]}
        self._obstacle_clips = [PolygonClip(g) for g in geoms]

    # ------------------------------------------------------------------ coordinates
    def xy(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return self._fwd.transform(np.asarray(lon, float), np.asarray(lat, float))

    def lonlat(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return self._inv.transform(np.asarray(x, float), np.asarray(y, float))

    def project_geometry(self, geoms: np.ndarray) -> np.ndarray:
        """WGS84 geometries, densified every :data:`DENSIFY_DEG`, into the routing CRS."""
        geoms = np.asarray(geoms, dtype=object)
        if not len(geoms):
            return geoms
        dense = shapely.segmentize(geoms, DENSIFY_DEG)
        return shapely.transform(dense, lambda c: np.column_stack(self.xy(c[:, 0], c[:, 1])))

    # ------------------------------------------------------------------ costs
    def _raster_length(self, p0: np.ndarray, p1: np.ndarray) -> np.ndarray:
        """Raster-weighted length (m) of each segment (its plain length without a raster)."""
        plain = np.hypot(*(p1 - p0).T)
        if self.raster is None or not len(p0):
            return plain
        coords = np.empty((2 * len(p0), 2))
        coords[0::2], coords[1::2] = p0, p1          # one polyline; odd segments are joins
        seg, cell, length = cell_pieces(coords, self.raster.grid)
        own = seg % 2 == 0
        return np.bincount(seg[own] // 2, length[own] * self.raster.multiplier(cell[own]),
                           minlength=len(p0))

    def segment_weights(self, p0: np.ndarray, p1: np.ndarray, extra: tuple = (),
                        search: bool = False) -> np.ndarray:
        """Weighted length (m) of each segment ``p0[i] → p1[i]``.

        Parameters
        ----------
        p0, p1 : numpy.ndarray
            Segment ends (m × 2, routing CRS).
        extra : tuple of (polygons, factors)
            More costly polygons (e.g. penalties), each adding ``(factor − 1) ×`` the
            (raster-weighted) length inside it.
        search : bool
            Price on the obstacles simplified to :data:`SEARCH_TOLERANCE_M` (route search).
        """
        p0, p1 = np.asarray(p0, float).reshape(-1, 2), np.asarray(p1, float).reshape(-1, 2)
        total = self._raster_length(p0, p1)
        clips = [*zip(self._clips[search], self.face_factor),
                 *((PolygonClip(p), f) for polys, factors in extra
                   for p, f in zip(polys, np.asarray(factors, float)))]
        for clip, factor in clips:
            seg, t0, t1 = clip.intervals(p0, p1)
            d = p1[seg] - p0[seg]
            inside = self._raster_length(p0[seg] + t0[:, None] * d, p0[seg] + t1[:, None] * d)
            total += (factor - 1.0) * np.bincount(seg, inside, minlength=len(p0))
        return total

    def line_cost(self, xy: np.ndarray, extra: tuple = ()) -> tuple[float, float]:
        """Planar and weighted length (m) of the polyline ``xy`` (exact obstacles)."""
        xy = np.asarray(xy, float)
        planar = float(np.hypot(*np.diff(xy, axis=0).T).sum())
        return planar, float(self.segment_weights(xy[:-1], xy[1:], extra).sum())

    def blocked(self, p0: np.ndarray, p1: np.ndarray, search: bool = False) -> np.ndarray:
        """Which segments touch a forbidden obstacle (``search=True``: its outline simplified
        and widened by :data:`SEARCH_TOLERANCE_M`, which holds the exact one)."""
        p0, p1 = np.asarray(p0, float).reshape(-1, 2), np.asarray(p1, float).reshape(-1, 2)
        if self.forbidden is None:
            return np.zeros(len(p0), dtype=bool)
        return shapely.intersects(shapely.linestrings(np.stack([p0, p1], axis=1)),
                                  self.search_forbidden if search else self.forbidden)

    def crossings_m(self, xy: np.ndarray) -> np.ndarray:
        """Planar length (m) of the polyline ``xy`` inside each obstacle, in obstacle order."""
        xy = np.asarray(xy, float)
        p0, p1 = xy[:-1], xy[1:]
        seg_len = np.hypot(*(p1 - p0).T)
        out = np.zeros(len(self.obstacles))
        for k, clip in enumerate(self._obstacle_clips):
            seg, t0, t1 = clip.intervals(p0, p1)
            out[k] = float(((t1 - t0) * seg_len[seg]).sum())
        return out


def _no_obstacles() -> pd.DataFrame:
    return pd.DataFrame({"feature": np.array([], int), "name": [], "kind": [],
                         "cost_factor": np.array([], float), "forbidden": np.array([], bool),
                         "geometry": np.array([], dtype=object)})


def _faces(polys: np.ndarray, factors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint pieces of overlapping polygons, each with the product of the factors of
    the polygons holding it (pieces with product 1 dropped)."""
    if not len(polys):
        return np.array([], dtype=object), np.array([], float)
    if len(polys) == 1:
        return polys, factors
    lines = shapely.union_all(shapely.boundary(polys))       # noded linework
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    inner = shapely.point_on_surface(faces)
    fi, pi = shapely.STRtree(polys).query(inner, predicate="within")
    mult = np.ones(len(faces))
    np.multiply.at(mult, fi, factors[pi])
    keep = mult != 1
    return faces[keep], mult[keep]


def routing_crs(lon: np.ndarray, lat: np.ndarray, raster: CostRaster | None) -> CRS:
    """The raster's CRS when it is projected, else azimuthal equidistant on the area's centre."""
    if raster is not None and raster.crs.is_projected:
        return raster.crs
    lon0 = (float(np.min(lon)) + float(np.max(lon))) / 2
    lat0 = (float(np.min(lat)) + float(np.max(lat))) / 2
    return CRS.from_proj4(f"+proj=aeqd +lon_0={lon0:.6f} +lat_0={lat0:.6f} +ellps=WGS84 "
                          "+units=m +no_defs")
