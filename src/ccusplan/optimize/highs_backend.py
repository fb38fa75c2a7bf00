"""HiGHS straight from the model's arrays: the default solver's path.

The :class:`LinearProgram` is already a column-wise sparse matrix with bounds,
so it is handed to ``highspy`` in one call (``passModel``), with no PuLP
objects in between. On the 230,000-column China case this takes well under a
second, where PuLP's hand-over took 6 s for the LP relaxation and 16 s for the
MILP, outside HiGHS's clock and so beyond the user's time limit
(benchmarks/README.md). Everything else behaves as through PuLP: the same
options, the same :class:`SolveResult`, progress from HiGHS's callbacks.

Two behaviours of HiGHS 1.16 are handled here, for every solve in a process:
its copyright banner, written to stdout when a ``Highs`` object is made, appears
only with solver output on (:class:`QuietHighs`); and its global thread
scheduler, which refuses a solve asking for a thread count other than the one it
was started with, is restarted when the count changes (:func:`use_threads`).
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.progress import Progress, ProgressFn, watch_highs
from ccusplan.optimize.result import SolveResult


def solve(lp: LinearProgram, version: str, *, relax: bool = False,
          col_lo: np.ndarray | None = None, col_hi: np.ndarray | None = None,
          time_limit_s: float | None = None, mip_gap: float | None = None,
          threads: int | None = None, msg: bool = False, start: np.ndarray | None = None,
          progress: ProgressFn | None = None, phase: str = "",
          t_call: float = 0.0) -> SolveResult:
    """Solve ``lp`` (its LP relaxation if ``relax``; other bounds if given) with HiGHS."""
    arr = lp.arrays()
    A = arr["A"].tocsc()
    lo = arr["col_lo"] if col_lo is None else col_lo
    hi = arr["col_hi"] if col_hi is None else col_hi
    integer = arr["integer"] & (not relax)
    if lp.violated_empty_row():
        return SolveResult("infeasible", None, None, None, None, version, 0.0,
                           "a constraint with no variables cannot be met")

    h = QuietHighs(output=msg)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(max(time_limit_s, 0.0)))
    if mip_gap is not None:
        h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("threads", use_threads(threads))
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = A.shape[1], A.shape[0]
    model.col_cost_ = arr["c"]
    model.col_lower_, model.col_upper_ = lo, hi
    model.row_lower_, model.row_upper_ = arr["row_lo"], arr["row_hi"]
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = A.indptr
    model.a_matrix_.index_ = A.indices
    model.a_matrix_.value_ = A.data
    if integer.any():
        model.integrality_ = np.where(integer, highspy.HighsVarType.kInteger,
                                      highspy.HighsVarType.kContinuous).tolist()
    h.passModel(model)
    if start is not None and integer.any():
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, float).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    if progress is not None:
        progress(Progress(phase, time.perf_counter() - t_call))
        watch_highs(h, phase, progress, t_call)

    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    return _result(h, arr["c"], bool(integer.any()), version, seconds)


class QuietHighs(highspy.Highs):
    """A ``highspy.Highs`` whose log (banner included) is on only if ``output``.

    ``highspy.Highs.__init__`` registers its callbacks through
    :meth:`enableCallbacks`, and HiGHS writes its banner then, before any option
    can be set on the object; the option is set here first.
    """

    def __init__(self, output: bool = False):
        self._output = bool(output)
        super().__init__()

    def enableCallbacks(self) -> None:
        self.setOptionValue("output_flag", self._output)
        super().enableCallbacks()


_scheduler_threads: list[int] = []  # the thread count HiGHS's scheduler was last started with


def use_threads(threads: int | None) -> int:
    """HiGHS's ``threads`` option for a solve asking for ``threads`` (None: HiGHS's default).

    HiGHS starts one scheduler per process, with the thread count of the first
    solve, and (from 1.16) refuses a later solve that asks for another count:
    the scheduler is restarted here whenever the count changes. Solves in one
    process run one after another; this is not for concurrent solves.
    """
    wanted = 0 if threads is None else int(threads)  # 0: HiGHS chooses
    if _scheduler_threads and _scheduler_threads[0] != wanted:
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads[:] = [wanted]
    return wanted


def version() -> str:
    """The HiGHS version, e.g. ``"1.16.0"``."""
    return QuietHighs().version()


def _result(h, c: np.ndarray, has_int: bool, version: str, seconds: float) -> SolveResult:
    ms = h.getModelStatus()
    S = highspy.HighsModelStatus
    info = h.getInfo()
    if ms == S.kInfeasible:
        return SolveResult("infeasible", None, None, None, None, version, seconds,
                           h.modelStatusToString(ms))
    if ms == S.kModelEmpty:
        return SolveResult("optimal", 0.0, 0.0, 0.0, np.zeros(len(c)), version, seconds)
    feasible = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if ms == S.kOptimal:
        status = "optimal"
    elif feasible and ms not in (S.kUnbounded, S.kUnboundedOrInfeasible):
        status = "feasible"
    else:
        return SolveResult("no_solution", None, None, None, None, version, seconds,
                           h.modelStatusToString(ms))
    x = np.asarray(h.getSolution().col_value, float)
    objective = float(c @ x)
    if has_int:
        bound = float(info.mip_dual_bound)
        bound = bound if np.isfinite(bound) and abs(bound) < 1e49 else None
    else:  # an LP's objective bounds it only when proven optimal
        bound = objective if status == "optimal" else None
    if status == "optimal" and bound is None:
        bound = objective
    gap = None if bound is None else abs(objective - bound) / max(abs(objective), 1e-9)
    return SolveResult(status, objective, bound, gap, x, version, seconds,
                       "" if status == "optimal" else h.modelStatusToString(ms))
