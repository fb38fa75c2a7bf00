"""Pipeline, ship, truck and rail between two places: USD per tonne against the annual
volume, and the volumes where the cheapest mode changes.

Each mode is priced as the MILP prices it, for one steady flow of V Mt/yr:

* **pipeline**: the cheapest standard size for V over the route's length
  (:func:`ccusplan.costs.pipeline.size_pipeline`: capital at the pipeline CRF, O&M and
  boosters' energy, per tonne); above the largest size's capacity, parallel lines of
  equal share;
* **truck**, **rail**: the mode's USD/t + USD/t·km × the land distance, and its fixed
  cost a year over V;
* **ship**: the mode's USD/t + USD/t·km × the sea distance, its fixed cost a year over V,
  and the loading port's terminal — its capital (fixed, and per Mt/yr) at the pipeline CRF
  plus O&M, over V — and its USD per tonne loaded.

Costs are the case's ``[transport]`` (:mod:`ccusplan.costs.modes`) in USD of ``[pipeline]
cost_year``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccusplan.costs.modes import ModeCost, PortCost
from ccusplan.costs.pipeline import NoStandardSize, size_pipeline
from ccusplan.model import PipelineSpec

MODE_ORDER = ("pipeline", "ship", "truck", "rail")
#: The volumes compared by default, Mt/yr: 0.01 to 30, log-spaced.
VOLUMES_MTPA = np.geomspace(0.01, 30.0, 121)


@dataclass(frozen=True)
class Distances:
    """How far each mode travels between the two places, km."""

    pipeline_km: float
    land_km: float | None      # trucks and rail; None: not compared (an end at sea)
    sea_km: float | None       # ships; None: no ship compared
    terrain_factor: float = 1.0
    offshore: bool = False     # the pipeline is at sea


def pipeline_usd_per_t(mtpa: float, d: Distances, spec: PipelineSpec, crf: float) -> float:
    """The cheapest pipeline (or parallel lines of equal share) for ``mtpa``, USD/t."""
    lines = 1
    while True:
        try:
            r = size_pipeline(mtpa / lines, d.pipeline_km, spec, crf,
                              terrain_factor=d.terrain_factor, offshore=d.offshore)
            return float(r["levelized_usd_per_t"])
        except NoStandardSize as exc:
            lines = max(lines + 1, int(np.ceil(mtpa / exc.largest_mtpa - 1e-9)))


def leased_usd_per_t(mtpa: np.ndarray, cost: ModeCost, km: float) -> np.ndarray:
    """A truck, rail or ship service, USD/t: per tonne, per t·km, and its fixed cost a year
    over the volume (MUSD / Mt = USD/t)."""
    return cost.per_t(km) + cost.fixed_musd_per_yr / mtpa


def port_usd_per_t(mtpa: np.ndarray, port: PortCost, crf: float) -> np.ndarray:
    """The loading port's terminal per tonne loaded: its capital and O&M over the volume,
    and its cost per tonne."""
    annual = (crf + port.om_fraction_per_yr) * (port.capex_musd + port.capex_musd_per_mtpa * mtpa)
    return annual / mtpa + port.usd_per_t


def cost_by_volume(d: Distances, spec: PipelineSpec, crf: float, modes: dict[str, ModeCost],
                   port: PortCost, volumes_mtpa: np.ndarray = VOLUMES_MTPA) -> pd.DataFrame:
    """USD/t of each mode at each volume: columns ``mtpa``, one per mode (``ship`` only
    with a sea distance, ``truck`` and ``rail`` only with a land distance),
    ``cheapest``."""
    v = np.asarray(volumes_mtpa, float)
    t = pd.DataFrame({"mtpa": v})
    t["pipeline"] = [pipeline_usd_per_t(x, d, spec, crf) for x in v]
    if d.sea_km is not None:
        t["ship"] = leased_usd_per_t(v, modes["ship"], d.sea_km) + port_usd_per_t(v, port, crf)
    if d.land_km is not None:
        t["truck"] = leased_usd_per_t(v, modes["truck"], d.land_km)
        t["rail"] = leased_usd_per_t(v, modes["rail"], d.land_km)
    cols = [m for m in MODE_ORDER if m in t]
    t["cheapest"] = np.array(cols)[t[cols].to_numpy().argmin(axis=1)]
    return t


def break_evens(d: Distances, spec: PipelineSpec, crf: float, modes: dict[str, ModeCost],
                port: PortCost, table: pd.DataFrame, tol_mtpa: float = 1e-4) -> pd.DataFrame:
    """The volumes where the cheapest mode changes along ``table``
    (:func:`cost_by_volume`), each narrowed by bisection to ``tol_mtpa`` (relative):
    columns ``below`` (the mode cheapest below), ``above``, ``mtpa``, ``usd_per_t``."""
    rows = []
    cheapest = table["cheapest"].to_numpy()
    for i in np.flatnonzero(cheapest[1:] != cheapest[:-1]):
        lo, hi = float(table["mtpa"].iloc[i]), float(table["mtpa"].iloc[i + 1])
        below, above = cheapest[i], cheapest[i + 1]
        while hi / lo - 1 > tol_mtpa:
            mid = float(np.sqrt(lo * hi))
            row = cost_by_volume(d, spec, crf, modes, port, [mid]).iloc[0]
            lo, hi = (mid, hi) if row[below] <= row[above] else (lo, mid)
        at = cost_by_volume(d, spec, crf, modes, port, [hi]).iloc[0]
        rows.append({"below": below, "above": above, "mtpa": hi, "usd_per_t": float(at[above])})
    return pd.DataFrame(rows, columns=["below", "above", "mtpa", "usd_per_t"])
