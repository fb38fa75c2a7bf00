"""Pipe classes: the built-in nominal sizes (4"–48") or a network's own ``pipe_classes``.

A pipe class is one row of a table with the columns of the ``pipe_classes``
contract: ``name``, ``capacity_mtpa``, ``capex_musd_per_unit`` (× the corridor's
``cost_weight``), ``capex_musd_per_unit_per_mtpa`` and ``om_fraction_per_yr``.
For the built-in sizes the unit is one km, so a corridor's default
``cost_weight`` (its length × terrain factor) prices it.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

MM_PER_IN = 25.4


@cache
def _spec() -> dict:
    with resources.files("ccusplan.costs").joinpath("data/pipe_sizes.toml").open("rb") as fh:
        return tomllib.load(fh)


def wall_thickness_mm(od_in: np.ndarray, design_pressure_mpa: float | None = None,
                      smys_mpa: float | None = None) -> np.ndarray:
    """Pressure design wall thickness by Barlow's formula, at least the handling minimum.

    ``t = P · OD / (2 · SMYS · F)`` with the ASME B31.4 design factor ``F``; ``P`` and
    ``SMYS`` default to the foundation's 15.3 MPa and X70.

    >>> round(float(wall_thickness_mm(24.0, 15.3, 482.6)), 2)  # 24" X70 at 15.3 MPa
    13.42
    """
    w = _spec()["wall"]
    p = w["design_pressure_mpa"] if design_pressure_mpa is None else design_pressure_mpa
    smys = w["smys_mpa"] if smys_mpa is None else smys_mpa
    t = p * np.asarray(od_in, float) * MM_PER_IN / (2 * smys * w["design_factor"])
    return np.maximum(t, w["min_wall_mm"])


def steel_smys_mpa(grade: str) -> float:
    """Specified minimum yield strength (MPa) of an API 5L grade such as ``"X70"``."""
    g = _spec()["steel_grades"]
    if grade not in g["grades"]:
        raise ValueError(f"unknown steel grade {grade!r}: use one of {', '.join(g['grades'])}")
    return float(g["smys_mpa"][g["grades"].index(grade)])


@cache
def pipe_geometry(design_pressure_mpa: float, steel_grade: str) -> pd.DataFrame:
    """The nominal sizes for one design pressure and steel grade (one row per NPS).

    Columns ``name`` ('12"'), ``nps_in``, ``outer_diameter_in``, ``wall_mm`` (Barlow) and
    ``inner_diameter_m``.
    """
    s = _spec()
    nps = np.asarray(s["outer_diameter_in"]["nps"], int)
    od_in = np.asarray(s["outer_diameter_in"]["od_in"], float)
    wall = wall_thickness_mm(od_in, design_pressure_mpa, steel_smys_mpa(steel_grade))
    return pd.DataFrame({
        "name": [f'{n}"' for n in nps],
        "nps_in": nps,
        "outer_diameter_in": od_in,
        "wall_mm": wall,
        "inner_diameter_m": (od_in * MM_PER_IN - 2 * wall) / 1000.0,
    })


def capacity_mtpa(inner_diameter_m: np.ndarray) -> np.ndarray:
    """Flow capacity from the published table, interpolated in capacity / D² (∝ D² beyond it)."""
    c = _spec()["capacity"]
    d = np.asarray(c["inner_diameter_m"], float)
    k = np.asarray(c["capacity_mtpa"], float) / d**2
    return np.interp(inner_diameter_m, d, k) * np.asarray(inner_diameter_m) ** 2


def mccoy_rubin_capex_musd(length_km: float | np.ndarray, nps_in: float | np.ndarray) -> np.ndarray:
    """McCoy & Rubin (2008) pipeline capital cost, MUSD (2004 USD, US Midwest).

    >>> round(float(mccoy_rubin_capex_musd(100, 12)), 2)
    27.61
    """
    c = _spec()["capex"]
    L = np.asarray(length_km, float)[..., None]
    D = np.asarray(nps_in, float)[..., None]
    a = 10.0 ** np.asarray(c["log10_a"])
    usd = a * L ** np.asarray(c["length_exponent"]) * D ** np.asarray(c["diameter_exponent"])
    return usd.sum(axis=-1) / 1e6


@cache
def builtin_sizes() -> pd.DataFrame:
    """The nominal sizes with geometry, capacity and cost per km (one row per NPS)."""
    s = _spec()
    nps = np.asarray(s["outer_diameter_in"]["nps"], float)
    od_in = np.asarray(s["outer_diameter_in"]["od_in"], float)
    wall_mm = wall_thickness_mm(od_in)
    inner_m = (od_in * MM_PER_IN - 2 * wall_mm) / 1000.0
    ref_km = s["capex"]["reference_length_km"]
    return pd.DataFrame({
        "nps_in": nps.astype(int),
        "outer_diameter_in": od_in,
        "wall_mm": wall_mm.round(2),
        "inner_diameter_m": inner_m.round(4),
        "capacity_mtpa": capacity_mtpa(inner_m).round(3),
        "capex_musd_per_km": (mccoy_rubin_capex_musd(ref_km, nps) / ref_km).round(5),
    })


def builtin_pipe_classes() -> pd.DataFrame:
    """The built-in sizes as a ``pipe_classes`` table (the unit of cost is one km)."""
    sizes = builtin_sizes()
    return pd.DataFrame({
        "name": [f'{n}"' for n in sizes["nps_in"]],
        "capacity_mtpa": sizes["capacity_mtpa"],
        "capex_musd_per_unit": sizes["capex_musd_per_km"],
        "capex_musd_per_unit_per_mtpa": 0.0,
        "row_capex_musd_per_unit": 0.0,
        "row_capex_musd_per_unit_per_mtpa": 0.0,
        "om_fraction_per_yr": _spec()["om"]["fraction_per_yr"],
        "om_musd_per_km_per_yr": 0.0,
    })
