"""The network's backbone and the first plan found on it.

The sources and corridors it keeps are worked out by hand; the plan from it is checked
against every row and bound of the whole MILP; and a run whose LP relaxation does not end
in time keeps that plan, bounded by the site floor.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import FREE_SINK, NO_DISCOUNT, load_case, write_case, write_network

from ccusplan.optimize import build, prepare, run
from ccusplan.optimize.backbone import backbone
from ccusplan.optimize.floor import site_floor
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp
from ccusplan.optimize.result import SolveResult
from ccusplan.optimize.warmstart import _backbone_plan

CASES = Path(__file__).resolve().parents[1] / "cases"


def _feasible(form, x) -> None:
    lp = form.lp.arrays()
    assert np.all(x >= lp["col_lo"] - 1e-7) and np.all(x <= lp["col_hi"] + 1e-7)
    rows = lp["A"] @ x
    assert np.all(rows >= lp["row_lo"] - 1e-6) and np.all(rows <= lp["row_hi"] + 1e-6)
    k = lp["integer"]
    assert np.allclose(x[k], np.round(x[k]), atol=1e-6)


def test_backbone_keeps_the_cheapest_sources_and_a_tree_to_the_sink(tmp_path):
    """Sources A, B, C of 10 Mt/yr each, no fixed capture cost; sink K; pipes cost
    1 MUSD/km (one class), crf 0.1. A captures at 10 $/t 10 km from K, B at 5 $/t
    500 km away over a junction J (B–J 400, J–K 100; a direct B–K is 600), C at 30 $/t
    10 km from K. Per tonne at full capacity, with the pipe to the sink spread over it:
    A 10 + 0.1·10/10 = 10.1, B 5 + 0.1·500/10 = 10.0, C 30.1. A target of 8 Mt/yr
    with a margin of 1.5 needs 12: B, then A. The corridors: B–J, J–K and A–K."""
    src = lambda i, cost, lon: {"id": i, "lon": lon, "lat": 0, "capacity_mtpa": 10,  # noqa: E731
                                "capture_cost_usd_per_t": cost, "capture_capex_musd": 0,
                                "capture_fixed_om_musd_per_yr": 0}
    write_network(
        tmp_path / "net",
        sources=[src("A", 10, 0.1), src("B", 5, 5), src("C", 30, -0.1)],
        sinks=[{"id": "K", "lon": 0, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 30,
                **FREE_SINK}],
        junctions=[{"id": "J", "lon": 1, "lat": 0}],
        corridors=[{"from": "A", "to": "K", "length_km": 10},
                   {"from": "C", "to": "K", "length_km": 10},
                   {"from": "B", "to": "J", "length_km": 400},
                   {"from": "J", "to": "K", "length_km": 100},
                   {"from": "B", "to": "K", "length_km": 600}],
        pipe_classes=[{"name": "one", "capacity_mtpa": 30, "capex_musd_per_unit": 1}])
    case = write_case(tmp_path / "case.toml", "net", [2025], target=[8], finance=NO_DISCOUNT)
    inst = prepare(*load_case(case))
    sources, corridors = backbone(inst, margin=1.5)
    assert sources.tolist() == [True, True, False]
    assert corridors.tolist() == [True, False, True, True, False]
    # a margin of 1 needs only B's 10 Mt/yr
    assert backbone(inst, margin=1.0)[0].tolist() == [False, True, False]


def test_the_backbone_plan_is_a_plan_of_the_whole_milp():
    """On the Shandong case (33 sources, 140 corridors, six periods) the backbone keeps
    fewer sources and corridors than the network has, and its plan meets every row, bound
    and integrality of the whole MILP, and costs no less than the LP relaxation."""
    case, net = load_case(CASES / "shandong-2050.toml")
    inst = prepare(case, net)
    form = build(inst)
    sources, corridors = backbone(inst)
    assert 0 < sources.sum() < len(sources) and 0 < corridors.sum() < len(corridors)
    model = to_pulp(form.lp)
    opts = SolveOptions(time_limit_s=60.0, threads=1)
    x = _backbone_plan(inst, form, model, opts)
    _feasible(form, x)
    lp = solve_model(model, opts, relax=True)
    assert float(form.lp.arrays()["c"] @ x) >= lp.objective - 1e-6


def test_a_run_whose_lp_relaxation_does_not_end_keeps_the_backbone_plan_and_the_floor(monkeypatch):
    """SimCCS's SoutheastUS 50 Mt/yr case with the LP relaxation of the whole MILP out of
    time and branch and bound finding nothing of its own (both made so here): the run ends
    on the backbone's plan, feasible, bounded by the site floor — the optimum of the
    model without transport (4,856.5 $M/yr), below SimCCS's published optimum 5,140.686."""
    from ccusplan import optimize
    from ccusplan.optimize import warmstart as ws

    real = ws.solve_model

    def lp_out_of_time(model, opts, relax=False, **kw):
        if relax and kw.get("col_lo") is None and kw.get("col_hi") is None:
            return SolveResult("no_solution", None, None, None, None, "", opts.time_limit_s)
        return real(model, opts, relax=relax, **kw)

    def nothing_of_its_own(model, opts, **kw):
        c = model.lp.arrays()["c"]
        return SolveResult("feasible", float(c @ opts.start), None, None, opts.start, "", 0.0)

    monkeypatch.setattr(ws, "solve_model", lp_out_of_time)
    monkeypatch.setattr(ws, "BACKBONE_COLUMNS", 0)  # a small case: the backbone anyway
    monkeypatch.setattr(optimize, "solve_model", nothing_of_its_own)
    case, net = load_case(CASES / "southeastus-50.toml")
    out = run(case, net, time_limit_s=60.0, threads=1, polish=False)
    assert out.result.x is not None
    _feasible(out.formulation, out.result.x)
    floor = site_floor(prepare(case, net), SolveOptions(time_limit_s=60.0, threads=1))
    assert floor == pytest.approx(4856.5, abs=0.1)
    assert out.result.best_bound == pytest.approx(floor, rel=1e-6)
    assert out.result.objective >= 5140.686 - 1e-3
    assert out.result.mip_gap == pytest.approx(1 - floor / out.result.objective, abs=1e-6)
