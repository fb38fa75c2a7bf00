"""Dynamic slope scaling: plans from a sequence of LPs whose costs learn the fixed charges.

The LP relaxation pays for a fraction n of an integer asset (a pipe, an open sink, an
equipped source) n times its cost, so it spreads flows over many sites and corridors it
would never pay for in full: rounded up, its plan opens them all. Dynamic slope scaling
(Kim and Pardalos, "A solution approach to the fixed charge network flow problem using a
dynamic slope scaling procedure", Oper. Res. Letters 24 (1999) 195–203) solves the LP
again with each integer column's cost rescaled so that the LP pays, at its last
solution, what the plan rounded up would pay: cost × ⌈n⌉ / n for every column with
n > 0 (columns at 0 keep their last cost). Flows gather on the assets already paid for,
and each LP's solution, rounded up (:func:`.warmstart.rounded_up`), is a plan.

The procedure stops when the LP's solution repeats, after :data:`PATIENCE` LPs without a
cheaper plan, after :data:`MAX_LPS`, or when the time left to its deadline is less than
the last LP and its plan took (on a synthetic network of 2,000 sources the first
slope-scaled LP took 77 s, and a second, started with 63 s left, was stopped
unfinished). Given a plan at hand, it stops after the first LP whose plan does not beat
it, until one has: on synthetic networks of 1,000 and 2,000 sources no slope-scaled plan
came within 9 % of the backbone's (seven LPs in 110 s; two in 132 s). On OR-Library's
capb (100 warehouses × 1,000 customers as a network) the LP relaxation rounded up costs
106.95 M; ten slope-scaled LPs reach 59.38 M (the optimum is 55.55 M) in about 35 s,
where branch and bound from 106.95 M stood at 81.64 M after 180 s (benchmarks/README.md,
"Slope scaling").
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp

#: LPs without a cheaper plan after which the procedure stops.
PATIENCE = 3
#: LPs at most.
MAX_LPS = 20


def slope_scaled_plan(lp: LinearProgram, x_lp: np.ndarray, opts: SolveOptions,
                      round_up: Callable[[np.ndarray, SolveOptions], np.ndarray | None],
                      deadline: float, bar: float | None = None) -> np.ndarray | None:
    """The cheapest plan of the slope-scaled LPs started from the LP relaxation's solution
    ``x_lp`` (see the module docstring), ``round_up(x, opts)`` turning an LP solution into
    a plan; ``None`` if none was found before ``deadline`` (a ``time.perf_counter()``).
    ``bar``: the cost of the best plan already at hand; the first LP whose plan is not
    cheaper than it ends the procedure until one is, and counts towards :data:`PATIENCE`
    after (on a synthetic network of 1,000 sources the backbone's plan cost 400,261.0
    MUSD and seven slope-scaled LPs, 110 s, rounded up to 439,028.3 at best)."""
    arr = lp.arrays()
    c0, integer = arr["c"], arr["integer"]
    k = np.flatnonzero(integer & (c0 > 0))
    if len(k) == 0:
        return None
    c = c0.copy()
    x, best, best_cost, idle = x_lp, None, np.inf if bar is None else bar, 0
    last_s = 0.0  # what the last LP and its plan took: no LP is started that cannot end
    for _ in range(MAX_LPS):
        t0 = time.perf_counter()
        left = deadline - t0
        if left <= last_s:
            break
        n = x[k]
        paid = n > 1e-9
        c[k[paid]] = c0[k[paid]] * np.ceil(n[paid] - 1e-6) / n[paid]
        r = solve_model(to_pulp(lp.with_costs(c)),
                        opts.but(time_limit_s=left, start=None, phase="warm start"), relax=True)
        if r.x is None or r.status != "optimal":
            break
        moved = float(np.abs(r.x - x).max())
        x = r.x
        plan = round_up(x, opts.but(time_limit_s=max(deadline - time.perf_counter(), 0.1)))
        cost = None if plan is None else float(c0 @ plan)
        last_s = time.perf_counter() - t0
        if cost is not None and cost < best_cost and \
                not np.isclose(cost, best_cost, rtol=1e-9, atol=0.0):
            best, best_cost, idle = plan, cost, 0
        else:
            idle += 1
        # until one of its plans beats the plan at hand, the first that does not ends it
        if moved <= 1e-7 or idle >= (PATIENCE if best is not None or bar is None else 1):
            break
    return best
