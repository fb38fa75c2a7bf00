"""Dense-phase CO2 pipeline hydraulics: Darcy–Weisbach with the Colebrook friction factor.

Everything is vectorised with numpy and broadcasts over arrays of flows, lengths and
inner diameters (e.g. corridors × pipe sizes); the Colebrook equation is iterated on whole
arrays a fixed number of times, never element by element.

Conventions: flows in Mt/yr (annual mean, 1 yr = 8,760 h), pressures in MPa, lengths in km,
diameters in m, density in kg/m³, viscosity in Pa·s. The line is isothermal and the fluid
incompressible at the mean line state (``co2.line_state``): the pressure drop over a length
is ``ΔP = f · (L/D) · ρv²/2 + ρ·g·Δz`` with ``Δz`` the outlet minus the inlet elevation.
Boosters (pumps) restore the pressure to the inlet pressure; with ``n`` boosters evenly
spaced the line has ``n + 1`` segments of equal drop, each at most inlet − minimum pressure.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import numpy as np

SECONDS_PER_YEAR = 8760 * 3600.0
G_M_S2 = 9.80665  # standard gravity (definition)
_ITERATIONS = 20  # Colebrook fixed-point sweeps from Swamee–Jain: residual < 1e-13 for Re 3e3–1e8


@cache
def roughness_m() -> float:
    """Absolute pipe roughness (m), from ``costs/data/pipeline_costs.toml``."""
    with resources.files("ccusplan.costs").joinpath("data/pipeline_costs.toml").open("rb") as fh:
        return tomllib.load(fh)["hydraulics"]["roughness_mm"] / 1000.0


def mass_flow_kg_s(mtpa):
    """Mass flow (kg/s) of an annual mean flow in Mt/yr."""
    return np.asarray(mtpa, float) * 1e9 / SECONDS_PER_YEAR


def mtpa_from_kg_s(kg_s):
    """Annual flow (Mt/yr) of a steady mass flow in kg/s."""
    return np.asarray(kg_s, float) * SECONDS_PER_YEAR / 1e9


def velocity_m_s(mtpa, inner_diameter_m, density_kg_m3):
    """Mean velocity (m/s) of a flow of ``mtpa`` Mt/yr in a pipe of inner diameter ``D``."""
    area = np.pi / 4 * np.asarray(inner_diameter_m, float) ** 2
    return mass_flow_kg_s(mtpa) / (density_kg_m3 * area)


def reynolds(mtpa, inner_diameter_m, viscosity_pa_s):
    """Reynolds number ``Re = 4·ṁ / (π·D·μ)``."""
    return 4 * mass_flow_kg_s(mtpa) / (np.pi * np.asarray(inner_diameter_m, float) * viscosity_pa_s)


def friction_factor(re, relative_roughness):
    """Darcy friction factor from the Colebrook–White equation, solved on whole arrays.

    ``1/√f = −2 log10(ε/(3.7 D) + 2.51/(Re √f))``, started from Swamee–Jain and iterated;
    laminar flow (Re < 2,300) gives ``64/Re``.

    >>> round(float(friction_factor(1e6, 1e-4)), 5)   # Moody chart: ≈ 0.0134
    0.01344
    >>> friction_factor([2e3, 1e7], [0, 0]).round(5).tolist()
    [0.032, 0.0081]
    """
    re = np.asarray(re, float)
    rr = np.asarray(relative_roughness, float)
    re, rr = np.broadcast_arrays(re, rr)
    safe = np.maximum(re, 1.0)
    x = -2 * np.log10(rr / 3.7 + 5.74 / safe**0.9)  # Swamee–Jain: x = 1/√f
    for _ in range(_ITERATIONS):
        x = -2 * np.log10(rr / 3.7 + 2.51 * x / safe)
    return np.where(re < 2300, 64 / safe, 1 / x**2)


def pressure_drop_mpa(mtpa, length_km, inner_diameter_m, density_kg_m3, viscosity_pa_s,
                      elevation_change_m=0.0, roughness=None):
    """Pressure drop (MPa) over a line: friction plus the static head of ``Δz``.

    Parameters broadcast against each other; ``elevation_change_m`` is outlet minus inlet
    (positive uphill). ``roughness`` (m) defaults to the data file's 0.0457 mm.

    >>> round(float(pressure_drop_mpa(1.0, 100, 0.25, 900, 9e-5)), 3)
    1.306
    """
    d = np.asarray(inner_diameter_m, float)
    eps = roughness_m() if roughness is None else roughness
    v = velocity_m_s(mtpa, d, density_kg_m3)
    f = friction_factor(reynolds(mtpa, d, viscosity_pa_s), eps / d)
    friction = f * np.asarray(length_km, float) * 1e3 / d * density_kg_m3 * v**2 / 2
    return (friction + density_kg_m3 * G_M_S2 * np.asarray(elevation_change_m, float)) / 1e6


def boosters_needed(pressure_drop, inlet_pressure_mpa, min_pressure_mpa):
    """Intermediate boosters (restoring the inlet pressure) that keep the line above the minimum.

    ``n = max(0, ⌈ΔP / (p_in − p_min)⌉ − 1)``.

    >>> boosters_needed([0.0, 4.9, 5.0, 5.1, 26.0], 15.0, 10.0).tolist()
    [0, 0, 0, 1, 5]
    """
    budget = inlet_pressure_mpa - min_pressure_mpa
    n = np.ceil(np.asarray(pressure_drop, float) / budget - 1e-6) - 1
    return np.maximum(n, 0).astype(int)


def max_flow_mtpa(length_km, inner_diameter_m, density_kg_m3, viscosity_pa_s,
                  inlet_pressure_mpa, min_pressure_mpa, boosters=0, elevation_change_m=0.0,
                  roughness=None):
    """Largest flow (Mt/yr) the line carries with ``boosters`` intermediate boosters.

    The friction drop allowed is ``ΔP = (n + 1)(p_in − p_min) − ρ·g·Δz``. With the drop
    given, ``Re·√f = (ρD/μ)·√(2DΔP/(ρL))`` is known, so Colebrook gives ``1/√f`` directly
    and ``v = √(2DΔP/(ρL)) / √f`` — no iteration (laminar: ``v = ΔP·D²/(32μL)``).
    Zero where the static head alone exceeds the allowance.

    >>> q = max_flow_mtpa(100, 0.25, 900, 9e-5, 15, 10)
    >>> round(float(pressure_drop_mpa(q, 100, 0.25, 900, 9e-5)), 6)
    5.0
    """
    d = np.asarray(inner_diameter_m, float)
    eps = roughness_m() if roughness is None else roughness
    allowed = ((np.asarray(boosters, float) + 1) * (inlet_pressure_mpa - min_pressure_mpa)
               - density_kg_m3 * G_M_S2 * np.asarray(elevation_change_m, float) / 1e6) * 1e6
    allowed = np.maximum(allowed, 0.0)
    length_m = np.maximum(np.asarray(length_km, float) * 1e3, 1e-9)
    v_sqrt_f = np.sqrt(2 * d * allowed / (density_kg_m3 * length_m))
    re_sqrt_f = np.maximum(density_kg_m3 * d * v_sqrt_f / viscosity_pa_s, 1e-12)
    inv_sqrt_f = -2 * np.log10(eps / (3.7 * d) + 2.51 / re_sqrt_f)
    v = v_sqrt_f * inv_sqrt_f
    laminar = density_kg_m3 * v * d / viscosity_pa_s < 2300
    v = np.where(laminar, allowed * d**2 / (32 * viscosity_pa_s * length_m), v)
    return mtpa_from_kg_s(density_kg_m3 * v * np.pi / 4 * d**2)


def pump_power_kw(mtpa, pressure_rise_mpa, density_kg_m3, efficiency):
    """Electric power (kW) of a pump raising ``mtpa`` of CO2 by ``pressure_rise_mpa``.

    ``P = (ṁ/ρ) · Δp / η``.

    >>> round(float(pump_power_kw(1.0, 5.0, 900, 0.75)), 1)
    234.9
    """
    kw = mass_flow_kg_s(mtpa) / density_kg_m3 * np.asarray(pressure_rise_mpa, float) * 1e3
    return kw / efficiency
