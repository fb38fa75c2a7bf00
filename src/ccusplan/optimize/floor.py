"""A floor under the site costs: the build-out with transport left out.

Whatever a plan lays in pipes, its sources and sinks alone — capture, storage, their
capacities and timing, the targets, in each period what is captured is what is stored —
form a plan of the build-out without transport (:func:`.formulation.build` with
``transport=False``: every source joined to every sink at no cost). So the site costs of
every plan (capture, storage and, in price mode, the revenue) are at least that model's
optimum, and the row

    Σ site cost terms ≥ floor

is valid for the full MILP. Its LP relaxation needs it: the relaxation equips a fraction
of a source and pays that fraction of its fixed cost, where the model without transport,
small enough to solve as a MILP in a fraction of a second, pays for whole sources. On
SoutheastUS 50 Mt/yr the relaxation's site costs are 4,615.3 $M/yr, the floor 4,856.5,
and the LP bound rises from 4,823.6 to 5,030.3 (optimum 5,140.7); on the Shandong case
from 14,054.0 to 14,144.2 MUSD (benchmarks/README.md, "Site floor"). Where the relaxation
already pays more than the floor for its sites (SoutheastUS in price mode) the row
changes nothing.

The floor is the solver's *bound* on the model without transport, so it stays valid when
that solve stops at its time limit. Where transport costs nothing less than zero it is a
bound on the whole objective too: the bound a run reports when the LP relaxation of a
large network did not end in time (the whole China network at 60 s: 30,404 MUSD after
3 s, against the LP relaxation's 31,237 after 40 s or more).
"""

from __future__ import annotations

import numpy as np

from ccusplan.optimize.formulation import Formulation, build
from ccusplan.optimize.instance import Instance
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp

#: The floor is lowered by this share of its size, so that a plan whose site costs are
#: the floor's to the last digit stays feasible within the solver's tolerances (at 1e-7
#: HiGHS 1.16.0 called a plan of 244.11 optimal on a random two-source network whose
#: optimum, 235.72, has exactly the floor's site costs; SCIP found 235.72, and so does
#: HiGHS at 1e-6: tests/test_floor.py).
SLACK = 1e-6


def site_floor(inst: Instance, opts: SolveOptions) -> float | None:
    """The bound on the site costs from the model without transport, or ``None`` if that
    solve gave none (no bound in time, or infeasible: the full MILP then is too)."""
    lp = build(inst, transport=False).lp
    res = solve_model(to_pulp(lp), opts.but(mip_gap=1e-6, phase="site floor"))
    if res.status not in ("optimal", "feasible") or res.best_bound is None:
        return None
    return float(res.best_bound)


def _site_columns(form: Formulation) -> tuple[np.ndarray, np.ndarray]:
    """The site blocks' columns with a cost, and their costs."""
    cols = form.site_columns()
    cost = form.lp.arrays()["c"][cols]
    return cols[cost != 0], cost[cost != 0]


def site_cost(form: Formulation, x: np.ndarray) -> float:
    """The site costs of column values ``x`` (what the floor bounds)."""
    cols, cost = _site_columns(form)
    return float(cost @ x[cols])


def bound_of_total(form: Formulation, floor: float | None) -> float | None:
    """``floor`` as a bound on the whole objective: valid where no other column has a
    negative cost (transport then adds to the site costs), else ``None``."""
    if floor is None:
        return None
    c = form.lp.arrays()["c"]
    others = np.ones(len(c), dtype=bool)
    others[form.site_columns()] = False
    return floor if bool((c[others] >= 0).all()) else None


def add_floor(form: Formulation, floor: float) -> None:
    """Add ``Σ site cost terms ≥ floor`` (less a hair of slack) to ``form``."""
    cols, cost = _site_columns(form)
    lo = floor - SLACK * max(1.0, abs(floor))
    form.lp.add_rows("site_floor", 1, [(np.zeros(len(cols), dtype=int), cols, cost)], lo=lo)
