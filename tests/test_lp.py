"""The solver-neutral program (ccusplan.optimize.lp): restricting it to some columns."""

from __future__ import annotations

import numpy as np
import pytest

from ccusplan.optimize.lp import LinearProgram, restrict
from ccusplan.optimize.pulp_backend import solve


def test_restricted_to_two_columns_by_hand():
    """min x0 + 2 x1 + 3 x2  s.t.  x0 + x1 + x2 ≥ 4,  x1 − x2 ≤ 1,  x0 ≤ 5,  x integer.
    Held at x0 = 1, the rest is min 2 x1 + 3 x2 with x1 + x2 ≥ 3, x1 − x2 ≤ 1: x1 = 2,
    x2 = 1, cost 7 (x1 = 3 breaks the second row; 1 + 2 costs 8). A row of held columns
    alone is dropped; the free columns keep their bounds and integrality."""
    lp = LinearProgram()
    x = lp.add_vars("x", (3,), hi=np.array([5.0, 9.0, 9.0]), integer=True)
    lp.add_rows("cover", 1, [(np.zeros(3, int), x, 1.0)], lo=4.0)
    lp.add_rows("step", 1, [(np.zeros(2, int), x[1:], np.array([1.0, -1.0]))], hi=1.0)
    lp.add_rows("x0_only", 1, [(np.zeros(1, int), x[:1], 1.0)], hi=5.0)
    lp.add_cost(x, np.array([1.0, 2.0, 3.0]))
    held = np.array([1.0, 0.0, 0.0])
    A = lp.arrays()["A"]
    sub = restrict(lp, np.array([1, 2]), held, A @ held, A.tocsc())
    assert sub.n_cols == 2 and sub.n_rows == 2
    assert sub.arrays()["integer"].all()
    r = solve(sub, "highs", mip_gap=0.0)
    assert r.objective == pytest.approx(7.0) and r.x.round().tolist() == [2.0, 1.0]


def test_a_solve_says_why_it_ended():
    """optimal at gap 0, gap_reached within a gap, infeasible; status agrees with it."""
    from ccusplan.optimize.pulp_backend import solve
    from ccusplan.optimize.result import SolveResult

    lp = LinearProgram()
    x = lp.add_vars("x", (2,), hi=10, integer=True)
    lp.add_cost(x, [1.0, 1.0])
    lp.add_rows("need", 1, [(np.zeros(2, int), x, [2.0, 3.0])], lo=7)  # 2a + 3b ≥ 7: 3
    r = solve(lp, "highs", mip_gap=0.0)
    assert (r.status, r.termination, r.objective) == ("optimal", "optimal", 3.0)
    lp.add_rows("cap", 1, [(np.zeros(2, int), x, [1.0, 1.0])], hi=1)  # a + b ≤ 1: none
    r = solve(lp, "highs")
    assert (r.status, r.termination) == ("infeasible", "infeasible")
    gap = SolveResult("optimal", 100.0, 99.5, 0.005, None, "t", 1.0)
    assert gap.termination == "gap_reached"
    with pytest.raises(ValueError):
        SolveResult("optimal", 100.0, 90.0, 0.1, None, "t", 1.0, termination="time_limit")
