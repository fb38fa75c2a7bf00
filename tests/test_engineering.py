"""Engineering pipeline model (costs.co2, costs.hydraulics, costs.pipeline), checked against
values someone else published: NIST / Span–Wagner densities, Fenghour viscosities, the
Colebrook equation solved by a root finder, the McCoy–Rubin worked value, Parker's
equations, the IJGGC (2023) capacity table and four real CO2 lines.

Unless a test says otherwise the line state is the [pipeline] default: 15 MPa inlet,
10 MPa minimum, 12 °C ground, 15.3 MPa design, X70, McCoy–Rubin, 2023 USD, US Midwest;
capital is annualised with crf(8 %, 30 yr) = 0.0888.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from scipy.optimize import brentq

from ccusplan.costs import hydraulics as hy
from ccusplan.costs.co2 import co2_state, critical_pressure_mpa, line_state
from ccusplan.costs.finance import capital_recovery_factor
from ccusplan.costs.pipeline import (co2_critical_pressure_mpa, corridor_pipe_classes,
                                     cost_index, escalation,
                                     levelized_cost_curve, pipeline_capex_musd,
                                     size_capacities_mtpa, size_pipeline, sizing_table)
from ccusplan.costs.pipes import pipe_geometry
from ccusplan.model import PipelineSpec

CRF = capital_recovery_factor(0.08, 30)
SPEC = PipelineSpec()
STANDARD = [4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 42, 48]


def within_one_size(chosen: int, low: int, high: int) -> bool:
    """True if ``chosen`` is in [low, high] widened by one standard size on each side."""
    i, j = STANDARD.index(low), STANDARD.index(high)
    return chosen in STANDARD[max(i - 1, 0): j + 2]


# ------------------------------------------------------------------ CO2 properties

# NIST Chemistry WebBook (SRD 69, Span–Wagner EOS), isotherm T = 290 K, pressures
# p_j = 0.1 MPa + j·(99.9/494) MPa: the values DuMux retrieved from the WebBook with
# bin/util/make_co2_table.py into test/porousmediumflow/co2/co2values.inc (row 0 = 290 K;
# columns j = 26, 40, 49, 74). Span & Wagner (1996) verification values as quoted in MOOSE's
# CO2FluidPropertiesTest.C (propertiesSW).
NIST_DENSITIES = [  # (p MPa, T K, kg/m³, source)
    (0.1 + 26 * 99.9 / 494, 290.0, 805.731285429, "NIST WebBook 290 K, liquid"),
    (0.1 + 40 * 99.9 / 494, 290.0, 856.751105984, "NIST WebBook 290 K"),
    (0.1 + 49 * 99.9 / 494, 290.0, 878.155002505, "NIST WebBook 290 K, ≈10.01 MPa"),
    (0.1 + 74 * 99.9 / 494, 290.0, 920.849079537, "NIST WebBook 290 K, ≈15.06 MPa"),
    (1.0, 280.0, 20.199, "Span & Wagner (1996) verification value"),
    (10.0, 500.0, 113.07, "Span & Wagner (1996) verification value"),
]


@pytest.mark.parametrize("p_mpa, t_k, rho_ref, source", NIST_DENSITIES)
def test_co2_density_matches_published_values(p_mpa, t_k, rho_ref, source):
    """Density within 0.5 % of the published value (the points at 290 K bracket the
    10–15 MPa pipeline range; exact values at 10 MPa & 300 K or 15 MPa & 285.15 K could
    not be found in a stored copy of the WebBook, so these grid points are used)."""
    rho, _ = co2_state(p_mpa, t_k - 273.15)
    assert rho == pytest.approx(rho_ref, rel=0.005), source


@pytest.mark.parametrize("p_mpa, t_k, mu_ref", [(1.0, 280.0, 1.41505e-5), (1.0, 500.0, 2.40643e-5)])
def test_co2_viscosity_matches_fenghour(p_mpa, t_k, mu_ref):
    """Viscosity within 0.5 % of Fenghour, Wakeham & Vesovic (1998), J. Phys. Chem. Ref.
    Data 27:31, as quoted in MOOSE's CO2FluidPropertiesTest.C (viscosity test)."""
    assert co2_state(p_mpa, t_k - 273.15)[1] == pytest.approx(mu_ref, rel=0.005)


def test_critical_pressure_in_the_data_file_is_coolprops():
    """The validation bound (data file, Span & Wagner 1996) equals CoolProp's critical point."""
    assert co2_critical_pressure_mpa() == pytest.approx(critical_pressure_mpa(), rel=1e-6)


def test_dense_phase_at_default_line_state():
    """Dense CO2 at 8.3–15 MPa has ρ ≈ 800–950 kg/m³ (mean state 12.5 MPa, 12 °C)."""
    rho, mu = line_state(15.0, 10.0, 12.0)
    assert 850 < rho < 960 and 6e-5 < mu < 1.2e-4


# ------------------------------------------------------------------ hydraulics

def test_colebrook_agrees_with_a_root_finder():
    """The vectorised iteration solves Colebrook–White to 1e-10 (scipy brentq per point)."""
    re = np.array([5e3, 1e5, 1e6, 1e7, 5e7])
    rr = np.array([1e-6, 4.6e-5, 1e-4, 1e-3, 1e-2])
    f = hy.friction_factor(re[:, None], rr[None, :])
    for i, r in enumerate(re):
        for j, e in enumerate(rr):
            ref = brentq(lambda x: 1 / np.sqrt(x) + 2 * np.log10(e / 3.7 + 2.51 / (r * np.sqrt(x))),
                         1e-4, 1.0, xtol=1e-14)
            assert f[i, j] == pytest.approx(ref, rel=1e-10)


def test_pressure_drop_is_darcy_weisbach_plus_static_head():
    """ΔP = f·(L/D)·ρv²/2 + ρ·g·Δz, worked by hand for 5 Mt/yr in D = 0.4 m over 50 km."""
    rho, mu, d, q, L = 928.0, 1.0e-4, 0.4, 5.0, 50.0
    kg_s = q * 1e9 / (8760 * 3600)
    v = kg_s / (rho * np.pi * d**2 / 4)
    f = hy.friction_factor(rho * v * d / mu, 4.57e-5 / d)
    by_hand = f * (L * 1e3 / d) * rho * v**2 / 2 / 1e6
    assert float(hy.pressure_drop_mpa(q, L, d, rho, mu)) == pytest.approx(by_hand, rel=1e-12)
    uphill = hy.pressure_drop_mpa(q, L, d, rho, mu, elevation_change_m=100.0)
    assert float(uphill) - by_hand == pytest.approx(rho * 9.80665 * 100 / 1e6, rel=1e-12)


def test_max_flow_inverts_the_pressure_drop_with_boosters_and_elevation():
    rho, mu = line_state(15.0, 10.0, 12.0)
    d = pipe_geometry(15.3, "X70")["inner_diameter_m"].to_numpy()
    lengths = np.array([[50.0], [300.0]])
    for n in (0, 2):
        q = hy.max_flow_mtpa(lengths, d[None, :], rho, mu, 15.0, 10.0, n, 200.0)
        dp = hy.pressure_drop_mpa(q, lengths, d[None, :], rho, mu, 200.0)
        np.testing.assert_allclose(dp, 5.0 * (n + 1), rtol=1e-9)
        assert (hy.boosters_needed(dp, 15.0, 10.0) == n).all()
    # a static head above the whole allowance leaves no capacity
    assert float(hy.max_flow_mtpa(10, 0.3, rho, mu, 15, 10, 0, 600.0)) == 0.0


# ------------------------------------------------------------------ capital costs

def test_mccoy_rubin_worked_value():
    """McCoy & Rubin (2008): 100 km of 12" ≈ 27.6 MUSD and of 24" ≈ 55 MUSD in 2004 USD,
    US Midwest (the paper's cost equations worked at these sizes) — within 1 %."""
    spec = PipelineSpec(cost_year=2004)
    assert float(pipeline_capex_musd(100, 12, spec)) == pytest.approx(27.6, rel=0.01)
    assert float(pipeline_capex_musd(100, 24, spec)) == pytest.approx(55.0, rel=0.01)


def test_parker_equations_by_hand():
    """Parker (2004), 2000 USD, L in miles: the report's four component equations."""
    D, miles = 16.0, 100.0
    usd = (35000 + miles * (330.5 * D**2 + 687 * D + 26960)
           + 185000 + miles * (343 * D**2 + 2074 * D + 170013)
           + 40000 + miles * (577 * D + 29788) + 95000 + miles * (8417 * D + 7324))
    spec = PipelineSpec(cost_model="parker", cost_year=2000)
    musd = float(pipeline_capex_musd(miles * 1.609344, D, spec))
    assert musd == pytest.approx(usd / 1e6, rel=1e-12)


def test_escalation_region_terrain_offshore():
    idx = cost_index()
    assert set(range(2000, 2025)) <= set(idx.index)
    assert escalation(2004, 2023) == pytest.approx(797.9 / 444.2)
    base = float(pipeline_capex_musd(100, 12, PipelineSpec(cost_year=2004)))
    us = float(pipeline_capex_musd(100, 12, SPEC))
    assert us == pytest.approx(base * 797.9 / 444.2)
    china = float(pipeline_capex_musd(100, 12, PipelineSpec(region="china")))
    assert 0.5 < china / us < 0.65
    assert float(pipeline_capex_musd(100, 12, SPEC, terrain_factor=1.3)) == pytest.approx(1.3 * us)
    assert float(pipeline_capex_musd(100, 12, SPEC, offshore=True)) == pytest.approx(1.55 * us)


def test_spec_validation():
    with pytest.raises(ValidationError, match="critical"):
        PipelineSpec(min_pressure_mpa=7.0)
    with pytest.raises(ValidationError, match="inlet_pressure_mpa <= design"):
        PipelineSpec(inlet_pressure_mpa=16.0)
    with pytest.raises(ValidationError, match="min_pressure_mpa < inlet"):
        PipelineSpec(min_pressure_mpa=15.0)
    with pytest.raises(ValidationError, match="cost index"):
        PipelineSpec(cost_year=1980)


# ------------------------------------------------------------------ sizing of real lines

def test_qilu_shengli():
    """Qilu–Shengli, 1.7 Mt/yr design over 109 km, design pressure 12 MPa, booster pump at
    the first station only (Sinopec releases, 2023). Assumed: inlet = design = 12 MPa,
    minimum 8.3 MPa (bottom of the 8.3–15 MPa range commonly quoted for dense-phase
    operation), flat, 12 °C. The diameter is not published; hydraulics point to 10–12"."""
    spec = PipelineSpec(design_pressure_mpa=12.0, inlet_pressure_mpa=12.0, min_pressure_mpa=8.3)
    r = size_pipeline(1.7, 109, spec, CRF)
    assert within_one_size(r["nominal_diameter_in"], 10, 12)
    assert r["boosters"] == 0


def test_weyburn():
    """Weyburn, 1.8 Mt/yr over 330 km, 12–14" (305–356 mm), no intermediate compressor
    stations (IPCC SRCCS (2005) ch. 4, as quoted). Assumed: default pressures
    15 → 10 MPa, flat; boosters forbidden as in the real line."""
    r = size_pipeline(1.8, 330, SPEC, CRF, max_boosters=0)
    assert within_one_size(r["nominal_diameter_in"], 12, 14)


def test_sheep_mountain():
    """Sheep Mountain, 9.2 Mt/yr over 772 km, 24" (published operating figures as commonly
    quoted; cf. the existing CO2 pipelines listed in IPCC SRCCS (2005) ch. 4). Assumed:
    default pressures 15 → 10 MPa, flat, boosters allowed and costed."""
    r = size_pipeline(9.2, 772, SPEC, CRF)
    assert within_one_size(r["nominal_diameter_in"], 24, 24)


def test_cortez():
    """Cortez, ≈ 20 Mt/yr over ≈ 800 km (808 km, 502 miles), 30" (published operating
    figures as commonly quoted; cf. IPCC SRCCS (2005) ch. 4).
    Assumed: default pressures 15 → 10 MPa, flat, boosters allowed and costed."""
    r = size_pipeline(20.0, 808, SPEC, CRF)
    assert within_one_size(r["nominal_diameter_in"], 30, 30)


def test_size_pipeline_reports_the_json_keys():
    r = size_pipeline(5.0, 200, SPEC, CRF)
    keys = {"nominal_diameter_in", "inner_diameter_m", "velocity_m_s", "pressure_drop_mpa",
            "boosters", "capex_musd", "om_musd_per_yr", "levelized_usd_per_t", "density_kg_m3"}
    assert keys <= set(r)
    json.dumps(r)
    table = sizing_table(5.0, 200, SPEC, CRF)
    best = table[table["feasible"]]["annual_musd_per_yr"].min()
    assert r["levelized_usd_per_t"] == pytest.approx(best / 5.0)
    assert r["velocity_m_s"] <= SPEC.max_velocity_m_s
    with pytest.raises(ValueError, match="parallel"):
        size_pipeline(200.0, 100, SPEC, CRF)


# ------------------------------------------------------------------ capacity and scale

IJGGC = {0.2: 1.7, 0.3: 3.8, 0.4: 6.7, 0.5: 10.5, 0.6: 15.2, 0.7: 20.6, 0.8: 26.9,
         0.9: 34.1, 1.0: 42.1}  # inner diameter m -> Mt/yr, the IJGGC (2023) table


def test_ijggc_table_is_a_constant_velocity_table():
    """The model's flow at one velocity reproduces every row of the IJGGC (2023) table within
    ±15 %. At the default line state (928 kg/m³) that velocity is ≈ 1.8 m/s; the '≈ 2.4
    m/s' often quoted with the table implies ρ ≈ 710 kg/m³ (≈ 10 MPa and 35 °C) — at 928 kg/m³ a flat 2.4 m/s
    would sit ≈ 30 % above the table, so the velocity is taken from the table itself."""
    rho, _ = line_state(15.0, 10.0, 12.0)
    d = np.array(list(IJGGC))
    published = np.array(list(IJGGC.values()))
    flux = hy.mass_flow_kg_s(published) / (np.pi / 4 * d**2)
    v = float(np.median(flux)) / rho
    assert 1.7 < v < 1.95
    model = hy.mtpa_from_kg_s(rho * v * np.pi / 4 * d**2)
    np.testing.assert_allclose(model, published, rtol=0.15)


def test_corridor_capacity_matches_the_ijggc_table():
    """On a short corridor (velocity-limited, default 2.0 m/s) every size's MILP capacity
    lies within ±15 % of the IJGGC (2023) table interpolated at its inner diameter."""
    g = pipe_geometry(15.3, "X70")
    cap = size_capacities_mtpa(SPEC).to_numpy()
    d = g["inner_diameter_m"].to_numpy()
    inside = (d >= 0.2) & (d <= 1.0)
    table = np.interp(d[inside], list(IJGGC), list(IJGGC.values()))
    np.testing.assert_allclose(cap[inside], table, rtol=0.15)
    short = corridor_pipe_classes(np.array([5.0]), 1.0, False, SPEC, CRF)
    np.testing.assert_allclose(short["capacity_mtpa"], cap)


def test_levelised_cost_falls_as_flow_grows():
    """Economies of scale: at 100 and 500 km, doubling the flow lowers the levelised USD/t
    of the cheapest size (0.25 → 32 Mt/yr)."""
    flows = 0.25 * 2.0 ** np.arange(8)
    for L in (100.0, 500.0):
        best = np.array([size_pipeline(q, L, SPEC, CRF)["levelized_usd_per_t"] for q in flows])
        assert (np.diff(best) < 0).all(), (L, best)
    curve = levelized_cost_curve(100.0, SPEC, CRF, flows=[0.5, 5.0, 50.0])
    assert curve.loc[50.0, '4"'] != curve.loc[50.0, '4"']  # NaN: above the velocity limit
    assert curve.min(axis=1).is_monotonic_decreasing


def test_corridor_pipe_classes_for_the_milp():
    """One row per (corridor, size); exact pipe cost there; boosters at capacity only beyond
    one booster spacing; capacity falls with length; columns plug into the MILP options."""
    L = np.array([50.0, 100.0, 400.0])
    t = corridor_pipe_classes(L, np.array([1.0, 1.2, 1.0]), np.array([False, False, True]),
                              SPEC, CRF)
    assert len(t) == 3 * 19 and list(t["corridor"].unique()) == [0, 1, 2]
    assert {"corridor", "name", "capacity_mtpa", "capex_musd", "capex_musd_per_mtpa",
            "om_fraction_per_yr", "om_musd_per_yr"} <= set(t.columns)
    by = {c: t[t["corridor"] == c].reset_index(drop=True) for c in range(3)}
    nps = by[0]["nps_in"].to_numpy()
    np.testing.assert_allclose(by[1]["pipe_capex_musd"], pipeline_capex_musd(100.0, nps, SPEC, 1.2))
    np.testing.assert_allclose(by[2]["pipe_capex_musd"],
                               pipeline_capex_musd(400.0, nps, SPEC, 1.0, True))
    assert (by[0]["boosters"] == 0).all() and (by[1]["boosters"] == 0).all()
    assert (by[0]["capex_musd"] == by[0]["pipe_capex_musd"]).all()
    assert (by[2]["boosters"] <= 2).all() and (by[2]["boosters"] > 0).any()
    assert (by[0]["capacity_mtpa"] >= by[1]["capacity_mtpa"]).all()
    assert (by[1]["capacity_mtpa"] > by[2]["capacity_mtpa"]).any()
    # bigger pipes carry more per dollar on a corridor
    per = by[1]["capex_musd"] / by[1]["capacity_mtpa"]
    assert per.is_monotonic_decreasing
    # at capacity the 100 km line runs at the pressure budget or the velocity limit
    rho, mu = line_state(15.0, 10.0, 12.0)
    d = pipe_geometry(15.3, "X70")["inner_diameter_m"].to_numpy()
    v = hy.velocity_m_s(by[1]["capacity_mtpa"].to_numpy(), d, rho)
    dp = by[1]["pressure_drop_mpa"].to_numpy()
    assert np.all(np.isclose(v, 2.0) | np.isclose(dp, 5.0))


def test_corridor_table_is_vectorised_and_fast():
    """10,000 corridors × 19 sizes (the China case) in well under a second."""
    import time
    rng = np.random.default_rng(1)
    L = rng.uniform(5, 400, 10_000)
    start = time.perf_counter()
    t = corridor_pipe_classes(L, 1.0, False, PipelineSpec(region="china"), CRF)
    assert time.perf_counter() - start < 1.0
    assert len(t) == 190_000 and np.isfinite(t["capex_musd"]).all()
    assert isinstance(t, pd.DataFrame)
