"""Cut-sets, rounded (:mod:`.cut_sets`): the rounding checked against every small integer
point, the spur-and-loop network's bound worked out by hand, the optimum unchanged with
the cuts on random networks (one period with directed pipes, three with undirected),
and the bound they give polishing (:mod:`.polish`)."""

from __future__ import annotations

import importlib
import itertools

import numpy as np
import pytest
from conftest import draw_network_with_existing, instance_of, load_case, spur_and_loop
from hypothesis import given, settings
from hypothesis import strategies as st

from ccusplan.optimize import build, prepare
from ccusplan.optimize.cut_sets import add_cuts, crossings, cut_set_bound, rounded
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp
from ccusplan.optimize.result import SolveResult

polish_module = importlib.import_module("ccusplan.optimize.polish")


@settings(max_examples=200, deadline=None)
@given(a=st.lists(st.floats(0.5, 20.0), min_size=1, max_size=3), b=st.floats(0.5, 30.0),
       pick=st.integers(0, 3))
def test_the_rounding_keeps_every_integer_point(a, b, pick):
    """Every n in {0..4}^k with Σ a n ≥ b meets the rounded inequality, whichever
    divisor (one of the a, or b); and the rounding cuts off the fractional point that
    covers b with the largest a alone (fails with ⌊β⌋ for ⌈β⌉, or with f_o for
    min(f_o / f, 1))."""
    a = np.minimum(np.array(a), b)
    delta = float(np.r_[a, b][pick % (len(a) + 1)])
    coef, rhs = rounded(a, b, delta)
    for n in itertools.product(range(5), repeat=len(a)):
        if a @ np.array(n) >= b - 1e-9:
            assert coef @ np.array(n) >= rhs - 1e-9, (n, coef, rhs)


def test_the_rounding_by_hand():
    # a 13.8-Mt/yr flow over one corridor of 13.1- and 15.6-Mt/yr pipes (counted for at
    # most 13.8): divided by 13.1, β = 1.053: n_13.1 + 2 n_15.6 ≥ 2 (two small pipes or
    # one larger), where the LP relaxation's 1.053 small pipes met 13.1 n + 13.8 n' ≥ 13.8
    coef, rhs = rounded(np.array([13.1, 13.8]), 13.8, 13.1)
    assert coef.tolist() == pytest.approx([1.0, 2.0]) and rhs == 2.0
    assert coef @ np.array([13.8 / 13.1, 0.0]) < rhs


def _fixed(inst, form, x):
    arr = form.lp.arrays()
    sites = form.site_columns()
    lo, hi = arr["col_lo"].copy(), arr["col_hi"].copy()
    lo[sites] = hi[sites] = np.round(x[sites], 6)
    return lo, hi


@pytest.mark.parametrize("max_nodes, bound_musd", [
    # none: the LP relaxation (test_source_flows.py): 1.0 + 0.32 + 1.28
    (0, 2.6),
    # single nodes: B's 8 Mt/yr leave B on n_small + 3 n_big ≥ 3 (divided by 3), a whole
    # big pipe (1.6); S's 2 still ride from J on a fifth of a big one (0.32)
    (1, 1.0 + 1.6 + 0.32),
    # pairs: {S, J} sends 2 Mt/yr over J–K and J–B, n_small + n_big ≥ 1 there: a whole
    # small pipe (1.0), the integer optimum
    (2, 3.6),
])
def test_the_spur_and_loop_by_hand(tmp_path, max_nodes, bound_musd):
    inst = prepare(*load_case(spur_and_loop(tmp_path)))
    form = build(inst)
    best = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0))
    assert best.objective == pytest.approx(3.6, abs=1e-6)
    lo, hi = _fixed(inst, form, best.x)
    supply = polish_module.supply(inst, form, best.x)
    r = cut_set_bound(form.lp, lo, hi, crossings(inst, form, supply, max_nodes),
                      SolveOptions(time_limit_s=30))
    assert r.bound == pytest.approx(bound_musd, abs=1e-6)


_networks = st.composite(draw_network_with_existing)


@settings(max_examples=30, deadline=None)
@given(drawn=_networks(), periods=st.sampled_from([[2025], [2025, 2030, 2035]]),
       share=st.sampled_from([0.4, 0.8]))
def test_they_never_cut_off_the_optimum(drawn, periods, share):
    """The optimum's sites fixed: the cuts' bound is at most the transport optimum for
    them, and that optimum is unchanged with the binding cuts in the MILP (fails with
    the cuts' right sides raised by a tenth, or counting pipes laid the other way)."""
    inst = instance_of(drawn, periods, share)
    form = build(inst)
    opts = SolveOptions(mip_gap=0.0)
    best = solve_model(to_pulp(form.lp), opts)
    if best.objective is None:
        return
    lo, hi = _fixed(inst, form, best.x)
    supply = polish_module.supply(inst, form, np.round(best.x, 6))
    r = cut_set_bound(form.lp, lo, hi, crossings(inst, form, supply),
                      SolveOptions(time_limit_s=30))
    assert r.bound <= best.objective + 1e-6 * max(1.0, abs(best.objective))
    lp = form.lp.copy()
    add_cuts(lp, r.binding)
    again = solve_model(to_pulp(lp), opts, col_lo=lo, col_hi=hi)
    assert again.objective == pytest.approx(best.objective, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("hops, max_nodes, bound_musd", [
    (0, 0, 2.6), (1, 0, 2.92), (2, 0, 3.6), (0, 1, 2.92), (0, 2, 3.6)])
def test_polishing_bounds_transport_by_its_lp_relaxation(tmp_path, monkeypatch, hops,
                                                        max_nodes, bound_musd):
    """The spur-and-loop optimum (sites free of cost: all of it transport, 3.6) polished
    with no bound given and a MILP that stops without a plan or a bound: the transport
    bound is the LP relaxation's for the plan's sites, each source followed for ``hops``
    corridors (test_source_flows.py) and with the rounded cut-sets of up to
    ``max_nodes`` nodes (above); either proves the plan."""
    inst = prepare(*load_case(spur_and_loop(tmp_path)))
    form = build(inst)
    best = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0))
    start = SolveResult("feasible", best.objective, None, None, best.x, "", 0.0)
    real = polish_module.solve_model

    def milp_stopped(model, opts, **kw):
        if opts.phase != "polish" or kw.get("relax"):
            return real(model, opts, **kw)
        return SolveResult("no_solution", None, None, None, None, "", 0.0,
                           termination="time_limit_no_plan")

    monkeypatch.setattr(polish_module, "solve_model", milp_stopped)
    monkeypatch.setattr(polish_module, "SOURCE_FLOW_HOPS", hops)
    monkeypatch.setattr("ccusplan.optimize.cut_sets.MAX_SET_NODES", max_nodes)
    p = polish_module.polish(inst, form, start, SolveOptions(time_limit_s=30))
    assert p.transport_musd == pytest.approx(3.6, abs=1e-6)
    assert p.transport_bound_musd == pytest.approx(bound_musd, abs=1e-6)
