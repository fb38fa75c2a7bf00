"""Polishing a plan's transport design with its sites fixed (ccusplan.optimize.polish):
worked by hand on the hand network, and on random networks against the plan it starts
from and against the fixed-site problem solved to optimality."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from conftest import NO_DISCOUNT, draw_network, hand_network, load_case, write_case, write_network
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccusplan.optimize import run
from ccusplan.optimize.formulation import build
from ccusplan.optimize.instance import prepare
from ccusplan.optimize.polish import drop_idle_pipes, polish

polish_module = importlib.import_module("ccusplan.optimize.polish")
from ccusplan.optimize.pulp_backend import solve_model, to_pulp
from ccusplan.optimize.result import SolveResult
from ccusplan.optimize.options import SolveOptions


def _feasible(lp, x, tol=1e-6) -> bool:
    a = lp.arrays()
    ax = a["A"] @ x
    return bool((ax >= a["row_lo"] - tol).all() and (ax <= a["row_hi"] + tol).all()
                and (x >= a["col_lo"] - tol).all() and (x <= a["col_hi"] + tol).all())


def _hand(tmp_path, extra_corridor: bool = True):
    net = hand_network()
    if extra_corridor:  # S–K2 direct, 200 km: never worth a pipe
        net["corridors"] = net["corridors"] + [{"from": "S", "to": "K2", "length_km": 200}]
    write_network(tmp_path / "net", **net)
    case = write_case(tmp_path / "hand.toml", "net", [2025], target=[8],
                      finance=NO_DISCOUNT, solver={"mip_gap": 0.0})
    return load_case(case)


def _option(inst, a: str, b: str, cls: str) -> int:
    ids = list(inst.node_ids)
    ends = {ids.index(a), ids.index(b)}
    for o, e in enumerate(inst.opt_corridor):
        if {inst.cor_from[e], inst.cor_to[e]} == ends and inst.opt_class[o] == cls:
            return o
    raise KeyError((a, b, cls))


def test_a_plan_with_oversized_and_idle_pipes_is_polished_to_the_hand_optimum(tmp_path,
                                                                            monkeypatch):
    """The hand optimum (124 MUSD: transport 33 = trunk S–J two small pipes 20, J–K1 one
    small 5, K2–J one small 8) spoilt three ways: a big pipe for the trunk (30 instead of
    20), a big one J–K1 (15 instead of 5), and a small pipe S–K2 over 200 km that carries
    nothing (20): 164 MUSD, transport 73. Polished, with the sites fixed: 124 again,
    transport 73 → 33, proven (transport gap ≤ 0.1 %)."""
    case, network = _hand(tmp_path)
    inst = prepare(case, network)
    form = build(inst, directed=False)
    model = to_pulp(form.lp)
    best = solve_model(model, SolveOptions(mip_gap=0.0))
    assert best.objective == pytest.approx(124.0)
    x = best.x.copy()
    n = form.lp.blocks["pipes"][:, 0]
    x[n[_option(inst, "S", "J", "small")]] = 0
    x[n[_option(inst, "S", "J", "big")]] = 1
    x[n[_option(inst, "J", "K1", "small")]] = 0
    x[n[_option(inst, "J", "K1", "big")]] = 1
    x[n[_option(inst, "S", "K2", "small")]] = 1
    c = form.lp.arrays()["c"]
    assert c @ x == pytest.approx(164.0) and _feasible(form.lp, x)

    idle_gone = drop_idle_pipes(inst, form, x)
    assert c @ idle_gone == pytest.approx(144.0) and _feasible(form.lp, idle_gone)

    start = SolveResult("feasible", float(c @ x), None, None, x, "", 0.0)
    p = polish(inst, form, start, SolveOptions(time_limit_s=30))
    assert p.transport_before_musd == pytest.approx(73.0)
    assert p.objective == pytest.approx(124.0) and p.transport_musd == pytest.approx(33.0)
    assert p.transport_gap is not None and p.transport_gap <= 1e-3
    assert _feasible(form.lp, p.x)
    sites = form.site_columns()
    assert np.allclose(p.x[sites], x[sites])  # the sites stay as they were

    # the spoilt plan's flows are the optimum's: re-sizing alone (no time to re-route)
    # finds the 124, in one group of corridors or one corridor a group
    for columns in (10**6, 1):
        monkeypatch.setattr(polish_module, "RESIZE_GROUP_COLUMNS", columns)
        p = polish(inst, form, start, SolveOptions(time_limit_s=1e-6), resize_s=30)
        assert p.objective == pytest.approx(124.0) and _feasible(form.lp, p.x)


def test_plans_improved_beside_the_followed_milp_are_its_plans(tmp_path):
    """Beside polishing's MILP (each source's flow followed, :mod:`.source_flows`), a plan
    it hands over is re-sized on its first columns and its sources' flows followed again:
    the hand optimum (124 MUSD) spoilt with a big trunk pipe and a big J–K1 pipe (144,
    here with the extension's columns at 0, which break its rows) comes back as a plan of
    the extended model, re-sized to 124."""
    from ccusplan.optimize.source_flows import SourceFlows

    case, network = _hand(tmp_path)
    inst = prepare(case, network)
    form = build(inst, directed=False)
    best = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0))
    x = best.x.copy()
    n = form.lp.blocks["pipes"][:, 0]
    for a, b, small, big in (("S", "J", 0, 1), ("J", "K1", 0, 1)):
        x[n[_option(inst, a, b, "small")]], x[n[_option(inst, a, b, "big")]] = small, big
    c = form.lp.arrays()["c"]
    ext = build(inst, directed=False, source_flows=SourceFlows(2, x[form.lp.blocks["capture"]]))
    given = np.r_[x, np.zeros(ext.lp.n_cols - len(x))]
    assert not _feasible(ext.lp, given)
    improver = polish_module._Followed(
        polish_module.Resizer(inst, form, SolveOptions()), ext, len(x))
    out = improver.step(given, 10.0)
    assert out is not None and len(out) == ext.lp.n_cols and _feasible(ext.lp, out)
    assert c @ x == pytest.approx(144.0) and c @ out[:len(x)] == pytest.approx(124.0)
    assert improver.idle(out)


def test_polish_is_reported_and_can_be_turned_off(tmp_path):
    """Solved to 0 gap, the hand case's transport (33 MUSD) is certified by the MILP's
    bound alone; with polishing off there is no certificate."""
    case, network = _hand(tmp_path, extra_corridor=False)
    on = run(case, network)
    assert on.polished is not None and on.result.objective == pytest.approx(124.0)
    assert on.polished.transport_musd == pytest.approx(33.0)
    # proven by the MILP's own bound (124) less the sites' cost (91): no re-routing needed
    assert on.polished.transport_bound_musd == pytest.approx(33.0)
    off = run(case, network, polish=False)
    assert off.polished is None and off.result.objective == pytest.approx(124.0)


@st.composite
def _networks(draw):
    net = draw_network(draw, draw(st.integers(1, 3)))
    total = sum(s["capacity_mtpa"] for s in net["sources"])
    periods = draw(st.sampled_from([1, 2]))
    return net, [round(total * f, 3) for f in ((0.6,) if periods == 1 else (0.3, 0.6))]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_networks())
def test_polish_never_costs_more_and_its_bound_holds(tmp_path_factory, drawn):
    """On random networks, from the MILP's plan at a 30 % gap: the polished plan is
    feasible, keeps the sites, costs no more, and its transport bound is no more than
    the optimum transport for those sites (the fixed-site problem solved to 0 gap)."""
    net, target = drawn
    tmp = tmp_path_factory.mktemp("polish")
    write_network(tmp / "net", **net)
    periods = [2025] if len(target) == 1 else [2025, 2030]
    case, network = load_case(write_case(tmp / "c.toml", "net", periods, target=target,
                                         period_years=5, finance=NO_DISCOUNT))
    inst = prepare(case, network)
    form = build(inst)
    model = to_pulp(form.lp)
    start = solve_model(model, SolveOptions(mip_gap=0.3))
    if start.x is None:
        return
    p = polish(inst, form, start, SolveOptions(time_limit_s=30))
    assert _feasible(form.lp, p.x)
    sites = form.site_columns()
    assert np.allclose(p.x[sites], np.where(form.lp.arrays()["integer"][sites],
                                            np.round(start.x[sites]), start.x[sites]))
    assert p.objective <= start.objective + 1e-6
    arr = form.lp.arrays()
    lo, hi = arr["col_lo"].copy(), arr["col_hi"].copy()
    # the plan's sites to the solver's tolerance: held as they come, a sink's 3.00000007
    # Mt/yr (the MILP's 3) would need a pipe larger than a 3-Mt/yr one
    lo[sites] = hi[sites] = np.round(p.x[sites], 6)
    exact = solve_model(model, SolveOptions(mip_gap=0.0), col_lo=lo, col_hi=hi)
    site_cost = p.objective - p.transport_musd
    assert p.transport_bound_musd is not None
    assert p.transport_bound_musd <= exact.objective - site_cost + 1e-3
    assert p.transport_musd >= exact.objective - site_cost - 1e-3


def test_the_transport_gap_is_written_printed_and_shown_in_the_report(tmp_path, monkeypatch):
    """The hand optimum, polished: transport 33 MUSD before and after, its bound and gap
    in summary.json, printed after the solve and on the report's solution card; with
    ``polish = false`` the keys are null and nothing is printed."""
    import json

    from test_cli import hand_case, invoke, said

    monkeypatch.chdir(tmp_path)
    r = invoke("solve", hand_case(tmp_path), "--out", "res", "--report")
    assert r.exit_code == 0, said(r)
    s = json.loads((tmp_path / "res" / "summary.json").read_text())
    assert s["transport_musd_before_polish"] == pytest.approx(33.0)
    assert s["transport_musd"] == pytest.approx(33.0)
    assert s["transport_bound_musd"] <= 33.0 + 1e-6 and 0 <= s["transport_gap"] <= 1e-3
    assert "transport design polished for the chosen sites: 33.00 → 33.00" in said(r)
    assert "transport gap" in (tmp_path / "res" / "report.html").read_text()

    r = invoke("solve", hand_case(tmp_path / "off", solver={"mip_gap": 0.0, "polish": False}),
               "--out", "res-off")
    assert r.exit_code == 0, said(r)
    s = json.loads((tmp_path / "res-off" / "summary.json").read_text())
    assert s["transport_musd"] is None and s["transport_gap"] is None
    assert "polished" not in said(r)


def test_a_re_route_that_overran_its_time_is_still_re_sized(tmp_path, monkeypatch):
    """A re-route stopped at its limit is re-sized again with at least twice the time the
    first re-sizing took, even when the re-route used up all the time polishing had (on
    the reduced China case a re-route that overran left re-sizing nothing, and a 48" pipe
    carrying 5.29 Mt/yr stayed in the plan)."""
    import time
    from dataclasses import replace

    case, network = _hand(tmp_path)
    inst = prepare(case, network)
    form = build(inst, directed=False)
    model = to_pulp(form.lp)
    start = solve_model(model, SolveOptions(mip_gap=0.0))
    c = form.lp.arrays()["c"]
    x = start.x.copy()
    n = form.lp.blocks["pipes"][:, 0]
    x[n[_option(inst, "S", "K2", "small")]] = 1  # idle: something to polish
    spoilt = SolveResult("feasible", float(c @ x), None, None, x, "", 0.0)

    real_solve, real_resize = polish_module.solve_model, polish_module.resize
    limits = []

    def overrun(model, opts, **kw):  # the re-route: past its limit, stopped there
        if opts.phase != "polish" or kw.get("relax"):  # re-sizing's own solves, the LP
            return real_solve(model, opts, **kw)
        r = real_solve(model, opts.but(time_limit_s=None), **kw)
        time.sleep(opts.time_limit_s + 0.2)
        return replace(r, status="feasible", solve_seconds=opts.time_limit_s + 0.2,
                       termination="time_limit")

    def recorded(inst, form, x, opts):
        out, seconds = real_resize(inst, form, x, opts)
        limits.append((opts.time_limit_s, seconds))
        return out, seconds

    monkeypatch.setattr(polish_module, "solve_model", overrun)
    monkeypatch.setattr(polish_module, "resize", recorded)
    # no cut-sets: with them the LP relaxation proves the plan and the MILP never runs
    monkeypatch.setattr("ccusplan.optimize.cut_sets.MAX_SET_NODES", 0)
    p = polish(inst, form, spoilt, SolveOptions(time_limit_s=3.0))
    assert len(limits) == 2
    (_, first_s), (last_limit, _) = limits
    assert p.seconds > 3.0 and last_limit >= 2 * first_s > 0
    assert p.objective == pytest.approx(124.0) and _feasible(form.lp, p.x)


def test_flows_that_cancel_are_cancelled_before_re_sizing(tmp_path):
    """S → J1 → K, one small pipe each (5 Mt/yr for 10 MUSD per 100 km), 5 Mt/yr captured
    at 10 USD/t and stored at 1: 50 + 10 + 10 + 5 = 75 MUSD; J2 hangs off J1 (50 km) and
    K (200 km). With 2 Mt/yr sent from J1 to J2 and 2 back, J1–J2 holds a small pipe (5)
    for flows that cancel: 80. Re-sized, those flows are dropped first, the corridor is
    idle and its pipe goes: 75 again."""
    from conftest import FREE_SINK, FREE_SOURCE

    write_network(
        tmp_path / "net",
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 10}],
        sinks=[{"id": "K", "lon": 2, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 10,
                **FREE_SINK, "storage_cost_usd_per_t": 1}],
        junctions=[{"id": "J1", "lon": 1, "lat": 0}, {"id": "J2", "lon": 1, "lat": 0.5}],
        corridors=[{"from": "S", "to": "J1", "length_km": 100},
                   {"from": "J1", "to": "K", "length_km": 100},
                   {"from": "J1", "to": "J2", "length_km": 50},
                   {"from": "J2", "to": "K", "length_km": 200}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1},
                      {"name": "big", "capacity_mtpa": 20, "capex_musd_per_unit": 3}])
    case, network = load_case(write_case(tmp_path / "c.toml", "net", [2025], target=[5],
                                         finance=NO_DISCOUNT, solver={"mip_gap": 0.0}))
    inst = prepare(case, network)
    form = build(inst, directed=False)
    best = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0))
    c = form.lp.arrays()["c"]
    assert best.objective == pytest.approx(75.0)
    ids = list(inst.node_ids)
    spur = next(e for e in range(len(inst.cor_from))
                if {inst.cor_from[e], inst.cor_to[e]} == {ids.index("J1"), ids.index("J2")})
    b = form.lp.blocks
    x = best.x.copy()
    x[b["flow_fwd"][spur, 0]] += 2.0
    x[b["flow_rev"][spur, 0]] += 2.0
    x[b["pipes"][_option(inst, "J1", "J2", "small"), 0]] = 1
    assert c @ x == pytest.approx(80.0) and _feasible(form.lp, x)
    out, _ = polish_module.resize(inst, form, x, SolveOptions(time_limit_s=30))
    assert c @ out == pytest.approx(75.0) and _feasible(form.lp, out)
    assert np.all(form.flows(out)[:, spur] == 0.0)
