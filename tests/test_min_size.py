"""Minimum pipe sizes (formulation._min_sizes, rows ``min_size``): where a corridor
holds one pipe at most, a sized pipe never carries less than the flow below which
another class costs no more. The minimum is checked against a brute-force scan of the
classes' cost lines, the optimum with the rows against the optimum without them on
random networks, and the warm start's rounding against a plan worked out by hand."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    FREE_SINK,
    FREE_SOURCE,
    NO_DISCOUNT,
    draw_graph,
    load_case,
    write_case,
    write_network,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from ccusplan.optimize import build, prepare
from ccusplan.optimize.formulation import _min_sizes
from ccusplan.optimize.highs_backend import solve
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import to_pulp
from ccusplan.optimize.warmstart import _rounded_up

#: SimCCS's SoutheastUS trends (networks/southeastus/pipe_classes.csv)
TRENDS = [{"name": "trend 1", "capacity_mtpa": 9.04463, "capex_musd_per_unit": 0.431655132,
           "capex_musd_per_unit_per_mtpa": 0.115719152},
          {"name": "trend 2", "capacity_mtpa": 111.132, "capex_musd_per_unit": 0.770037049,
           "capex_musd_per_unit_per_mtpa": 0.078306697}]


def _one_corridor(tmp_path, classes, limit=1):
    write_network(
        tmp_path / "net",
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 20, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 20,
                **FREE_SINK}],
        corridors=[{"from": "S", "to": "K", "length_km": 50}], pipe_classes=classes)
    case = write_case(tmp_path / "case.toml", "net", [2025], target=[5], finance=NO_DISCOUNT,
                      pipeline={} if limit is None else {"max_pipes_per_corridor": limit})
    return prepare(*load_case(case))


def test_simccs_trends_by_hand(tmp_path):
    """Trend 1 costs 0.431655132 + 0.115719152 q, trend 2 0.770037049 + 0.078306697 q
    (per unit length; the same multiple on a corridor): the lines cross at
    0.338381917 / 0.037412455 = 9.0446328 Mt/yr, above trend 1's capacity 9.04463. So
    trend 1 costs no more than trend 2 up to 9.04463 Mt/yr, a trend-2 pipe is never
    sized below that, and nothing is cheaper than trend 1."""
    inst = _one_corridor(tmp_path, TRENDS)
    form = build(inst)
    floor = _min_sizes(inst, form.sized)[0]
    np.testing.assert_allclose(floor, [0.0, 9.04463], rtol=1e-12)
    rows = form.lp.row_blocks["min_size"]
    A = form.lp.arrays()["A"][rows]
    assert A[0, form.lp.blocks["pipe_size"][1, 0]] == 1.0
    assert A[0, form.lp.blocks["pipes"][1, 0]] == pytest.approx(-9.04463)
    assert "min_size_rev" in form.lp.row_blocks


def test_no_minimum_without_the_one_pipe_limit(tmp_path):
    """With room for a second pipe on the corridor, or over several periods, the swap
    is not always possible: no min_size rows."""
    form = build(_one_corridor(tmp_path, TRENDS, limit=None))
    assert not any(name.startswith("min_size") for name in form.lp.row_blocks)


def _classes(draw):
    n = draw(st.integers(2, 3))
    return [{"name": f"c{i}", "capacity_mtpa": draw(st.sampled_from([2.0, 5.0, 9.0, 30.0])),
             "capex_musd_per_unit": draw(st.sampled_from([0.2, 0.4, 0.7, 1.0])),
             "capex_musd_per_unit_per_mtpa": draw(st.sampled_from([0.0, 0.03, 0.08, 0.12]))}
            for i in range(n)]


@settings(max_examples=60, deadline=None)
@given(st.composite(_classes)())
def test_minimum_against_a_brute_force_scan(classes):
    """For each sized class o, scan q over [0, o's capacity] on a fine grid: q is below
    the minimum iff some other class p holds q (capacity ≥ q) and costs no more than o at
    0 and at q (two lines: then at every flow in between); of two identical classes only
    the first replaces the second. A minimum at or above o's capacity: o is never laid."""
    with tempfile.TemporaryDirectory() as tmp:
        inst = _one_corridor(Path(tmp), classes)
    form = build(inst)
    floor = _min_sizes(inst, form.sized)[0]
    fixed = inst.opt_capex_musd * (inst.crf_pipeline + inst.opt_om_fraction) + inst.opt_om_musd_per_yr
    per = inst.opt_capex_musd_per_mtpa * (inst.crf_pipeline + inst.opt_om_fraction)
    step = 1e-3
    for k, o in enumerate(form.sized):
        q = np.arange(0.0, inst.opt_cap_mtpa[o] + step, step)
        below = np.zeros(len(q), dtype=bool)
        for p in range(len(inst.opt_cap_mtpa)):
            if p != o:
                same = fixed[p] == fixed[o] and per[p] == per[o]
                if same and p > o:
                    continue
                below |= ((inst.opt_cap_mtpa[p] >= q) & (fixed[p] <= fixed[o])
                          & (fixed[p] + per[p] * q <= fixed[o] + per[o] * q + 1e-12))
        scanned = q[below].max() if below.any() else 0.0
        assert scanned - 1e-9 <= min(floor[k], q[-1]) <= scanned + step + 1e-9


@st.composite
def _networks(draw):
    """2–3 sources, 2 sinks and up to 2 junctions on a random connected graph, 2–3
    classes (or SimCCS's trends), a target or a price."""
    n_src, n_snk = draw(st.integers(2, 3)), 2
    ids, edges = draw_graph(draw, n_src, n_snk)
    n = len(ids)
    caps = draw(st.lists(st.sampled_from([1.0, 3.0, 6.0, 12.0]), min_size=n_src, max_size=n_src))
    corridors = [{"from": ids[a], "to": ids[b], "length_km": draw(st.sampled_from([10, 40, 90]))}
                 for a, b in edges]
    sources = [{"id": ids[i], "lon": i, "lat": 0, "capacity_mtpa": caps[i], **FREE_SOURCE,
                "capture_cost_usd_per_t": draw(st.sampled_from([5, 20, 40]))} for i in range(n_src)]
    sinks = [{"id": ids[n_src + k], "lon": k, "lat": 1, "capacity_mt": 1000,
              "max_injection_mtpa": draw(st.sampled_from([4.0, 10.0, 20.0])), **FREE_SINK,
              "storage_cost_usd_per_t": draw(st.sampled_from([1, 8]))} for k in range(n_snk)]
    junctions = [{"id": ids[i], "lon": i, "lat": 2} for i in range(n_src + n_snk, n)]
    price = draw(st.sampled_from([None, 45.0]))
    target = None if price else sum(caps) * draw(st.sampled_from([0.3, 0.7, 1.0]))
    classes = draw(st.one_of(st.just(TRENDS), st.composite(_classes)()))
    return sources, sinks, junctions, corridors, target, price, classes


@settings(max_examples=40, deadline=None)
@given(_networks())
def test_minimum_sizes_keep_the_optimum(net):
    """The minimum sizes only cut plans that a swap of classes makes no dearer: the optimum with
    them is the optimum without them (HiGHS to a zero gap, both)."""
    sources, sinks, junctions, corridors, target, price, classes = net
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_network(tmp / "net", sources, sinks, corridors, junctions or None, classes)
        case = write_case(tmp / "case.toml", "net", [2025],
                          target=None if target is None else [target], price=price,
                          finance=NO_DISCOUNT, pipeline={"max_pipes_per_corridor": 1})
        inst = prepare(*load_case(case))
    form = build(inst)
    with_floor = solve(form.lp, "test", SolveOptions(mip_gap=0.0))
    arr = form.lp.arrays()  # the cached arrays: relax the min_size rows in place
    for name in ("min_size", "min_size_rev"):
        arr["row_lo"][form.lp.row_blocks.get(name, [])] = -np.inf
    without = solve(form.lp, "test", SolveOptions(mip_gap=0.0))
    assert with_floor.status == without.status
    if without.objective is not None:
        assert with_floor.objective == pytest.approx(without.objective, rel=1e-7, abs=1e-6)


def test_rounding_up_keeps_the_min_sizes(tmp_path):
    """Sources S1 (20 Mt/yr) and S2 (2) each 50 km from sink K, and 200 km apart; target
    22. The relaxation buys 2/22 of a trend-2 pipe on S2–K (cheaper per tonne than
    2/9.04463 of a trend-1 pipe); rounded up as trend 2, S2–K would have to carry its
    minimum 9.04463 Mt/yr, which S2 cannot supply; rounded up as trend 1, which replaces
    trend 2 below that, the plan is the optimum by hand, trend 2 on S1–K and trend 1 on
    S2–K: 0.1 × 50 × (0.770037049 + 0.078306697 × 20) + 0.1 × 50 × (0.431655132 +
    0.115719152 × 2) = 14.9963221 MUSD/yr."""
    write_network(
        tmp_path / "net",
        sources=[{"id": "S1", "lon": 0, "lat": 0, "capacity_mtpa": 20, **FREE_SOURCE},
                 {"id": "S2", "lon": 2, "lat": 0, "capacity_mtpa": 2, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 30,
                **FREE_SINK}],
        corridors=[{"from": "S1", "to": "K", "length_km": 50},
                   {"from": "S2", "to": "K", "length_km": 50},
                   {"from": "S1", "to": "S2", "length_km": 200}], pipe_classes=TRENDS)
    case = write_case(tmp_path / "case.toml", "net", [2025], target=[22], finance=NO_DISCOUNT,
                      pipeline={"max_pipes_per_corridor": 1})
    form = build(prepare(*load_case(case)))
    relaxed = solve(form.lp, "test", SolveOptions(), relax=True)
    n = form.lp.blocks["pipes"][:, 0].reshape(3, 2)  # corridor × (trend 1, trend 2)
    assert relaxed.x[n[1, 1]] == pytest.approx(2 / 22) and relaxed.x[n[1, 0]] == 0
    up = _rounded_up(form, to_pulp(form.lp), relaxed.x, SolveOptions(time_limit_s=60, threads=1))
    assert up is not None
    assert (up[n] == [[0, 1], [1, 0], [0, 0]]).all()
    hand = 0.1 * 50 * (0.770037049 + 0.078306697 * 20) + 0.1 * 50 * (0.431655132 + 0.115719152 * 2)
    assert form.lp.arrays()["c"] @ up == pytest.approx(hand, rel=1e-9)
    assert solve(form.lp, "test", SolveOptions(mip_gap=0.0)).objective == pytest.approx(hand, rel=1e-9)
