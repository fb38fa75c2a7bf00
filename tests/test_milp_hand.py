"""Tiny networks whose optimum is worked out by hand in each test's docstring.

Every test runs with each installed solver (HiGHS and CBC must agree), with
``crf = 0.1``, one-year periods and no discounting unless it says otherwise, so
objectives are MUSD/yr that can be added up on paper.
"""

from __future__ import annotations

import pytest
from conftest import (
    FREE_SINK,
    FREE_SOURCE,
    NO_DISCOUNT,
    hand_network,
    load_case,
    write_case,
    write_network,
)

from ccusplan.optimize import run


def _solve(tmp_path, solver, network_kw, periods=(2025,), target=(1,), period_years=1,
           finance=NO_DISCOUNT, **case_kw):
    write_network(tmp_path / "net", **network_kw)
    case = write_case(tmp_path / "case.toml", "net", periods, target=list(target),
                      period_years=period_years, finance=finance, **case_kw)
    out = run(*load_case(case), solver=solver, mip_gap=0.0)
    assert out.result.status == "optimal", out.result
    return out


def test_source_junction_two_sinks(tmp_path, solver):
    """Source S (10 Mt/yr at 10 $/t) → junction J → sinks K1 (≤ 6 Mt/yr, 1 $/t) and
    K2 (≤ 6 Mt/yr, 2 $/t); target 8 Mt/yr. Pipe classes: small 5 Mt/yr at 1 MUSD/km,
    big 20 Mt/yr at 3 MUSD/km. Corridors S–J 100 km, J–K1 50 km, J–K2 80 km.

    Trunk S–J carries 8: two small (200 MUSD) beat one big (300).
    Branches: one small to K1 (50) carrying 5 and one small to K2 (80) carrying 3
    cost 13/yr in capital plus 5·1 + 3·2 = 11 storage → 24/yr; filling K1 to 6
    needs a second small pipe (+5/yr) to save 1/yr of storage — worse.
    Objective: capture 80 + trunk 20 + branches 13 + storage 11 = 124 MUSD/yr.
    """
    out = _solve(tmp_path, solver, hand_network(), target=[8])
    assert out.result.objective == pytest.approx(124.0, abs=1e-6)
    p = out.plan.pipelines.set_index(["from", "to"])
    assert p.loc[("S", "J"), "pipes"] == 2 and p.loc[("S", "J"), "pipe_class"] == "small"
    assert p.loc[("J", "K1"), "flow_mtpa"] == pytest.approx(5)
    assert p.loc[("K2", "J"), "flow_mtpa"] == pytest.approx(-3)  # flows to → from
    assert out.plan.npv_musd == pytest.approx(
        {"capture": 80, "transport": 33, "storage": 11, "revenue": 0})


def test_shared_trunk_beats_two_small_pipes(tmp_path, solver):
    """S1 and S2 (4 Mt/yr each) are 10 km from hub J and 200 km from sink K; J–K is
    195 km. Classes: small 5 Mt/yr at 1.0 MUSD/km, big 20 Mt/yr at 1.5 MUSD/km.

    Two direct small lines: 2·200·1.0 = 400 MUSD. Gathering at J: 2·10·1.0 + one big
    trunk 195·1.5 = 312.5 MUSD (two small trunk pipes would be 390). One direct line and
    one via J: 200 + 10 + 195 = 405. Optimum: the shared trunk, 0.1·312.5 = 31.25 MUSD/yr.
    """
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S1", "lon": 0, "lat": 0.05, "capacity_mtpa": 4, **FREE_SOURCE},
                 {"id": "S2", "lon": 0, "lat": -0.05, "capacity_mtpa": 4, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 2, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 10,
                **FREE_SINK}],
        junctions=[{"id": "J", "lon": 0.1, "lat": 0}],
        corridors=[{"from": "S1", "to": "K", "length_km": 200},
                   {"from": "S2", "to": "K", "length_km": 200},
                   {"from": "S1", "to": "J", "length_km": 10},
                   {"from": "S2", "to": "J", "length_km": 10},
                   {"from": "J", "to": "K", "length_km": 195}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1.0},
                      {"name": "big", "capacity_mtpa": 20, "capex_musd_per_unit": 1.5}],
    ), target=[8])
    assert out.result.objective == pytest.approx(31.25, abs=1e-6)
    p = out.plan.pipelines.set_index(["from", "to"])
    assert p.loc[("J", "K"), "pipe_class"] == "big"
    assert p.loc[("J", "K"), "flow_mtpa"] == pytest.approx(8)
    assert ("S1", "K") not in p.index and ("S2", "K") not in p.index
    assert out.plan.pipeline_km == pytest.approx(215)


@pytest.mark.parametrize("rate, expect_loop", [(0.0, False), (0.10, True)])
def test_waiting_to_build_is_cheaper_under_discounting(tmp_path, solver, rate, expect_loop):
    """One 100 km corridor; target 2 Mt/yr in 2025–29 and 8 Mt/yr in 2030–34.
    Classes: small 5 Mt/yr at 1.0 MUSD/km, big 10 Mt/yr at 1.45 MUSD/km; crf 0.1.

    A: a big pipe from 2025: 14.5 MUSD/yr for all 10 years.
    B: a small pipe from 2025, a second (looped) from 2030: 10/yr for 10 years + 10/yr
       for the last 5.
    Undiscounted: A = 145 < B = 150. At 10 %: with W1 = Σ_{k=0..4} 1.1^-k and
    W2 = Σ_{k=5..9} 1.1^-k, A = 14.5 (W1+W2) = 98.01 > B = 10 W1 + 20 W2 = 93.48 —
    waiting to add capacity wins.
    """
    W1 = sum(1.1**-k for k in range(5)) if rate else 5.0
    W2 = sum(1.1**-k for k in range(5, 10)) if rate else 5.0
    a, b = 14.5 * (W1 + W2), 10 * W1 + 20 * W2
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 10,
                **FREE_SINK}],
        corridors=[{"from": "S", "to": "K", "length_km": 100}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1.0},
                      {"name": "big", "capacity_mtpa": 10, "capex_musd_per_unit": 1.45}],
    ), periods=[2025, 2030], target=[2, 8], period_years=5,
        finance={"crf": 0.1, "discount_rate": rate})
    assert out.result.objective == pytest.approx(min(a, b), rel=1e-9)
    p = out.plan.pipelines
    small = p[p["pipe_class"] == "small"].set_index("period")["pipes"]
    if expect_loop:
        assert small.to_dict() == {2025: 1, 2030: 2}  # looped later, never removed
    else:
        assert set(p["pipe_class"]) == {"big"}
        assert p.set_index("period")["pipes_added"].to_dict() == {2025: 1, 2030: 0}


def test_building_late_is_cheaper_than_building_early(tmp_path, solver):
    """Nothing is needed until 2030 (targets 0, 5): every asset is first in service in
    2030 and the NPV is the 2030–34 annuities only. Source capex 100 MUSD, pipe 50 km at
    1 MUSD/km, sink capex 20 MUSD; crf 0.1, 8 %/yr: cost = 0.1·(100+50+20)·W2 with
    W2 = Σ_{k=5..9} 1.08^-k."""
    W2 = sum(1.08**-k for k in range(5, 10))
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 5,
                  **FREE_SOURCE, "capture_capex_musd": 100}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 10,
                **FREE_SINK, "storage_capex_musd": 20}],
        corridors=[{"from": "S", "to": "K", "length_km": 50}],
        pipe_classes=[{"name": "p", "capacity_mtpa": 5, "capex_musd_per_unit": 1.0}],
    ), periods=[2025, 2030], target=[0, 5], period_years=5,
        finance={"crf": 0.1, "discount_rate": 0.08})
    assert out.result.objective == pytest.approx(0.1 * 170 * W2, rel=1e-9)
    assert out.plan.sources.set_index("period")["built_this_period"].to_dict() == {2025: 0, 2030: 1}
    assert out.plan.sinks.set_index("period")["opened_this_period"].to_dict() == {2025: 0, 2030: 1}


def test_existing_pipeline_costs_nothing_and_loops_when_full(tmp_path, solver):
    """An existing 1.7 Mt/yr line (109 km, like Qilu–Shengli) carries the first 1.7
    Mt/yr free; a target of 3 Mt/yr needs one looped 2 Mt/yr pipe (109·1.0 MUSD → 10.9/yr)."""
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "Q", "lon": 118.3, "lat": 36.8, "capacity_mtpa": 5, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 117.8, "lat": 37.2, "capacity_mt": 1000,
                "max_injection_mtpa": 10, **FREE_SINK}],
        corridors=[{"from": "Q", "to": "K", "length_km": 109, "existing_capacity_mtpa": 1.7}],
        pipe_classes=[{"name": "p", "capacity_mtpa": 2, "capex_musd_per_unit": 1.0}],
    ), periods=[2025, 2030], target=[1.7, 3])
    assert out.result.objective == pytest.approx(10.9, rel=1e-9)  # only 2030's year pays
    p = out.plan.pipelines.set_index("period")
    assert p["pipes"].to_dict() == {2025: 0, 2030: 1}  # 2025: flow in the existing line only
    assert out.plan.stored_mtpa.tolist() == pytest.approx([1.7, 3])


def test_sink_cumulative_capacity_and_available_year(tmp_path, solver):
    """Two periods of 5 years, target 4 Mt/yr each. Cheap sink A (1 $/t) holds only 25 Mt;
    dear sink B (5 $/t) is unlimited. Source S2 (2 $/t) exists only from 2030, S1 costs 10 $/t.
    Best: A takes 4 Mt/yr in 2025 (20 Mt) and 1 in 2030 (5 Mt, full), B takes 3 in 2030;
    2025 capture all from S1 (S2 unavailable), 2030 all from S2... S2 has 4 Mt/yr.
    Per-year costs: 2025: 4·10 + 4·1 = 44; 2030: 4·2 + 1·1 + 3·5 = 24; ×5 years each = 340.
    Pipes are free (cost 0) here."""
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S1", "lon": 0, "lat": 0, "capacity_mtpa": 4, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 10},
                 {"id": "S2", "lon": 0, "lat": 1, "capacity_mtpa": 4, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 2, "available_from": 2030}],
        sinks=[{"id": "A", "lon": 1, "lat": 0, "capacity_mt": 25, "max_injection_mtpa": 10,
                **FREE_SINK, "storage_cost_usd_per_t": 1},
               {"id": "B", "lon": 1, "lat": 1, "capacity_mt": 1e6, "max_injection_mtpa": 10,
                **FREE_SINK, "storage_cost_usd_per_t": 5}],
        junctions=[{"id": "J", "lon": 0.5, "lat": 0.5}],
        corridors=[{"from": n, "to": "J", "length_km": 10} for n in ("S1", "S2", "A", "B")],
        pipe_classes=[{"name": "free", "capacity_mtpa": 10, "capex_musd_per_unit": 0}],
    ), periods=[2025, 2030], target=[4, 4], period_years=5)
    assert out.result.objective == pytest.approx(340, rel=1e-9)
    sinks = out.plan.sinks.set_index(["sink_id", "period"])
    assert sinks.loc[("A", 2030), "cumulative_mt"] == pytest.approx(25)
    src = out.plan.sources.set_index(["source_id", "period"])["captured_mtpa"]
    assert src.get(("S2", 2025), 0) == 0 and src[("S2", 2030)] == pytest.approx(4)


def test_wells_are_integer(tmp_path, solver):
    """A sink with 0.8 Mt/yr wells at 3 MUSD each (crf 0.1 → 0.3/yr) and 0.1 MUSD/yr O&M:
    2 Mt/yr needs ceil(2/0.8) = 3 wells → 3·0.4 = 1.2 MUSD/yr."""
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 5, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 10,
                **FREE_SINK, "well_capacity_mtpa": 0.8, "well_capex_musd": 3,
                "well_fixed_om_musd_per_yr": 0.1}],
        corridors=[{"from": "S", "to": "K", "length_km": 10}],
        pipe_classes=[{"name": "free", "capacity_mtpa": 10, "capex_musd_per_unit": 0}],
    ), target=[2])
    assert out.result.objective == pytest.approx(1.2, rel=1e-9)
    assert out.plan.sinks["wells"].tolist() == [3]


def test_generic_corridor_has_exactly_its_own_costs(tmp_path, solver):
    """A corridor with capacity 5, fixed cost 40 MUSD and 3 $/t is one generic pipe: 3 Mt/yr
    cost 0.1·40 + 3·3 = 13 MUSD/yr — no pipe-class cost and no O&M is added (the class
    here would cost 1000 MUSD/km if it were)."""
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 5, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 10,
                **FREE_SINK}],
        corridors=[{"from": "S", "to": "K", "length_km": 100, "capacity_mtpa": 5,
                    "fixed_cost_musd": 40, "variable_cost_usd_per_t": 3}],
        pipe_classes=[{"name": "dear", "capacity_mtpa": 10, "capex_musd_per_unit": 1000,
                       "om_fraction_per_yr": 0.5}],
    ), target=[3])
    assert out.result.objective == pytest.approx(13.0, rel=1e-9)


def test_sized_class_pays_per_mtpa_of_capacity(tmp_path, solver):
    """A SimCCS-style linear trend: 0.5 + 0.1·Q MUSD per unit of cost weight (cost weight
    20), up to 10 Mt/yr. Carrying 6 Mt/yr: 20·(0.5 + 0.1·6) = 22 MUSD → 2.2 MUSD/yr."""
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 8, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 10,
                **FREE_SINK}],
        corridors=[{"from": "S", "to": "K", "length_km": 100, "cost_weight": 20}],
        pipe_classes=[{"name": "trend", "capacity_mtpa": 10, "capex_musd_per_unit": 0.5,
                       "capex_musd_per_unit_per_mtpa": 0.1}],
    ), target=[6])
    assert out.result.objective == pytest.approx(2.2, rel=1e-9)
    assert out.plan.pipelines["capacity_mtpa"].tolist() == pytest.approx([6])


def test_price_mode_stores_only_what_pays(tmp_path, solver):
    """Price mode, 30 $/t credit: source A captures at 20 $/t (pays), B at 40 $/t (does not).
    Free pipes and sink. Objective −(30−20)·5 = −50 MUSD/yr, storing 5 Mt/yr."""
    write_network(tmp_path / "net",
                  sources=[{"id": "A", "lon": 0, "lat": 0, "capacity_mtpa": 5, **FREE_SOURCE,
                            "capture_cost_usd_per_t": 20},
                           {"id": "B", "lon": 0, "lat": 1, "capacity_mtpa": 5, **FREE_SOURCE,
                            "capture_cost_usd_per_t": 40}],
                  sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000,
                          "max_injection_mtpa": 20, **FREE_SINK}],
                  corridors=[{"from": "A", "to": "K", "length_km": 1},
                             {"from": "B", "to": "K", "length_km": 1}],
                  pipe_classes=[{"name": "free", "capacity_mtpa": 20, "capex_musd_per_unit": 0}])
    case = write_case(tmp_path / "case.toml", "net", [2025], price=30, finance=NO_DISCOUNT)
    out = run(*load_case(case), solver=solver, mip_gap=0.0)
    assert out.result.status == "optimal"
    assert out.result.objective == pytest.approx(-50, rel=1e-9)
    assert out.plan.stored_mtpa.tolist() == pytest.approx([5])
    assert out.plan.npv_musd["revenue"] == pytest.approx(-150)


def test_max_pipes_per_corridor(tmp_path, solver):
    """The hand network of test_source_junction_two_sinks with at most one pipe per
    corridor: the trunk S–J can no longer be two small pipes (200 MUSD) and must be one
    big (300 MUSD), so the optimum rises by 0.1·(300 − 200) = 10 to 134 MUSD/yr.
    """
    out = _solve(tmp_path, solver, hand_network(), target=[8],
                 pipeline={"max_pipes_per_corridor": 1})
    assert out.result.objective == pytest.approx(134.0, abs=1e-6)
    p = out.plan.pipelines.set_index(["from", "to"])
    assert p.loc[("S", "J"), "pipes"] == 1 and p.loc[("S", "J"), "pipe_class"] == "big"


def test_the_rows_of_a_corridor_add_up_to_its_flow(tmp_path):
    """S (10 Mt/yr) → K over one corridor with 5 Mt/yr already in service; target 8, so one
    small pipe (5 Mt/yr) is laid beside it. plan_pipelines.csv has a row for the existing
    line and one for the new pipe, each carrying the corridor's 8 Mt/yr in proportion to
    its capacity (4 and 4): summing the column gives the corridor's flow."""
    write_network(
        tmp_path / "net",
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 10,
                **FREE_SINK}],
        corridors=[{"from": "S", "to": "K", "length_km": 10, "existing_capacity_mtpa": 5}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1}])
    case = write_case(tmp_path / "c.toml", "net", [2025], target=[8], finance=NO_DISCOUNT,
                      solver={"mip_gap": 0.0})
    p = run(*load_case(case)).plan.pipelines.set_index("pipe_class")
    assert p.loc["existing", "flow_mtpa"] == pytest.approx(4.0)
    assert (p.loc["small", "pipes"], p.loc["small", "flow_mtpa"]) == (1, pytest.approx(4.0))
    assert p["flow_mtpa"].sum() == pytest.approx(8.0)
