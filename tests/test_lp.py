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
