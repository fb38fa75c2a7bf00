"""The warm start's connections step: the cheapest paths it opens, and the plan it finds.

Worked by hand on a small graph; on SimCCS's price scenario the restricted MILP over the
LP's support alone cannot reach the optimum (it never opens sink 2), and with the
connections it reaches SimCCS's published optimum.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import load_case

from ccusplan.optimize import build, prepare
from ccusplan.optimize.pulp_backend import to_pulp
from ccusplan.optimize.warmstart import _connections, lp_support_start
from ccusplan.optimize.options import SolveOptions

CASES = Path(__file__).resolve().parents[1] / "cases"


def _graph(edges, fixed, existing=None, sources=(), sinks=()):
    """An instance-like object with what :func:`_connections` reads: one pipe option
    per corridor at the given fixed cost."""
    E = len(edges)
    return SimpleNamespace(
        cor_from=np.array([a for a, _ in edges]), cor_to=np.array([b for _, b in edges]),
        opt_corridor=np.arange(E), opt_capex_musd=np.asarray(fixed, float),
        cor_existing_mtpa=np.zeros(E) if existing is None else np.asarray(existing, float),
        src_node=np.array(sources, int), src_may_capture=np.ones((len(sources), 1), bool),
        snk_node=np.array(sinks, int), snk_available=np.ones((len(sinks), 1), bool),
        cor_leased=np.zeros(E, bool), cor_fixed_musd_per_yr=np.zeros(E), crf_pipeline=0.1)


def test_connections_take_each_site_s_cheapest_path_to_the_support():
    #   0 —e0— 1 (support)      sink at 4: 1 —e1(5)— 4 directly, or 1 —e2(1)— 3 —e3(1)— 4
    #   source at 5: 0 —e4(2)— 5;  source at 1 is on the support already
    edges = [(0, 1), (1, 4), (1, 3), (3, 4), (0, 5)]
    inst = _graph(edges, [1, 5, 1, 1, 2], sources=[1, 5], sinks=[4])
    support = np.array([True, False, False, False, False])
    assert _connections(inst, support).tolist() == [False, False, True, True, True]


def test_connections_keep_the_cheapest_parallel_corridor_and_use_existing_pipe_for_free():
    # two corridors join 0 and 2 (fixed 9 and 3); 1 —e3(4)— 2; support 0 —e0— 1; sink at 2
    edges = [(0, 1), (0, 2), (0, 2), (1, 2)]
    support = np.array([True, False, False, False])
    inst = _graph(edges, [1, 9, 3, 4], sinks=[2])
    assert _connections(inst, support).tolist() == [False, False, True, False]
    inst = _graph(edges, [1, 9, 3, 4], existing=[0, 0, 0, 5], sinks=[2])  # e3 has a pipe
    assert _connections(inst, support).tolist() == [False, False, False, True]
    assert not _connections(inst, np.zeros(4, bool)).any()  # no support: nothing to join


def test_price_scenario_start_is_simccs_optimum():
    """LP support alone: −462.28 $M/yr (sinks 3, 4, 6); with the connections the restricted
    MILP swaps sink 4 for sink 2 and reaches SimCCS's −473.62567 (CPLEX, gap 1e-4)."""
    case, net = load_case(CASES / "southeastus-price.toml")
    inst = prepare(case, net)
    form = build(inst)
    warm = lp_support_start(inst, form, to_pulp(form.lp), SolveOptions(time_limit_s=60.0, mip_gap=1e-4, threads=1))
    assert warm.lp_bound == pytest.approx(-522.0296, abs=1e-3)
    lp = form.lp.arrays()
    x = warm.x
    assert np.all(x >= lp["col_lo"] - 1e-7) and np.all(x <= lp["col_hi"] + 1e-7)
    rows = lp["A"] @ x
    assert np.all(rows >= lp["row_lo"] - 1e-6) and np.all(rows <= lp["row_hi"] + 1e-6)
    k = lp["integer"]
    assert np.allclose(x[k], np.round(x[k]), atol=1e-6)
    assert float(lp["c"] @ x) == pytest.approx(-473.62566802, rel=1e-4)


def test_the_restricted_milps_beside_branch_and_bound_reach_the_same_optimum():
    """Left to run beside branch and bound, the warm start hands on the re-sized round-up
    and its two restrictions; solved in turn as an improver's steps from that plan, they
    reach SimCCS's price optimum as the warm start's own restricted MILPs do."""
    from ccusplan.optimize.polish import Resizer
    from ccusplan.optimize.warmstart import SupportSearch

    case, net = load_case(CASES / "southeastus-price.toml")
    inst = prepare(case, net)
    form = build(inst)
    model = to_pulp(form.lp)
    opts = SolveOptions(time_limit_s=60.0, mip_gap=1e-4, threads=1)
    warm = lp_support_start(inst, form, model, opts, beside=True)
    c = form.lp.arrays()["c"]
    assert len(warm.restrictions) == 2
    assert float(c @ warm.x) > -473.0  # the round-up: not the optimum yet
    search = SupportSearch(inst, form, model, opts, warm.restrictions,
                           Resizer(inst, form, opts, warm.x), seconds=60.0)
    x, steps = warm.x, 0
    while not search.idle(x) and steps < 10:
        better, steps = search.step(x, 60.0), steps + 1
        x = x if better is None else better
    assert search.idle(x)
    assert float(c @ x) == pytest.approx(-473.62566802, rel=1e-4)
    lp = form.lp.arrays()
    rows = lp["A"] @ x
    assert np.all(rows >= lp["row_lo"] - 1e-6) and np.all(rows <= lp["row_hi"] + 1e-6)


def test_an_lp_slower_than_the_warm_start_still_gives_a_plan(monkeypatch):
    """On SimCCS's price scenario, with the LP relaxation made to take 2.5 s (HiGHS's own
    time plus a pause after it) and a warm-start budget of 2 s: given 5 s for the LP, the
    warm start still returns a feasible plan and the LP's bound (−522.0296), the LP
    getting its 5 s less what the backbone's plan took before it, the round-up most of a
    quarter of the budget (0.5 s) after the LP, not the 0.1 s a solve gets when the
    budget is spent."""
    import time

    ws = __import__("ccusplan.optimize.warmstart", fromlist=["solve_model"])
    real = ws.solve_model
    limits = []

    def slow_lp(model, opts, relax=False, **kw):
        whole = relax and kw.get("col_lo") is None and kw.get("col_hi") is None
        limits.append((whole, opts.time_limit_s))
        r = real(model, opts, relax=relax, **kw)
        if whole:
            time.sleep(2.5)
        return r

    monkeypatch.setattr(ws, "solve_model", slow_lp)
    case, net = load_case(CASES / "southeastus-price.toml")
    inst = prepare(case, net)
    form = build(inst)
    warm = lp_support_start(inst, form, to_pulp(form.lp),
                            SolveOptions(time_limit_s=2.0, mip_gap=1e-4, threads=1),
                            lp_time_limit_s=5.0)
    lp = [k for k, (whole, _) in enumerate(limits) if whole]
    assert len(lp) == 1 and 4.0 < limits[lp[0]][1] <= 5.0
    assert limits[lp[0] + 1][1] > 0.3  # the round-up, right after the LP
    assert warm.lp_bound == pytest.approx(-522.0296, abs=1e-3)
    lp = form.lp.arrays()
    rows = lp["A"] @ warm.x
    assert np.all(rows >= lp["row_lo"] - 1e-6) and np.all(rows <= lp["row_hi"] + 1e-6)


def test_the_start_handed_to_the_milp_has_its_pipes_re_sized(monkeypatch):
    """On the Shandong case at a 1 % gap the restricted MILP stops with pipes larger than
    its flows need; the start it hands on carries the same flows on the cheapest pipes
    (re-sizing it again finds nothing cheaper) and so costs less than the restricted
    MILP's own plan, by what re-sizing saves."""
    from ccusplan.optimize import warmstart as ws
    from ccusplan.optimize.polish import resize

    case, net = load_case(CASES / "shandong-2050.toml")
    inst = prepare(case, net)
    form = build(inst)
    c = form.lp.arrays()["c"]
    warm = lp_support_start(inst, form, to_pulp(form.lp), SolveOptions(time_limit_s=60.0, mip_gap=0.01, threads=1))
    again, _ = resize(inst, form, warm.x, SolveOptions(time_limit_s=30.0, threads=1))
    assert float(c @ again) == pytest.approx(float(c @ warm.x), abs=1e-6)
    assert np.allclose(form.flows(again), form.flows(warm.x))

    monkeypatch.setattr(ws, "resize", lambda inst, form, x, *a, **k: (x, 0.0))
    plain = lp_support_start(inst, form, to_pulp(form.lp), SolveOptions(time_limit_s=60.0, mip_gap=0.01, threads=1))
    assert float(c @ warm.x) < float(c @ plain.x) - 1.0


def test_the_round_up_kept_as_a_plan_is_re_sized(monkeypatch):
    """Where the restricted MILPs find no plan in time (the reduced China case at 120 s:
    the round-up was the plan, with 21,055 MUSD of transport where its flows need 4,688),
    the plan handed on is the round-up with its pipes re-sized: it carries the round-up's
    net flows, re-sizing it again finds nothing cheaper, and it costs less than the round-up."""
    from ccusplan.optimize import warmstart as ws
    from ccusplan.optimize.polish import resize
    from ccusplan.optimize.result import SolveResult

    real = ws.solve_model
    rounded = []

    def no_restricted_plan(model, opts, relax=False, **kw):
        if not relax:  # a restricted MILP: out of time before its first plan
            return SolveResult("no_solution", None, None, None, None, "", 0.0)
        r = real(model, opts, relax=relax, **kw)
        if kw.get("col_lo") is not None:
            rounded.append(r.x)
        return r

    monkeypatch.setattr(ws, "solve_model", no_restricted_plan)
    monkeypatch.setattr(ws, "SLOPE_SCALING_GAP", 1.0)  # not here
    monkeypatch.setattr(ws, "_backbone_plan", lambda *a: None)  # nor the backbone's plan
    case, net = load_case(CASES / "shandong-2050.toml")
    inst = prepare(case, net)
    form = build(inst)
    c = form.lp.arrays()["c"]
    warm = lp_support_start(inst, form, to_pulp(form.lp),
                            SolveOptions(time_limit_s=60.0, mip_gap=0.01, threads=1))
    assert len(rounded) == 1 and warm.x is not None
    net = lambda x: np.subtract(*form.flows(x))  # noqa: E731 - from→to less to→from
    assert np.allclose(net(warm.x), net(rounded[0]))
    assert float(c @ warm.x) < float(c @ rounded[0]) - 100.0
    again, _ = resize(inst, form, warm.x, SolveOptions(time_limit_s=30.0, threads=1))
    assert float(c @ again) == pytest.approx(float(c @ warm.x), abs=1e-6)
    lp = form.lp.arrays()
    rows = lp["A"] @ warm.x
    assert np.all(rows >= lp["row_lo"] - 1e-6) and np.all(rows <= lp["row_hi"] + 1e-6)
