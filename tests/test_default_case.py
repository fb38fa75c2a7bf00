"""The shipped default case (networks/shandong, cases/shandong-2050.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccusplan.io import load
from ccusplan.optimize import run

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "shandong-2050.toml"


@pytest.fixture(scope="module")
def default_case():
    return load(CASE)


def test_time_limit_keeps_the_best_plan_and_reports_its_gap(default_case):
    """Stopped after 8 s (long before a 1e-6 gap is proven), the run still returns a
    plan that meets every target, with an honest bound and gap. The limit bounds the
    solver's clock over warm start and branch-and-bound together; handing the model to
    the solver (~0.3–1.3 s per hand-over here, PuLP building HiGHS's model) is not on it."""
    case, net = default_case
    out = run(case, net, solver="highs", time_limit_s=8, mip_gap=1e-6)
    r = out.result
    assert r.status == "feasible"
    assert r.best_bound <= r.objective
    assert r.mip_gap == pytest.approx((r.objective - r.best_bound) / r.objective)
    assert r.mip_gap > 1e-6
    assert out.plan.stored_mtpa == pytest.approx(out.instance.target_mtpa, abs=1e-6)
    assert r.solve_seconds < 8 + 3.0


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
