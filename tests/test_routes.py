"""Routing between two points: against geometry worked out independently.

Every check uses an independent method: pyproj's WGS84 geodesic for lengths, shapely in
UTM zone 50N (not ccusplan's azimuthal projection) for what a route crosses, rasterio's
own transform for raster values, and a hand-worked shortest path around a square.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, box

from ccusplan.io.cost_raster import read_cost_raster
from ccusplan.routes.alternatives import alternatives, default_separation_m
from ccusplan.routes.build import build_routing
from ccusplan.routes.router import describe
from routes_helpers import (GEOD, UTM, geodesic_km, polygon_multiplier, sampled_cost_weight,
                            to_utm, write_raster)

A, B = (117.0, 36.0), (117.8, 36.4)


def obstacles(rows: list[dict]) -> pd.DataFrame:
    """An obstacle table as io.obstacles returns it."""
    return pd.DataFrame({
        "feature": np.arange(1, len(rows) + 1),
        "name": [r.get("name", f"o{i}") for i, r in enumerate(rows)],
        "kind": [r.get("kind", "obstacle") for r in rows],
        "cost_factor": [float(r.get("cost_factor", 1.0)) for r in rows],
        "forbidden": [bool(r.get("forbidden", False)) for r in rows],
        "geometry": [r["geometry"] for r in rows]})


def route_between(a, b, obs, raster=None, grid=False, cell_km=1.0):
    ends = np.array([a, b], float)
    routing = build_routing(ends, obs, raster, cell_km, grid=grid)
    f = routing.field
    xa, xb = np.array(f.xy(*ends[0])), np.array(f.xy(*ends[1]))
    xy = routing.router.path(xa, xb)
    assert xy is not None
    return describe(f, xy, ends), routing


# ------------------------------------------------------------------ the geodesic

@pytest.mark.parametrize("grid", [False, True], ids=["visibility", "grid"])
def test_with_no_obstacles_the_route_is_the_geodesic(grid):
    """Tolerance: length within 1e-6 of pyproj's geodesic distance, no vertex more than
    5 m from the geodesic (points every 100 m along it), cost weight = length (to rounding)."""
    route, _ = route_between(A, B, None, grid=grid)
    expected = geodesic_km(A, B)
    assert len(route.xy) == 2                      # one straight segment, no bend
    assert route.length_km == pytest.approx(expected, rel=1e-6)
    assert route.cost_weight == pytest.approx(route.length_km, rel=1e-12)
    assert route.detour_ratio == pytest.approx(1.0, abs=1e-6)
    lonlat = np.vstack([A, GEOD.npts(*A, *B, 900), B])
    geodesic = to_utm(shapely.LineString(lonlat))
    line = to_utm(route.line)
    assert shapely.distance(to_utm(shapely.points(route.lonlat)), geodesic).max() < 5.0
    assert shapely.distance(to_utm(shapely.points(lonlat)), line).max() < 5.0


def test_a_route_bends_at_the_corners_of_a_forbidden_square():
    """A square 20 km wide centred on the line between two points 80 km apart: the
    shortest way round runs to one corner, along one side, and from the other corner
    (worked by hand in the routing plane: 2·√(30² + 10²) + 20 km), within 20 m."""
    to_ll = Transformer.from_crs("+proj=aeqd +lon_0=117.4 +lat_0=36.0 +ellps=WGS84", 4326,
                                 always_xy=True)
    lon, lat = to_ll.transform([-40e3, 40e3, -10e3, 10e3], [0, 0, -10e3, 10e3])
    a, b = (lon[0], lat[0]), (lon[1], lat[1])
    square = shapely.segmentize(box(-10e3, -10e3, 10e3, 10e3), 500)
    square_ll = shapely.transform(square, lambda c: np.column_stack(
        to_ll.transform(c[:, 0], c[:, 1])))
    route, routing = route_between(a, b, obstacles([{"geometry": square_ll, "forbidden": True}]))
    planar = float(np.hypot(*np.diff(route.xy, axis=0).T).sum())
    expected = 2 * math.hypot(30e3, 10e3) + 20e3
    assert planar == pytest.approx(expected, abs=20.0)
    assert len(route.xy) == 4
    assert not route.line.intersects(square_ll)


# ------------------------------------------------------------------ forbidden

def _random_forbidden(seed: int, n: int = 6) -> list[Polygon]:
    rng = np.random.default_rng(seed)
    polys = []
    while len(polys) < n:
        c = np.array([117.1, 36.05]) + rng.random(2) * np.array([0.6, 0.3])
        pts = c + (rng.random((6, 2)) - 0.5) * 0.12
        p = shapely.convex_hull(shapely.MultiPoint(pts))
        if not any(p.intersects(q) for q in polys) and not p.buffer(0.01).contains(
                shapely.MultiPoint([A, B])) and p.distance(shapely.Point(A)) > 0.02 \
                and p.distance(shapely.Point(B)) > 0.02:
            polys.append(p)
    return polys


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("grid", [False, True], ids=["visibility", "grid"])
def test_routes_never_enter_forbidden_polygons(seed, grid):
    polys = _random_forbidden(seed)
    obs = obstacles([{"geometry": p, "forbidden": True} for p in polys])
    route, _ = route_between(A, B, obs, grid=grid)
    line = route.line
    for p in polys:
        assert not line.intersects(p)                     # shapely, in lon/lat
        assert to_utm(line).distance(to_utm(p)) > 1.0     # and more than a metre away
    assert route.length_km >= geodesic_km(A, B)


# ------------------------------------------------------------------ cost weight

def test_cost_weight_is_the_length_weighted_by_the_multipliers_crossed():
    """A river strip (×4) and two overlapping areas (×2 and ×3, ×6 where they overlap)
    across the way: the route's cost weight equals its length weighted by the product of
    the factors at each point (sampled every 10 m, shapely in UTM), within 0.2 %; what
    it crosses inside each obstacle matches shapely's intersection lengths."""
    river = shapely.LineString([(117.2, 36.6), (117.6, 35.8)]).buffer(0.006, cap_style="flat")
    left, right = box(117.45, 36.1, 117.60, 36.35), box(117.52, 36.15, 117.70, 36.40)
    polys, factors = [river, left, right], [4.0, 2.0, 3.0]
    obs = obstacles([{"geometry": p, "cost_factor": f} for p, f in zip(polys, factors)])
    route, _ = route_between(A, B, obs)
    length, weight = sampled_cost_weight(route.line, polygon_multiplier(polys, factors))
    assert route.length_km == pytest.approx(length, rel=1e-4)
    assert route.cost_weight == pytest.approx(weight, rel=2e-3)
    assert route.cost_weight > route.length_km            # it does cross something
    utm = to_utm(route.line)
    for k, p in enumerate(polys):
        share = utm.intersection(to_utm(p)).length / utm.length
        assert route.crossings_km[k] == pytest.approx(share * route.length_km, abs=0.01)


def test_cost_weight_on_a_cost_raster_is_the_length_weighted_by_its_cells(tmp_path):
    """A 1-km raster of random multipliers in [1, 3] (UTM 50N): the grid route's cost
    weight equals its length weighted by the raster value under each point (sampled
    every 10 m, read through rasterio's transform), within 0.2 %."""
    rng = np.random.default_rng(7)
    to = Transformer.from_crs(4326, UTM, always_xy=True)
    (xa, xb), (ya, yb) = to.transform([A[0], B[0]], [A[1], B[1]])
    x0, y0 = math.floor(min(xa, xb) / 1000) * 1000 - 30_000, math.ceil(max(ya, yb) / 1000) * 1000 + 30_000
    values = 1 + 2 * rng.random((int((y0 - min(ya, yb)) // 1000) + 31,
                                 int((max(xa, xb) - x0) // 1000) + 31))
    path = write_raster(tmp_path / "cost.tif", values, x0, y0, 1000.0)
    raster = read_cost_raster(path)
    route, routing = route_between(A, B, None, raster=raster)
    assert routing.graph is not None
    back = Transformer.from_crs(4326, UTM, always_xy=True)

    def under(lon, lat):
        x, y = back.transform(lon, lat)
        col = np.floor((np.asarray(x) - x0) / 1000).astype(int)
        row = np.floor((y0 - np.asarray(y)) / 1000).astype(int)
        return values[row, col]

    length, weight = sampled_cost_weight(route.line, under)
    assert route.length_km == pytest.approx(length, rel=1e-4)
    assert route.cost_weight == pytest.approx(weight, rel=2e-3)
    # the route is no dearer than the straight line over the same raster
    _, straight = sampled_cost_weight(shapely.LineString([A, B]), under)
    assert route.cost_weight <= straight * 1.001


# ------------------------------------------------------------------ alternatives

@pytest.mark.parametrize("max_shared", [0.5, 0.25])
def test_k_alternatives_differ_by_the_stated_share(max_shared):
    """Three routes around a forbidden square; each shares at most ``max_shared`` of its
    length with every earlier one, measured independently (shapely in UTM: the part of
    the later route within the separation of the earlier one); the first is cheapest."""
    square = box(117.33, 36.12, 117.47, 36.28)
    river = shapely.LineString([(117.15, 36.5), (117.55, 35.85)]).buffer(0.005)
    obs = obstacles([{"geometry": square, "forbidden": True},
                     {"geometry": river, "cost_factor": 3.0, "kind": "river"}])
    ends = np.array([A, B])
    routing = build_routing(ends, obs, None)
    f = routing.field
    xa, xb = np.array(f.xy(*ends[0])), np.array(f.xy(*ends[1]))
    found = alternatives(routing.router, xa, xb, 3, max_shared=max_shared)
    assert len(found) == 3
    routes = [describe(f, xy, ends) for xy, _ in found]
    sep = default_separation_m(xa, xb)
    for j in range(1, 3):
        later = to_utm(routes[j].line)
        for i in range(j):
            band = to_utm(routes[i].line).buffer(sep * 0.999)
            assert later.intersection(band).length / later.length <= max_shared + 1e-3
        assert found[j][1] <= max_shared
    assert routes[0].cost_weight <= min(r.cost_weight for r in routes[1:])
    for r in routes:
        assert not r.line.intersects(square)
