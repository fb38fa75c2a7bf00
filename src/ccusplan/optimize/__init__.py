"""Optimize layer: build the MILP from a case, solve it, read the plan back.

:func:`run` is the entry point; build, solve and read-back are separate and
timed, and the outcome is solver-neutral (one row of a benchmark table).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from ccusplan.model import Case, Network
from ccusplan.optimize.diagnose import diagnose
from ccusplan.optimize.floor import add_floor, bound_of_total
from ccusplan.optimize.floor import site_floor as site_floor_of
from ccusplan.optimize.formulation import Formulation, build
from ccusplan.optimize.instance import Instance, prepare
from ccusplan.optimize.options import RunOptions, SolveOptions
from ccusplan.optimize.plan import Plan, read_plan
from ccusplan.optimize.neighbourhoods import RegionSearch
from ccusplan.optimize.polish import Polished, Rerouter, Resizer, polish
from ccusplan.optimize.progress import Progress, ProgressFn, reporting
from ccusplan.optimize.pulp_backend import SolveResult, pulp_name, solve_model, to_pulp
from ccusplan.optimize.result import Termination, gap_of
from ccusplan.optimize.warmstart import SupportSearch, WarmStart, lp_support_start

#: Share of the time limit the warm start may use at most, and its LP relaxation (see
#: :func:`.warmstart.lp_support_start`): a synthetic network of 2,000 sources needs 45 s
#: of a 120 s limit for the LP alone, and more on a busy machine.
WARM_START_SHARE = 0.4
WARM_START_LP_SHARE = 0.7
#: A solve may end this share of its time limit late (and at least OVERRUN_MIN_S seconds)
#: before ccusplan says so: solvers check their clock between steps, and HiGHS's MILPs
#: are stopped a little after it (:mod:`.deadline`).
OVERRUN_TOLERANCE = 0.05
OVERRUN_MIN_S = 5.0
#: Share of the time limit for polishing the plan's transport design (see :mod:`.polish`),
#: kept from the MILP's.
POLISH_SHARE = 0.1
#: Share of the time limit the site floor (the model without transport) may use at most
#: (its bound at the limit is still a floor).
SITE_FLOOR_SHARE = 0.02
#: Where the LP relaxation did not end in time, the site floor bounds the plan instead,
#: given this share of the limit (at least FLOOR_BOUND_MIN_S seconds): on the whole China
#: network its bound is 30,404 MUSD after 3 s, 30,442 after 6 s (the LP relaxation's 31,237).
FLOOR_BOUND_SHARE = 0.05
FLOOR_BOUND_MIN_S = 3.0


@dataclass(frozen=True)
class Outcome:
    instance: Instance
    formulation: Formulation
    result: SolveResult
    plan: Plan | None
    build_seconds: float
    diagnosis: list[str]
    time_limit_s: float | None = None  # the limit the solve was given
    polished: Polished | None = None   # the transport design polished, with its certificate

    @property
    def overrun_note(self) -> str | None:
        """A note when the solve ran past its time limit by more than
        :data:`OVERRUN_TOLERANCE` of it (and more than :data:`OVERRUN_MIN_S`); else ``None``."""
        return overrun_note(self.result.solve_seconds, self.time_limit_s)

    @property
    def sizes(self) -> dict[str, int]:
        arr = self.formulation.lp.arrays()
        return {"n_variables": int(self.formulation.lp.n_cols),
                "n_binaries": int(arr["integer"].sum()),
                "n_constraints": int(self.formulation.lp.n_rows)}


def run(case: Case, network: Network, options: SolveOptions | None = None,
        **overrides) -> Outcome:
    """Solve ``case`` on ``network`` with ``options`` (a :class:`RunOptions` or
    :class:`SolveOptions`) and ``overrides`` (their fields by name, e.g. ``threads=1``)
    over the case's ``[solver]`` table; ``None`` values keep the case's.

    ``solve_seconds`` covers the site floor (see :mod:`floor`), the warm start (LP
    relaxation and restricted MILP, see :mod:`warmstart`) and the MILP: the time limit
    bounds them together, and polishing the plan's transport design (see :mod:`.polish`)
    after them.
    ``progress`` receives :class:`~.progress.Progress` reports from every solve, elapsed
    seconds counted from the start of solving, and a last one (phase ``done``) with the
    final objective, bound and gap.
    """
    opts = RunOptions.of_case(case.solver, options, **overrides)
    pulp_name(opts.solver)  # fail fast on an unknown solver, before any work
    limit = opts.time_limit_s
    t0 = time.perf_counter()
    inst = prepare(case, network)
    form = build(inst)
    model = to_pulp(form.lp)
    build_seconds = time.perf_counter() - t0

    t1 = time.perf_counter()
    clocked = _clocked(opts.progress, t1)
    # the steps around branch and bound: no solver log, progress through `reporting`
    step = opts.but(msg=False, progress=None)
    floor = None
    if opts.site_floor and model.has_integers:
        with reporting(clocked):
            floor = site_floor_of(inst, step.but(time_limit_s=SITE_FLOOR_SHARE * limit))
    # HiGHS takes plans while it searches (and two threads leave a core for finding
    # them): the warm start's restricted MILPs then run beside branch and bound
    beside = pulp_name(opts.solver) == "HiGHS" and opts.threads != 1
    warm = WarmStart(None, None)
    if opts.warm_start and model.has_integers:
        with reporting(clocked):
            warm = lp_support_start(inst, form, model,
                                    step.but(time_limit_s=WARM_START_SHARE * limit),
                                    floor=floor, lp_time_limit_s=WARM_START_LP_SHARE * limit,
                                    beside=beside)
        model = warm.model or model  # with the floor's row, if it cut the LP relaxation
    elif floor is not None:
        add_floor(form, floor)
        model = to_pulp(form.lp)
    if opts.warm_start and warm.lp_bound is None and floor is None and model.has_integers:
        # the LP relaxation did not end in time: the site floor bounds the plan (solved
        # by HiGHS whichever solver the MILP has: CBC proves no bound for it in seconds)
        with reporting(clocked):
            floor = site_floor_of(inst, step.but(
                solver="highs", time_limit_s=max(FLOOR_BOUND_SHARE * limit, FLOOR_BOUND_MIN_S)))
    bounds = [b for b in (warm.lp_bound, bound_of_total(form, floor)) if b is not None]
    bound = max(bounds) if bounds else None
    spent = time.perf_counter() - t1
    budget = max((1 - POLISH_SHARE * opts.polish) * limit - spent - warm.overhead_seconds, 0.1)
    # beside branch and bound, this process re-sizes each better plan and, when the run
    # may use more than one core, searches it region by region (:mod:`.neighbourhoods`);
    # solvers that take no plans while they search ignore it
    improve = Resizer(inst, form, step, warm.x) if opts.threads == 1 else \
        RegionSearch(inst, form, step, warm.x)
    # each new plan's flows re-routed path by path first (:mod:`.rerouting`)
    improve = Rerouter(inst, form, step, improve)
    if warm.restrictions:  # after the restricted MILPs, which start from the warm start's
        improve = SupportSearch(inst, form, model, step, warm.restrictions, improve,
                                warm.restrictions_s, warm.x)
    result = solve_model(model, opts.but(time_limit_s=budget, start=warm.x, progress=clocked,
                                         improve=improve))
    polished = None
    if opts.polish and result.x is not None and model.has_integers:
        # with the LP relaxation's bound where branch and bound proved less (or none, as
        # on large networks): every plan costs at least it, so the plan's transport at
        # least it less the sites' cost, which polishing reports where its own MILP
        # proves less
        result = _with_bound(result, bound)
        with reporting(clocked):
            left = limit - (time.perf_counter() - t1)
            polished = polish(inst, form, result,
                              step.but(time_limit_s=min(left, POLISH_SHARE * limit)),
                              resize_s=POLISH_SHARE * limit)
        result = replace(result, x=polished.x, objective=polished.objective)
    seconds = result.solve_seconds + spent + (polished.seconds if polished else 0.0)
    result = _with_bound(replace(result, solve_seconds=seconds), bound)
    if clocked is not None:
        clocked(Progress("done", 0.0, result.objective, result.best_bound, result.mip_gap))
    plan = read_plan(inst, form, result.x) if result.x is not None else None
    diagnosis = diagnose(inst) if result.status == "infeasible" else []
    return Outcome(inst, form, result, plan, build_seconds, diagnosis, limit, polished)


def write_model(case: Case, network: Network, path) -> Formulation:
    """Write the case's MILP to ``path`` (MPS, or LP if it ends in ``.lp``) with ccusplan's
    column and row names, for any other solver; the formulation is returned."""
    from ccusplan.optimize.highs_backend import write_model as write

    form = build(prepare(case, network))
    write(form.lp, path)
    return form


def from_solution(case: Case, network: Network, path) -> Outcome:
    """The case's plan from another solver's solution file of its model (see
    :mod:`.solution_file`): checked against every bound and row, not polished (it is the
    solver's plan as it stands), status ``feasible`` with no bound (the file proves
    none)."""
    from ccusplan.optimize.solution_file import solution_columns

    t0 = time.perf_counter()
    inst = prepare(case, network)
    form = build(inst)
    build_seconds = time.perf_counter() - t0
    x = solution_columns(form.lp, path)
    objective = float(form.lp.arrays()["c"] @ x)
    result = SolveResult("feasible", objective, None, None, x, f"solution file {Path(path).name}",
                         0.0, f"read from {path}", termination=Termination.READ)
    return Outcome(inst, form, result, read_plan(inst, form, x), build_seconds, [])


def overrun_note(solve_seconds: float, time_limit_s: float | None) -> str | None:
    """What to tell the user when a solve ran past its time limit, or ``None`` when it
    ended within :data:`OVERRUN_TOLERANCE` of the limit or :data:`OVERRUN_MIN_S` seconds
    of it (benchmarks/README.md, "Time limits")."""
    if time_limit_s is None:
        return None
    late = solve_seconds - time_limit_s
    if late <= max(OVERRUN_TOLERANCE * time_limit_s, OVERRUN_MIN_S):
        return None
    return (f"the solve ran {late:.0f} s past its {time_limit_s:g} s time limit (the solver "
            'checks the clock between steps and only HiGHS is stopped at the limit; '
            'docs/troubleshooting.md, "Time limits")')


def _clocked(progress: ProgressFn | None, t0: float) -> ProgressFn | None:
    """``progress`` with every report's elapsed time counted from ``t0`` instead."""
    if progress is None:
        return None
    return lambda p: progress(replace(p, elapsed_s=time.perf_counter() - t0))


def _with_bound(result: SolveResult, bound: float | None) -> SolveResult:
    """The better of the solver's bound and ``bound`` (the LP relaxation's or the site
    floor's; both valid lower bounds), and the gap of the result's objective to it."""
    if result.objective is None or (bound is None and result.best_bound is None):
        return result
    bound = max(b for b in (result.best_bound, bound) if b is not None)
    bound = min(bound, result.objective)
    gap = gap_of(result.objective, bound)
    return replace(result, best_bound=bound, mip_gap=gap)


__all__ = ["Instance", "Outcome", "Plan", "RunOptions", "SolveOptions", "build", "from_solution", "overrun_note", "prepare",
           "run", "write_model"]
