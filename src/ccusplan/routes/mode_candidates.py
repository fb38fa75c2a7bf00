"""Candidate corridors of ships, trucks and rail (``[candidates] truck_radius_km``,
``rail_radius_km``, ``ship_max_km``).

* **Truck and rail**: each source to every sink, port and junction within the radius
  (geodesic), over the geodesic × the detour factor, as the roads and lines are.
* **Ship**: each port to every offshore sink and every other port within ``ship_max_km``
  whose great circle stays at sea, over the geodesic × ``sea_detour_factor``. The
  great circle is sampled every :data:`SAMPLE_KM` and checked against Natural Earth's
  land (:func:`ccusplan.geography.on_land`); the first and last :data:`COAST_KM` are
  not checked (a port is on the coast, and Natural Earth's 1:50m outline may put it a
  little inland). A leg around a peninsula is not found: give it as a ship corridor
  with its sailed length.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Geod

from ccusplan import geography
from ccusplan.routes.candidates import geodesic_km

SAMPLE_KM = 2.0
COAST_KM = 8.0
#: Share of a leg's checked samples that may fall on land (islands of the outline).
LAND_SHARE_MAX = 0.02

_GEOD = Geod(ellps="WGS84")


def land_candidates(sources: pd.DataFrame, targets: pd.DataFrame, radius_km: float,
                    detour_factor: float, mode: str) -> pd.DataFrame:
    """``mode`` corridors (``from`` a source, ``to`` a target, ``length_km``, ``mode``) for
    every source within ``radius_km`` of a target (id index, ``lon``, ``lat`` both)."""
    if sources.empty or targets.empty:
        return _frame([], [], [], mode)
    s, t = sources.sort_index(), targets.sort_index()
    i, j = np.meshgrid(np.arange(len(s)), np.arange(len(t)), indexing="ij")
    i, j = i.ravel(), j.ravel()
    km = geodesic_km(s["lon"].to_numpy(float)[i], s["lat"].to_numpy(float)[i],
                     t["lon"].to_numpy(float)[j], t["lat"].to_numpy(float)[j])
    near = (km <= radius_km) & (s.index.to_numpy()[i] != t.index.to_numpy()[j])
    return _frame(s.index.to_numpy()[i[near]], t.index.to_numpy()[j[near]],
                  km[near] * detour_factor, mode)


def ship_candidates(ports: pd.DataFrame, offshore: pd.DataFrame, max_km: float,
                    sea_detour_factor: float) -> pd.DataFrame:
    """Ship corridors from each port to every offshore sink and every other port (once
    per pair) within ``max_km`` whose great circle stays at sea."""
    rows_a, rows_b, km = [], [], []
    ports = ports.sort_index()
    targets = pd.concat([ports, offshore.sort_index()])
    for a, pa in ports.iterrows():
        for b, pb in targets.iterrows():
            if a == b or (b in ports.index and b < a):
                continue
            d = float(geodesic_km(pa["lon"], pa["lat"], pb["lon"], pb["lat"]))
            if d <= max_km and at_sea(pa["lon"], pa["lat"], pb["lon"], pb["lat"], d):
                rows_a.append(a)
                rows_b.append(b)
                km.append(d * sea_detour_factor)
    return _frame(rows_a, rows_b, km, "ship")


def at_sea(lon1: float, lat1: float, lon2: float, lat2: float, km: float) -> bool:
    """Whether the great circle between the two points stays at sea (see the module
    docstring)."""
    n = int(km // SAMPLE_KM)
    if n < 1:
        return True
    pts = np.array(_GEOD.npts(lon1, lat1, lon2, lat2, n))
    along = np.arange(1, n + 1) * km / (n + 1)
    check = (along > COAST_KM) & (along < km - COAST_KM)
    if not check.any():
        return True
    land = geography.on_land(pts[check, 0], pts[check, 1])
    return bool(land.mean() <= LAND_SHARE_MAX)


def _frame(a, b, km, mode: str) -> pd.DataFrame:
    return pd.DataFrame({"from": np.asarray(a, dtype=object), "to": np.asarray(b, dtype=object),
                         "length_km": np.asarray(km, float), "mode": mode})
