"""The site floor (optimize.floor): the model without transport bounds the site costs of
every plan from below. By hand: it lifts the LP relaxation to the MILP's optimum where
the relaxation equipped a fraction of a source. On random networks, over one and two
periods, in target and price mode: the optimum with the floor row is the optimum without
it, and the optimal plan's site costs are at least the floor."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import FREE_SINK, FREE_SOURCE, NO_DISCOUNT, load_case, write_case, write_network
from hypothesis import given, settings
from hypothesis import strategies as st
from test_directed import CLASSES, _networks

from ccusplan.optimize import build, prepare, run
from ccusplan.optimize.floor import add_floor, site_cost, site_floor
from ccusplan.optimize.pulp_backend import solve_model, to_pulp
from ccusplan.optimize.warmstart import lp_support_start
from ccusplan.optimize.options import SolveOptions


def _fixed_or_variable(tmp_path: Path, target_mtpa: float = 12.0, reachable: bool = True) -> Path:
    """Sources F1 and F2: 10 Mt/yr each, 100 MUSD of capture capex and nothing per tonne;
    source V: 10 Mt/yr at 4 USD/t and no capex. All beside sink K on existing lines
    (transport is free). crf 0.1, no discounting, one year, target 12 Mt/yr.

    The plan: F1 and 2 Mt/yr from V, 0.1 · 100 + 2 · 4 = 18 MUSD (F1 and F2: 20). The LP
    relaxation equips F1 and a fifth of F2 instead, 10 + 2 = 12 MUSD; the model without
    transport, a MILP, pays for whole sources: floor 18. Not ``reachable``: the sources'
    lines join them to one another and K to a junction J, so no CO2 reaches K."""
    fixed = {**FREE_SOURCE, "capture_capex_musd": 100}
    write_network(
        tmp_path / "net",
        sources=[{"id": "F1", "lon": 0, "lat": 0, "capacity_mtpa": 10, **fixed},
                 {"id": "F2", "lon": 0, "lat": 0.5, "capacity_mtpa": 10, **fixed},
                 {"id": "V", "lon": 0, "lat": 1, "capacity_mtpa": 10, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 4}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 30,
                **FREE_SINK}],
        junctions=None if reachable else [{"id": "J", "lon": 1, "lat": 1}],
        corridors=[{"from": s, "to": "K" if reachable else t, "length_km": 5,
                    "existing_capacity_mtpa": 30}
                   for s, t in (("F1", "F2"), ("F2", "V"), ("V", "F1"))]
        + ([] if reachable else [{"from": "K", "to": "J", "length_km": 5}]),
        pipe_classes=CLASSES[:1])
    return write_case(tmp_path / "case.toml", "net", [2025], target=[target_mtpa],
                      finance=NO_DISCOUNT)


def test_floor_lifts_the_relaxation_by_hand(tmp_path, solver):
    inst = prepare(*load_case(_fixed_or_variable(tmp_path)))
    floor = site_floor(inst, SolveOptions(solver, time_limit_s=60))
    assert floor == pytest.approx(18.0, abs=1e-6)
    form = build(inst)
    before = solve_model(to_pulp(form.lp), SolveOptions(solver), relax=True)
    assert before.objective == pytest.approx(12.0, abs=1e-6)
    add_floor(form, floor)
    after = solve_model(to_pulp(form.lp), SolveOptions(solver), relax=True)
    assert after.objective == pytest.approx(18.0, abs=1e-4)
    milp = solve_model(to_pulp(form.lp), SolveOptions(solver, mip_gap=0.0))
    assert milp.objective == pytest.approx(18.0, abs=1e-4)


def test_floor_ignores_the_network(tmp_path):
    """Without transport a sink nobody can reach still counts: the floor is a relaxation.
    With no line to K the build-out is infeasible; its floor is still 18."""
    inst = prepare(*load_case(_fixed_or_variable(tmp_path, reachable=False)))
    assert site_floor(inst, SolveOptions(time_limit_s=60)) == pytest.approx(18.0, abs=1e-6)
    assert solve_model(to_pulp(build(inst).lp)).status == "infeasible"


def test_no_floor_when_the_sites_cannot_meet_the_target(tmp_path):
    inst = prepare(*load_case(_fixed_or_variable(tmp_path, target_mtpa=35.0)))
    assert site_floor(inst, SolveOptions(time_limit_s=60)) is None


def test_run_reports_the_same_optimum_with_and_without_floor(tmp_path, solver):
    """``site_floor=True`` adds the row (it is off by default) and keeps the optimum."""
    assert not load_case(_fixed_or_variable(tmp_path))[0].solver.site_floor
    case = _fixed_or_variable(tmp_path)
    with_floor = run(*load_case(case), solver=solver, mip_gap=0.0, site_floor=True)
    without = run(*load_case(case), solver=solver, mip_gap=0.0, site_floor=False)
    assert "site_floor" in with_floor.formulation.lp.row_blocks
    assert "site_floor" not in without.formulation.lp.row_blocks
    assert with_floor.result.objective == pytest.approx(18.0, abs=1e-4)
    assert without.result.objective == pytest.approx(18.0, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(_networks(), st.sampled_from([1, 2]))
def test_floor_keeps_the_optimum(net, n_periods):
    sources, sinks, junctions, corridors, target, price, classes = net
    periods = [2025, 2030][:n_periods]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_network(tmp / "net", sources, sinks, corridors, junctions or None, classes)
        case = write_case(tmp / "case.toml", "net", periods, period_years=5,
                          target=None if target is None else [target * (k + 1) / n_periods
                                                               for k in range(n_periods)],
                          price=None if price is None else [price] * n_periods,
                          finance={"discount_rate": 0.08})
        inst = prepare(*load_case(case))
    plain = build(inst)
    best = solve_model(to_pulp(plain.lp), SolveOptions(mip_gap=0.0))
    floor = site_floor(inst, SolveOptions(time_limit_s=60))
    if best.objective is None:
        return
    assert floor is not None
    assert site_cost(plain, best.x) >= floor - 1e-6 * max(1.0, abs(floor))
    floored = build(inst)
    add_floor(floored, floor)
    out = solve_model(to_pulp(floored.lp), SolveOptions(mip_gap=0.0))
    # the row is the floor less SLACK of it: a plan may meet it that much below the optimum
    assert out.objective == pytest.approx(best.objective, abs=2e-6 * max(1.0, abs(floor)) + 1e-6)


def test_warm_start_reports_the_lifted_bound(tmp_path):
    """The warm start solves the LP relaxation without the floor's row (12 MUSD on the
    hand case) and, since those site costs are below the floor, again with it (18): the
    bound it hands on is the lifted one, and its plan is the optimum."""
    inst = prepare(*load_case(_fixed_or_variable(tmp_path)))
    form = build(inst)
    plain = lp_support_start(inst, form, to_pulp(form.lp), SolveOptions(time_limit_s=60, mip_gap=0.0))
    assert plain.lp_bound == pytest.approx(12.0, abs=1e-6)
    form = build(inst)
    lifted = lp_support_start(inst, form, to_pulp(form.lp), SolveOptions(time_limit_s=60, mip_gap=0.0), floor=18.0)
    assert "site_floor" in form.lp.row_blocks
    assert lifted.lp_bound == pytest.approx(18.0, abs=1e-4)
    assert form.lp.arrays()["c"] @ lifted.x == pytest.approx(18.0, abs=1e-4)


def test_a_floor_the_relaxation_meets_is_left_out(tmp_path):
    """A floor of 10 MUSD under the relaxation's 12 cuts nothing off: no row."""
    inst = prepare(*load_case(_fixed_or_variable(tmp_path)))
    form = build(inst)
    warm = lp_support_start(inst, form, to_pulp(form.lp), SolveOptions(time_limit_s=60, mip_gap=0.0), floor=10.0)
    assert "site_floor" not in form.lp.row_blocks
    assert warm.lp_bound == pytest.approx(12.0, abs=1e-6)


def test_a_plan_at_the_floor_to_the_last_digit_stays_optimal(tmp_path):
    """Two sources (1 and 4 Mt/yr at 5 USD/t) and two sinks (2 Mt/yr each at 8 USD/t) on
    one spot, corridors of 10 km, a target of 4 Mt/yr: the optimum (235.72 MUSD) has
    exactly the floor's site costs. With the floor's row lowered by 1e-7 of it, HiGHS
    1.16.0 called a plan of 244.11 optimal; the row keeps the optimum."""
    src = [{"id": i, "lon": 0.0, "lat": 0.0, "capacity_mtpa": cap, "capture_cost_usd_per_t": 5,
            "capture_capex_musd": 0, "capture_fixed_om_musd_per_yr": 0}
           for i, cap in (("S0", 1.0), ("S1", 4.0))]
    snk = [{"id": i, "lon": 0.0, "lat": 0.0, "capacity_mt": 1000, "max_injection_mtpa": 2.0,
            "storage_cost_usd_per_t": 8, "storage_capex_musd": 0,
            "storage_fixed_om_musd_per_yr": 0} for i in ("K0", "K1")]
    cor = [{"from": a, "to": b, "length_km": 10, "existing_capacity_mtpa": 0.0}
           for a, b in (("S0", "S1"), ("S0", "K0"), ("S0", "K1"), ("S1", "K0"))]
    classes = [{"name": "small", "capacity_mtpa": 3, "capex_musd_per_unit": 0.8,
                "capex_musd_per_unit_per_mtpa": 0.12},
               {"name": "big", "capacity_mtpa": 10, "capex_musd_per_unit": 1.6,
                "capex_musd_per_unit_per_mtpa": 0.05}]
    write_network(tmp_path / "net", src, snk, cor, None, classes)
    inst = prepare(*load_case(write_case(tmp_path / "case.toml", "net", [2025], period_years=5,
                                         target=[4.0], finance={"discount_rate": 0.08})))
    best = solve_model(to_pulp(build(inst).lp), SolveOptions(mip_gap=0.0))
    assert best.objective == pytest.approx(235.72165, abs=1e-4)
    floor = site_floor(inst, SolveOptions(time_limit_s=60))
    floored = build(inst)
    add_floor(floored, floor)
    for seed in range(3):
        out = solve_model(to_pulp(floored.lp), SolveOptions(mip_gap=0.0, seed=seed))
        assert out.objective == pytest.approx(best.objective, rel=1e-6)
