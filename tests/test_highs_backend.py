"""HiGHS fed the model's arrays directly (ccusplan.optimize.highs_backend), checked on
models small enough to solve by hand, and against CBC through PuLP."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SOLVERS

from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.pulp_backend import solve


def _knapsack() -> LinearProgram:
    """min −5a − 4b − 3c  s.t. 2a + 3b + c ≤ 5, a, b, c ∈ {0, 1}.
    By hand: {a, b} weighs 5 and earns 9, {a, c} 3 and 8, {b, c} 4 and 7, all three 6 >
    5; so −9 at a = b = 1. The LP relaxation takes c = 1 (ratio 3), a = 1 (2.5), then
    b = 2/3: −5 − 3 − 8/3 = −10.667."""
    lp = LinearProgram()
    x = lp.add_vars("x", (3,), hi=1.0, integer=True)
    lp.add_rows("cap", 1, [(np.zeros(3, int), x, np.array([2.0, 3.0, 1.0]))], hi=5.0)
    lp.add_cost(x, np.array([-5.0, -4.0, -3.0]))
    return lp


@pytest.mark.parametrize("solver", SOLVERS)
def test_knapsack_by_hand(solver):
    r = solve(_knapsack(), solver, mip_gap=0.0)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(-9.0)
    assert r.x.round().tolist() == [1.0, 1.0, 0.0]
    relaxed = solve(_knapsack(), solver, relax=True)
    assert relaxed.status == "optimal"
    assert relaxed.objective == pytest.approx(-5 - 3 - 8 / 3)
    assert relaxed.best_bound == pytest.approx(relaxed.objective)


@pytest.mark.parametrize("solver", SOLVERS)
def test_bounds_override_and_start(solver):
    """Fixing a = 0 through the column bounds leaves {b, c}: −7. A start (the plan
    {a, c}, −8) is accepted and the optimum still found."""
    lp = _knapsack()
    hi = lp.arrays()["col_hi"].copy()
    hi[0] = 0.0
    assert solve(lp, solver, col_hi=hi, mip_gap=0.0).objective == pytest.approx(-7.0)
    r = solve(lp, solver, mip_gap=0.0, start=np.array([1.0, 0.0, 1.0]))
    assert r.objective == pytest.approx(-9.0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_infeasible_and_empty_rows(solver):
    """a + b ≥ 3 with two binaries cannot be met; neither can a row with no variables
    that asks for 0 ≥ 1."""
    lp = LinearProgram()
    x = lp.add_vars("x", (2,), hi=1.0, integer=True)
    lp.add_rows("need", 1, [(np.zeros(2, int), x, 1.0)], lo=3.0)
    lp.add_cost(x, 1.0)
    assert solve(lp, solver).status == "infeasible"

    lp = LinearProgram()
    x = lp.add_vars("x", (1,), hi=1.0)
    lp.add_rows("empty", 1, [(np.zeros(0, int), np.zeros(0, int), np.zeros(0))], lo=1.0)
    lp.add_cost(x, 1.0)
    r = solve(lp, solver)
    assert r.status == "infeasible" and "no variables" in r.message


_THREADS_SCRIPT = """
from tests_knapsack import knapsack
from ccusplan.optimize import highs_backend
from ccusplan.optimize.pulp_backend import solve
highs_backend.CONCURRENT_LP_COLUMNS = 0  # every LP relaxation raced, one thread each
for threads in (None, 1, 2, 1, None):
    r = solve(knapsack(), "highs", mip_gap=0.0, threads=threads)
    assert r.status == "optimal" and abs(r.objective + 9) < 1e-9, (threads, r)
    r = solve(knapsack(), "highs", relax=True, threads=threads)
    assert r.status == "optimal" and abs(r.objective + 5 + 3 + 8 / 3) < 1e-9, (threads, r)
"""


def test_thread_counts_change_within_a_process_and_stdout_stays_clean(tmp_path):
    """HiGHS starts one thread scheduler per process and (1.16) refuses a solve asking
    for another thread count; its banner goes to stdout when a solver object is made.
    A fresh process solving the knapsack with 5 thread settings in turn, and its LP
    relaxation by the simplex and the interior point method at once between them,
    gets −9 and −10.667 every time and prints nothing."""
    import inspect
    import subprocess
    import sys
    import textwrap

    (tmp_path / "tests_knapsack.py").write_text(
        "import numpy as np\nfrom ccusplan.optimize.lp import LinearProgram\n\n"
        + inspect.getsource(_knapsack).replace("def _knapsack", "def knapsack"))
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(_THREADS_SCRIPT)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""


def _transport_lp(n: int, seed: int) -> LinearProgram:
    """A random transportation LP: n supplies, n demands, every pair a route."""
    rng = np.random.default_rng(seed)
    lp = LinearProgram()
    x = lp.add_vars("x", (n, n))
    supply, demand = rng.uniform(1, 10, n), rng.uniform(1, 10, n)
    demand *= supply.sum() / demand.sum() * 0.9
    rows = np.arange(n)
    lp.add_rows("supply", n, [(np.repeat(rows, n), x.ravel(), 1.0)], hi=supply)
    lp.add_rows("demand", n, [(np.tile(rows, n), x.ravel(), 1.0)], lo=demand)
    lp.add_cost(x, rng.uniform(1, 100, (n, n)))
    return lp


def test_the_simplex_and_interior_point_race_agrees_with_the_simplex(monkeypatch):
    """Random transportation LPs (40 × 40 routes): raced, the optimum and a vertex plan
    as the simplex alone finds them; with one thread, no race."""
    from ccusplan.optimize import highs_backend

    for seed in range(3):
        alone = solve(_transport_lp(40, seed), "highs", threads=1)
        monkeypatch.setattr(highs_backend, "CONCURRENT_LP_COLUMNS", 0)
        raced = solve(_transport_lp(40, seed), "highs")
        monkeypatch.undo()
        assert raced.status == alone.status == "optimal"
        assert raced.objective == pytest.approx(alone.objective, rel=1e-9)
        assert raced.best_bound == pytest.approx(raced.objective)
        # a vertex of a transportation LP uses at most n + n − 1 routes
        assert (raced.x > 1e-7).sum() <= 79

    def no_race(*args, **kwargs):
        raise AssertionError("raced")

    monkeypatch.setattr(highs_backend, "CONCURRENT_LP_COLUMNS", 0)
    monkeypatch.setattr(highs_backend, "_concurrent_lp", no_race)
    assert solve(_transport_lp(40, 0), "highs", threads=1).status == "optimal"
    with pytest.raises(AssertionError, match="raced"):
        solve(_transport_lp(40, 0), "highs", threads=2)
