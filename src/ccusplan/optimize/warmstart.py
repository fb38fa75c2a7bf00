"""A feasible first plan for the MILP from its LP relaxation (an LP-support heuristic).

The LP relaxation routes flow along few corridors but buys fractions of the
largest pipes, so its bound is good and its plan is not a plan. Restricting the
MILP to the corridors that carry flow in the LP (all pipe classes still open on
them; sources and sinks untouched) leaves a much smaller MILP whose optimum is
a feasible — usually near-optimal — plan of the full MILP. Handed to the solver
as its first incumbent, it lets branch-and-bound prune from the start instead of
searching for any plan at all (on the Shandong case: 27 s instead of 117 s).
"""

from __future__ import annotations

import numpy as np

from ccusplan.optimize.formulation import Formulation
from ccusplan.optimize.instance import Instance
from ccusplan.optimize.pulp_backend import solve

FLOW_TOL = 1e-6


def lp_support_start(inst: Instance, form: Formulation, solver: str, time_limit_s: float,
                     mip_gap: float, threads: int | None = None) -> np.ndarray | None:
    """Column values of a feasible plan, or ``None`` when none was found in time."""
    lp = form.lp
    relaxed = solve(lp, solver, relax=True, time_limit_s=time_limit_s, threads=threads)
    if relaxed.x is None:
        return None
    b = lp.blocks
    flow = (relaxed.x[b["flow_fwd"]] + relaxed.x[b["flow_rev"]]).max(axis=1)
    unused = flow <= FLOW_TOL
    hi = lp.arrays()["col_hi"].copy()
    hi[b["pipes"][unused[inst.opt_corridor]].ravel()] = 0.0
    hi[b["pipe_size"][unused[inst.opt_corridor[form.sized]]].ravel()] = 0.0
    remaining = max(time_limit_s - relaxed.solve_seconds, 1.0)
    restricted = solve(lp.with_upper_bounds(hi), solver, time_limit_s=remaining,
                       mip_gap=mip_gap, threads=threads)
    return restricted.x
