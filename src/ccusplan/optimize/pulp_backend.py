"""Solver dispatch, and the only module that calls PuLP: solves a :class:`LinearProgram`
and returns a solver-neutral :class:`SolveResult`.

HiGHS, the default, gets the model's arrays directly (:mod:`.highs_backend`); SCIP
where PySCIPOpt is installed (:mod:`.scip_backend`, name ``scip``) and CBC (the binary
:mod:`.cbc` finds, :mod:`.cbc_backend`) get the MPS file HiGHS writes from them. Any other
name PuLP knows (``GUROBI``, ``CPLEX_CMD`` ...) is passed through PuLP, which builds its
problem, one Python object per row, only when such a solver is first asked for. The best
bound is read from HiGHS's info, SCIP's dual bound and CBC's log; other solvers report
none but an optimum's.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np
import pulp

from ccusplan.optimize import cbc, cbc_backend, highs_backend, scip_backend
from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.progress import Progress, ProgressFn, ambient_progress
from ccusplan.optimize.result import SolveResult, finite, gap_of

#: PuLP's class for CBC; PuLP 3's bundled-CBC class is taken as a name for it.
CBC = "COIN_CMD"
_CBC_NAMES = (CBC, "PULP_CBC_CMD")
#: SCIP through PySCIPOpt, straight from the arrays (PuLP's SCIP_PY, which builds the model
#: one Python object per row, is taken as a name for it).
SCIP = "SCIP"
ALIASES = {"highs": "HiGHS", "cbc": CBC, "highs_cmd": "HiGHS_CMD",  # user's name: PuLP's
           "glpk": "GLPK_CMD", "scip_py": SCIP, "scip": SCIP, "gurobi": "GUROBI",
           "cplex": "CPLEX_CMD"}  # (the last name of a solver is the one shown)


#: Solvers given the model's arrays directly, without PuLP.
_BACKENDS = {"HiGHS": highs_backend, SCIP: scip_backend, CBC: cbc_backend}


class SolverUnavailable(ValueError):
    """The named solver is unknown to PuLP or not installed."""


def available_solvers() -> list[str]:
    """PuLP's names of the solvers available here (CBC: if :func:`cbc.find_cbc` finds it)."""
    found = [s for s in pulp.listSolvers(onlyAvailable=True) if s not in (*_CBC_NAMES, "SCIP_PY")]
    found += [CBC] if cbc.find_cbc() is not None else []
    return found + [SCIP] if scip_backend.available() else found


def pulp_name(name: str) -> str:
    """PuLP's class name for a user's solver name (case-insensitive, with aliases)."""
    known = {s.lower(): s for s in pulp.listSolvers()} | {n.lower(): CBC for n in _CBC_NAMES} \
        | {SCIP.lower(): SCIP}
    key = ALIASES.get(name.lower(), name).lower()
    if key not in known:
        raise SolverUnavailable(
            f"unknown solver '{name}'; available: {', '.join(_friendly(available_solvers()))}"
        )
    real = known[key]
    if real not in available_solvers():
        raise SolverUnavailable(
            f"solver '{name}' ({real}) is not installed here; available: "
            f"{', '.join(_friendly(available_solvers()))}"
        )
    return real


def _friendly(names: list[str]) -> list[str]:
    back = {v: k for k, v in ALIASES.items()}
    return [back.get(n, n) for n in names]


@cache
def solver_version(real: str) -> str:
    if real == "HiGHS":
        return f"highs {highs_backend.version()}"
    if real == CBC:
        return cbc.label(cbc.find_cbc())
    if real == SCIP:
        return f"scip {scip_backend.version()}"
    return real


# ------------------------------------------------------------------ model

@dataclass(frozen=True)
class PulpModel:
    """A model ready to solve: ``lp``, and its PuLP problem, built on first use (HiGHS
    never needs it). Variants made with ``replace`` share the built problem."""

    lp: LinearProgram
    relax: bool = False   # set on a variant being solved as its LP relaxation
    _built: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_integers(self) -> bool:
        return bool(self.lp.arrays()["integer"].any()) and not self.relax

    def _pulp(self) -> dict:
        if not self._built:
            self._built.update(_build_pulp(self.lp))
        return self._built

    @property
    def prob(self) -> pulp.LpProblem:
        return self._pulp()["prob"]

    @property
    def variables(self) -> list:
        return self._pulp()["variables"]


def to_pulp(lp: LinearProgram) -> PulpModel:
    """A model of ``lp`` (its PuLP problem is built when a PuLP solver first needs it)."""
    return PulpModel(lp)


def _build_pulp(lp: LinearProgram) -> dict:
    """The PuLP problem of ``lp``: one variable per column, one constraint per row."""
    arr = lp.arrays()
    names = lp.column_names()
    lo, hi, integer = arr["col_lo"], arr["col_hi"], arr["integer"]
    cats = np.where(integer, pulp.LpInteger, pulp.LpContinuous)
    prob = pulp.LpProblem("ccusplan", pulp.LpMinimize)
    variables = [
        prob.add_variable(nm, None if not np.isfinite(lb) else lb,
                          None if not np.isfinite(ub) else ub, cat)
        for nm, lb, ub, cat in zip(names, lo.tolist(), hi.tolist(), cats.tolist())
    ]
    c = arr["c"]
    nz = np.flatnonzero(c)
    prob.setObjective(_expression([(variables[j], c[j]) for j in nz.tolist()]))

    A = arr["A"]
    row_name = lp.row_names()
    indptr, indices, data = A.indptr, A.indices.tolist(), A.data.tolist()
    rlo, rhi = arr["row_lo"].tolist(), arr["row_hi"].tolist()
    for i in range(lp.n_rows):
        a, b = indptr[i], indptr[i + 1]
        if a == b:  # constant row 0 in [lo, hi]: checked by lp.violated_empty_row() in solve_model
            continue
        terms = [(variables[j], v) for j, v in zip(indices[a:b], data[a:b])]
        if rlo[i] == rhi[i]:
            con = _row(terms, pulp.LpConstraintEQ, rlo[i])
        elif np.isfinite(rhi[i]):
            con = _row(terms, pulp.LpConstraintLE, rhi[i])
            if np.isfinite(rlo[i]):
                prob.addConstraint(_row(terms, pulp.LpConstraintGE, rlo[i]),
                                   name=row_name[i] + "_lo")
        else:
            con = _row(terms, pulp.LpConstraintGE, rlo[i])
        prob.addConstraint(con, name=row_name[i])
    return {"prob": prob, "variables": variables}


#: PuLP 4 (a Rust core) builds expressions and reports solves differently from PuLP 3.
_PULP4 = hasattr(pulp.LpAffineExpression, "from_list")


def _expression(terms: list) -> pulp.LpAffineExpression:
    """Σ coefficient · variable over ``terms``, (variable, coefficient) pairs."""
    return pulp.LpAffineExpression.from_list(terms) if _PULP4 else \
        pulp.LpAffineExpression(terms)


def _row(terms: list, sense: int, rhs: float):
    """The constraint Σ coefficient · variable (sense) rhs, for ``prob.addConstraint``."""
    expr = _expression(terms)
    if _PULP4:  # a constraint is an expression with a sense, its constant −rhs
        expr.constant, expr.sense = -rhs, sense
        return expr
    return pulp.LpConstraint(expr, sense, rhs=rhs)


def _status_words(prob: pulp.LpProblem, solved) -> str:
    """The solver's own word for how it ended, e.g. ``Infeasible``."""
    return solved.status.name if _PULP4 else pulp.LpStatus.get(prob.status, "")


def _solve_status(prob: pulp.LpProblem, solved) -> str:
    """optimal, feasible, infeasible or no_solution, from what ``prob.solve`` returned
    (PuLP 4: its solve statistics; PuLP 3: a status code, the rest on ``prob``)."""
    if _PULP4:
        if solved.status == pulp.LpSolveStatus.Infeasible:
            return "infeasible"
        if not solved.has_solution:
            return "no_solution"
        # optimal within the gap asked for, as HiGHS and PuLP 3 report it
        proven = (pulp.LpSolveStatus.Optimal, pulp.LpSolveStatus.GapLimit)
        return "optimal" if solved.status in proven else "feasible"
    status = {1: "optimal", 2: "feasible", -1: "infeasible"}.get(prob.sol_status, "no_solution")
    return "infeasible" if status == "no_solution" and prob.status == pulp.LpStatusInfeasible \
        else status


# ------------------------------------------------------------------ solve

def _make_solver(real: str, opts: SolveOptions):
    kw: dict = {"msg": opts.msg}
    if opts.time_limit_s is not None:
        kw["timeLimit"] = opts.time_limit_s
    if opts.mip_gap is not None:
        kw["gapRel"] = opts.mip_gap
    if opts.threads is not None:
        kw["threads"] = opts.threads
    return pulp.getSolver(real, **kw)


def solve(lp: LinearProgram, solver: str = "highs", *, relax: bool = False,
          col_lo: np.ndarray | None = None, col_hi: np.ndarray | None = None,
          **options) -> SolveResult:
    """Build the model of ``lp`` and solve it with ``solver`` and ``options``, the fields
    of :class:`SolveOptions` by name (see :func:`solve_model`)."""
    return solve_model(to_pulp(lp), SolveOptions(solver=solver, **options), relax=relax,
                       col_lo=col_lo, col_hi=col_hi)


@contextmanager
def _overridden(model: PulpModel, relax: bool, col_lo, col_hi):
    """Temporarily relax integrality and/or change bounds of a built model's variables."""
    variables = model.variables
    saved = [(v.cat, v.lowBound, v.upBound) for v in variables]
    try:
        if relax:
            for v in variables:
                v.cat = pulp.LpContinuous
        if col_lo is not None:
            for v, lb in zip(variables, col_lo.tolist()):
                v.lowBound = lb if np.isfinite(lb) else None
        if col_hi is not None:
            for v, ub in zip(variables, col_hi.tolist()):
                v.upBound = ub if np.isfinite(ub) else None
        yield
    finally:
        for v, (cat, lb, ub) in zip(variables, saved):
            v.cat, v.lowBound, v.upBound = cat, lb, ub


def solve_model(model: PulpModel, options: SolveOptions | None = None, *,
                relax: bool = False, col_lo: np.ndarray | None = None,
                col_hi: np.ndarray | None = None) -> SolveResult:
    """Solve a built model with ``options`` (default: HiGHS, no limits); never raises for
    infeasible or unsolved models (see ``status``).

    ``options.start`` (column values of a feasible plan) is handed to HiGHS, SCIP and CBC
    as their first incumbent; other solvers ignore it. ``relax``, ``col_lo`` and
    ``col_hi`` solve a variant of the model (LP relaxation, other bounds) without building
    it again. ``options.progress`` (default: the ambient one, see
    :func:`.progress.reporting`) receives :class:`.progress.Progress` reports, elapsed
    seconds counted from this call, under ``options.phase`` (default: what the solve is,
    see :func:`_phase`).
    """
    opts = options or SolveOptions()
    opts = opts.but(progress=opts.progress or ambient_progress(),
                    phase=opts.phase or _phase(model, relax, col_lo is not None
                                               or col_hi is not None))
    real = pulp_name(opts.solver or "highs")
    t_call = time.perf_counter()
    if model.lp.violated_empty_row():  # for every solver, before any is started
        result = SolveResult("infeasible", None, None, None, None, solver_version(real), 0.0,
                             "a constraint with no variables cannot be met")
    elif real in _BACKENDS:
        backend = _BACKENDS[real]
        result = backend.solve(model.lp, solver_version(real), opts,
                               relax=relax or model.relax, col_lo=col_lo, col_hi=col_hi,
                               t_call=t_call)
    elif relax or col_lo is not None or col_hi is not None:
        with _overridden(model, relax, col_lo, col_hi):
            result = _solve_reporting(replace(model, relax=model.relax or relax), real, opts,
                                      t_call)
    else:
        result = _solve_reporting(model, real, opts, t_call)
    _report_done(opts.progress, opts.phase, t_call, result)
    return result


def _phase(model: PulpModel, relax: bool, bounds_changed: bool) -> str:
    """What a solve is, in :data:`.progress.PHASES` terms."""
    if not model.lp.arrays()["integer"].any():
        return "LP"
    if bounds_changed:
        return "warm start"  # a restricted variant: the warm-start heuristic
    return "LP relaxation" if relax or model.relax else "branch and bound"


def _report_done(progress: ProgressFn | None, phase: str, t_call: float,
                 result: SolveResult) -> None:
    if progress is not None:
        progress(Progress(phase, time.perf_counter() - t_call, result.objective,
                          result.best_bound, result.mip_gap))


def _solve_reporting(model: PulpModel, real: str, opts: SolveOptions,
                     t_call: float) -> SolveResult:
    """A solver with no backend of its own, through PuLP: no start, no progress but at the
    start and end, and no bound but an optimum's."""
    version = solver_version(real)
    prob, variables, lp = model.prob, model.variables, model.lp
    if opts.progress is not None:
        opts.progress(Progress(opts.phase or "", time.perf_counter() - t_call))
    t0 = time.perf_counter()
    solved = prob.solve(_make_solver(real, opts))
    seconds = time.perf_counter() - t0
    status = _solve_status(prob, solved)
    if status in ("infeasible", "no_solution"):
        return SolveResult(status, None, None, None, None, version, seconds,
                           _status_words(prob, solved))
    x = np.array([v.varValue if v.varValue is not None else 0.0 for v in variables])
    objective = float(lp.arrays()["c"] @ x)
    bound = objective if status == "optimal" else None
    return SolveResult(status, objective, bound, gap_of(objective, finite(bound)), x, version,
                       seconds)
