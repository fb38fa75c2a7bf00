"""Dynamic slope scaling (optimize.slope_scaling), worked by hand.

Two customers C1, C2 (1 Mt/yr each, both captured: target 2) and two warehouses W1, W2
(opening cost 10 and 11.5 MUSD, 2 Mt/yr each); serving Ci from Wi costs 1 USD/t, from
the other 2 USD/t. crf 1, one period of one year. The LP relaxation pays 5 and 5.75 per
Mt/yr a warehouse serves, so it sends each customer to its own warehouse (C2: 1 + 5.75
< 2 + 5) and opens each half (5 + 5.75 + 2 = 12.75 MUSD); rounded up it opens both
(10 + 11.5 + 2 = 23.5). Rescaled, each warehouse costs its opening cost per Mt/yr it
served (10 and 11.5): C2 now goes to W1 (2 + 10 < 1 + 11.5), and the LP's solution opens
W1 alone: 10 + 1 + 2 = 13 MUSD, the optimum (W2 alone: 11.5 + 1 + 2 = 14.5).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import FREE_SOURCE, load_case, write_case, write_network

from ccusplan.optimize import build, prepare
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp
from ccusplan.optimize.slope_scaling import PATIENCE, slope_scaled_plan
from ccusplan.optimize.warmstart import _rounded_up


def _two_warehouses(tmp_path):
    unit = {("C1", "W1"): 1, ("C1", "W2"): 2, ("C2", "W1"): 2, ("C2", "W2"): 1}
    write_network(
        tmp_path / "net",
        sources=[{"id": c, "lon": i, "lat": 0, "capacity_mtpa": 1, **FREE_SOURCE}
                 for i, c in enumerate(("C1", "C2"))],
        sinks=[{"id": w, "lon": i, "lat": 1, "capacity_mt": 100, "max_injection_mtpa": 2,
                "storage_cost_usd_per_t": 0, "storage_capex_musd": f,
                "storage_fixed_om_musd_per_yr": 0} for i, (w, f) in enumerate((("W1", 10),
                                                                                ("W2", 11.5)))],
        corridors=[{"from": c, "to": w, "length_km": 1, "capacity_mtpa": 2,
                    "fixed_cost_musd": 0, "variable_cost_usd_per_t": u}
                   for (c, w), u in unit.items()])
    case = write_case(tmp_path / "cflp.toml", "net", [2025], target=[2.0],
                      finance={"crf": 1.0, "discount_rate": 0.0})
    return prepare(*load_case(case))


def test_slope_scaling_finds_the_optimum_that_rounding_up_misses(tmp_path, solver):
    inst = _two_warehouses(tmp_path)
    form = build(inst)
    model = to_pulp(form.lp)
    c = form.lp.arrays()["c"]
    opts = SolveOptions(solver, threads=1)
    lp = solve_model(model, opts, relax=True)
    assert lp.objective == pytest.approx(12.75)
    rounded = _rounded_up(form, model, lp.x, opts)
    assert c @ rounded == pytest.approx(23.5)
    plan = slope_scaled_plan(form.lp, lp.x, opts, lambda x, o: _rounded_up(form, model, x, o),
                             time.perf_counter() + 60)
    assert c @ plan == pytest.approx(13.0)
    assert solve_model(model, opts.but(mip_gap=0.0)).objective == pytest.approx(13.0)
    b = form.lp.blocks
    assert np.round(plan[b["sink_open"]].ravel()).tolist() == [1.0, 0.0]


def test_slope_scaling_gives_nothing_after_its_deadline(tmp_path):
    inst = _two_warehouses(tmp_path)
    form = build(inst)
    model = to_pulp(form.lp)
    lp = solve_model(model, SolveOptions(threads=1), relax=True)
    assert slope_scaled_plan(form.lp, lp.x, SolveOptions(threads=1),
                             lambda x, o: _rounded_up(form, model, x, o),
                             time.perf_counter() - 1.0) is None


def test_slope_scaling_stops_when_its_plans_do_not_beat_the_plan_at_hand(tmp_path):
    """A plan at hand cheaper than any slope-scaled one (the optimum is 13.0): the first
    LP's plan does not beat it, and the procedure ends there (without a plan at hand it
    would go on to a second LP, which repeats the first), with nothing; one dearer than
    the optimum is beaten."""
    inst = _two_warehouses(tmp_path)
    form = build(inst)
    model = to_pulp(form.lp)
    c = form.lp.arrays()["c"]
    opts = SolveOptions(threads=1)
    lp = solve_model(model, opts, relax=True)
    rounded = []

    def round_up(x, o):
        rounded.append(x)
        return _rounded_up(form, model, x, o)

    deadline = time.perf_counter() + 60
    assert slope_scaled_plan(form.lp, lp.x, opts, round_up, deadline, bar=12.9) is None
    assert len(rounded) == 1
    rounded.clear()
    slope_scaled_plan(form.lp, lp.x, opts, round_up, deadline)
    assert 1 < len(rounded) <= PATIENCE
    plan = slope_scaled_plan(form.lp, lp.x, opts, round_up, deadline, bar=20.0)
    assert c @ plan == pytest.approx(13.0)


def test_no_lp_is_started_that_cannot_end_before_the_deadline(tmp_path):
    """Each LP and its plan take at least 0.6 s here, and the deadline is 1 s away: after
    the first, 0.4 s are left, and no second LP is started (it would be, and would
    repeat the first, without the rule)."""
    inst = _two_warehouses(tmp_path)
    form = build(inst)
    model = to_pulp(form.lp)
    opts = SolveOptions(threads=1)
    lp = solve_model(model, opts, relax=True)
    rounded = []

    def slow_round_up(x, o):
        rounded.append(x)
        time.sleep(0.6)
        return _rounded_up(form, model, x, o)

    slope_scaled_plan(form.lp, lp.x, opts, slow_round_up, time.perf_counter() + 1.0)
    assert len(rounded) == 1
