"""The shipped default case (networks/shandong, cases/shandong-2050.toml)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from matplotlib.image import imread

from ccusplan.io import load
from ccusplan.optimize import run
from ccusplan.optimize.outputs import Results, plan_tables, summary
from ccusplan.report import cost_chart, network_map, timeline_chart
from ccusplan.report.figures import result_figures

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "shandong-2050.toml"


@pytest.fixture(scope="module")
def default_case():
    return load(CASE)


@pytest.fixture(scope="module")
def stopped_early(default_case):
    """The default case stopped by an 8 s time limit (a feasible plan, not the optimum)."""
    case, net = default_case
    return run(case, net, solver="highs", time_limit_s=8, mip_gap=1e-6)


def test_time_limit_keeps_the_best_plan_and_reports_its_gap(stopped_early):
    """Stopped after 8 s (long before a 1e-6 gap is proven), the run still returns a
    plan that meets every target, with an honest bound and gap. The limit bounds the
    solver's clock over warm start and branch-and-bound together; handing the model to
    the solver (~0.3–1.3 s per hand-over here, PuLP building HiGHS's model) is not on it.
    HiGHS looks at its clock between root cut rounds, which take 1–5 s on this model
    (longer on a loaded machine), hence the allowance of half the limit."""
    out = stopped_early
    r = out.result
    assert r.status == "feasible"
    assert r.best_bound <= r.objective
    assert r.mip_gap == pytest.approx((r.objective - r.best_bound) / r.objective)
    assert r.mip_gap > 1e-6
    assert out.plan.stored_mtpa == pytest.approx(out.instance.target_mtpa, abs=1e-6)
    assert r.solve_seconds < 8 * 1.5


def test_default_case_network_facts(default_case):
    """Qilu–Shengli is in service (109 km, 1.7 Mt/yr) and the targets rise 100-fold."""
    case, net = default_case
    c = net.corridors
    qilu = c[((c["from"] == "QILU") & (c["to"] == "SHENGLI-EOR"))
             | ((c["to"] == "QILU") & (c["from"] == "SHENGLI-EOR"))]
    assert len(qilu) == 1
    assert qilu["length_km"].iloc[0] == 109 and qilu["existing_capacity_mtpa"].iloc[0] == 1.7
    assert case.target.mtpa[-1] / case.target.mtpa[0] == pytest.approx(100)
    assert net.sources["capacity_mtpa"].sum() > 1.2 * case.target.mtpa[-1]


def test_timeline_and_figures_of_a_default_case_plan(stopped_early):
    """The timeline of a plan of the default case adds up to its summary; no sink ever
    holds more than its capacity; the three figures render at their size in well under the
    ~1.5 s budget of CPU time (measured ≈ 1.1 s for the three on the 2-core reference
    machine, under load)."""
    out = stopped_early
    tables, s = plan_tables(out), summary(out)
    t = tables["timeline.csv"]
    assert t["stored_mtpa"].to_numpy() == pytest.approx(out.instance.target_mtpa, abs=1e-6)
    assert t["pipeline_km_total"].iloc[-1] == pytest.approx(s["pipeline_km"])
    km = t.filter(like="km_added_").sum(axis=1)
    assert km.to_numpy() == pytest.approx(t["pipeline_km_added"].to_numpy())
    assert t["npv_musd_to_date"].iloc[-1] == pytest.approx(s["objective_musd"], rel=1e-9)
    assert t["levelized_cost_to_date_usd_per_t"].iloc[-1] == pytest.approx(
        s["levelized_cost_usd_per_t"])
    assert t["sinks_total"].iloc[-1] == s["sinks_opened"]
    k = tables["timeline_sinks.csv"]
    assert (k["cumulative_mt"] <= k["capacity_mt"] + 1e-6).all()
    assert k.groupby("period")["injected_mtpa"].sum().to_numpy() == pytest.approx(
        t["stored_mtpa"].to_numpy())

    result_figures(Results.of(out))  # the first call also loads fonts
    cpu = time.process_time()
    figures = result_figures(Results.of(out))
    cpu = time.process_time() - cpu
    for name, module in (("timeline.png", timeline_chart), ("network_map.png", network_map),
                         ("cost_breakdown.png", cost_chart)):
        png = imread(io.BytesIO(figures[name]), format="png")
        assert png.shape[:2] == module.SIZE_PX[::-1]
    assert cpu < 3.0
