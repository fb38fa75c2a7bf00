"""Optimize layer: build the MILP from a case, solve it, read the plan back.

:func:`run` is the entry point; build, solve and read-back are separate and
timed, and the outcome is solver-neutral (one row of a benchmark table).
"""

from __future__ import annotations

import time
from dataclasses import dataclass


from ccusplan.model import Case, Network
from ccusplan.optimize.diagnose import diagnose
from ccusplan.optimize.formulation import Formulation, build
from ccusplan.optimize.instance import Instance, prepare
from ccusplan.optimize.plan import Plan, read_plan
from ccusplan.optimize.pulp_backend import SolveResult, pulp_name, solve


@dataclass(frozen=True)
class Outcome:
    instance: Instance
    formulation: Formulation
    result: SolveResult
    plan: Plan | None
    build_seconds: float
    diagnosis: list[str]

    @property
    def sizes(self) -> dict[str, int]:
        arr = self.formulation.lp.arrays()
        return {"n_variables": int(self.formulation.lp.n_cols),
                "n_binaries": int(arr["integer"].sum()),
                "n_constraints": int(self.formulation.lp.n_rows)}


def run(case: Case, network: Network, solver: str | None = None,
        time_limit_s: float | None = None, mip_gap: float | None = None,
        threads: int | None = None, msg: bool = False) -> Outcome:
    """Solve ``case`` on ``network``; the arguments override the case's ``[solver]``."""
    cfg = case.solver
    solver = solver or cfg.name
    pulp_name(solver)  # fail fast on an unknown solver, before any work
    t0 = time.perf_counter()
    inst = prepare(case, network)
    form = build(inst)
    form.lp.arrays()
    build_seconds = time.perf_counter() - t0
    result = solve(form.lp, solver,
                   time_limit_s=time_limit_s if time_limit_s is not None else cfg.time_limit_s,
                   mip_gap=mip_gap if mip_gap is not None else cfg.mip_gap,
                   threads=threads if threads is not None else cfg.threads, msg=msg)
    plan = read_plan(inst, form, result.x) if result.x is not None else None
    diagnosis = diagnose(inst) if result.status == "infeasible" else []
    return Outcome(inst, form, result, plan, build_seconds, diagnosis)


__all__ = ["Instance", "Outcome", "Plan", "build", "prepare", "run"]
