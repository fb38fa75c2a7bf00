"""Thermal power plants (WRI Global Power Plant Database extract) as capture sources.

The example networks (``networks/shandong``, ``networks/china``) are built from
``networks/_data/china_thermal_power_plants.csv`` (WRI Global Power Plant Database
v1.3.0, CC BY 4.0; see that folder's README). This module holds what their build
scripts share: reading the file, keeping plants in operation, removing duplicate
records, merging the unit rows of one plant and the plants of one site, and turning
nameplate capacity into capturable CO2:

    capturable Mt/yr = MW × capacity factor × 8,760 h × tCO2/MWh × capture rate / 10^6

Every figure below is a fleet-typical value with its source (the same in
``networks/_data/README.md``), not plant data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HOURS_PER_YEAR = 8760.0

#: Share of the CO2 in the flue gas that capture removes: typical 85–90 %, the top of
#: that range (IPCC (2005) SRCCS: available technology captures 85–95 % of the CO2
#: processed).
CAPTURE_RATE = 0.90

#: Status values of the WRI file that mean "not generating" (the file's other values
#: are blank, for most plants, and "Operational").
NOT_OPERATING = ("Shutdown", "Under Construction")


@dataclass(frozen=True)
class FuelBasis:
    """How a fuel's nameplate MW become tonnes of CO2 emitted per year."""

    kind: str                      # ccusplan source kind
    capacity_factor: float         # mean output / nameplate
    intensity_t_per_mwh: float     # tCO2 per MWh generated


#: By WRI ``fuel``. Coal: capacity factor 0.52 (≈ 4,555 h/yr; China's coal fleet ran
#: ~4,300–4,600 h/yr in the early 2020s, China Electricity Council statistics; typical
#: 0.50–0.55) and 0.85 tCO2/MWh (typical of coal units, 0.82–0.90; approximate). Gas
#: (natural gas and LNG-fired plants): 0.38 tCO2/MWh, typical of combined cycle,
#: 0.37–0.40 (approximate); capacity factor
#: 0.30 (≈ 2,600 h/yr) is a ccusplan assumption — China's gas fleet runs as peaking
#: and heating plant, roughly half the hours of coal (China Electricity Council yearly
#: statistics report about 2,400–2,800 h/yr for 2019–2022, approximate).
FUELS: dict[str, FuelBasis] = {
    "Coal": FuelBasis("coal_power", 0.52, 0.85),
    "Natural Gas": FuelBasis("gas_power", 0.30, 0.38),
    "LNG": FuelBasis("gas_power", 0.30, 0.38),
}


def capturable_mtpa(capacity_mw, fuel) -> np.ndarray:
    """Capturable CO2 (Mt/yr) of plants of these nameplate capacities and WRI fuels.

    >>> capturable_mtpa([1000.0], ["Coal"]).round(3).tolist()
    [3.485]
    """
    basis = [FUELS[f] for f in np.atleast_1d(fuel)]
    cf = np.array([b.capacity_factor for b in basis])
    t_per_mwh = np.array([b.intensity_t_per_mwh for b in basis])
    mwh = np.asarray(capacity_mw, float) * cf * HOURS_PER_YEAR
    return mwh * t_per_mwh * CAPTURE_RATE / 1e6


def read_plants(path: Path) -> pd.DataFrame:
    """The WRI extract as a table (columns as in the file), in file order."""
    return pd.read_csv(path)


def operating(plants: pd.DataFrame) -> pd.DataFrame:
    """Plants not marked shut down or under construction (a blank status counts as
    operating: the file leaves it blank for 956 of its 1,071 plants)."""
    return plants[~plants["status"].fillna("").isin(NOT_OPERATING)]


def drop_duplicate_records(plants: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """Drop a row that repeats an earlier row's fuel, capacity and coordinates (rounded
    to ``decimals`` degrees, ≈ 1 km) under another ``wri_id``: one plant listed by two of
    the database's sources. Rows sharing a ``wri_id`` are units of one plant, not
    duplicates (see :func:`merge_units`)."""
    key = pd.DataFrame({"fuel": plants["fuel"], "mw": plants["capacity_mw"],
                        "lat": plants["lat"].round(decimals), "lon": plants["lon"].round(decimals)})
    first_id = plants["wri_id"].groupby([key[c] for c in key]).transform("first")
    return plants[plants["wri_id"] == first_id]


def merge_units(plants: pd.DataFrame) -> pd.DataFrame:
    """One row per ``wri_id``: the file lists some plants unit by unit (same id, name
    and coordinates); their capacities are summed. First-row order is kept."""
    agg = {c: "first" for c in plants.columns if c not in ("wri_id", "capacity_mw")}
    merged = plants.groupby("wri_id", sort=False).agg({"capacity_mw": "sum", **agg})
    return merged.reset_index().reindex(columns=plants.columns)


def merge_sites(plants: pd.DataFrame) -> pd.DataFrame:
    """One row per fuel and exact position: plants the file places at the very same
    coordinates (different ids, e.g. a plant and its expansion, or one site under two
    names) are one capture site. Capacities are summed, names joined with `` + ``, the
    first row's ``wri_id`` and other fields kept; first-row order is kept."""
    key = [plants["fuel"], plants["lat"], plants["lon"]]
    g = plants.groupby(key, sort=False)
    agg = {c: "first" for c in plants.columns if c not in ("capacity_mw", "name")}
    merged = g.agg({"capacity_mw": "sum", "name": " + ".join, **agg})
    return merged.reset_index(drop=True).reindex(columns=plants.columns)
