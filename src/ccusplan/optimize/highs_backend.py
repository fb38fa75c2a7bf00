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

A large LP (the warm start's relaxation) is solved by the simplex and the interior
point method at once when the solve may use more than one thread
(:func:`_concurrent_lp`).
"""

from __future__ import annotations

import threading
import time
from multiprocessing.connection import Connection

import highspy
import numpy as np

from ccusplan.optimize.deadline import HARD_LIMIT_COLUMNS, REPORT_S, run_in_child, take_improved
from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.progress import Progress, watch_highs
from ccusplan.optimize.result import SolveResult, Termination, gap_of


#: LPs with at least this many columns are solved concurrently (:func:`_concurrent_lp`);
#: below, the simplex takes a few seconds at most (the reduced China network, 68,694
#: columns: 3.2 s, the interior point method 9.0 s).
CONCURRENT_LP_COLUMNS = 50_000


def solve(lp: LinearProgram, version: str, opts: SolveOptions, *, relax: bool = False,
          col_lo: np.ndarray | None = None, col_hi: np.ndarray | None = None,
          t_call: float = 0.0) -> SolveResult:
    """Solve ``lp`` (its LP relaxation if ``relax``; other bounds if given) with HiGHS."""
    arr = lp.arrays()
    A = arr["A"].tocsc()
    lo = arr["col_lo"] if col_lo is None else col_lo
    hi = arr["col_hi"] if col_hi is None else col_hi
    integer = arr["integer"] & (not relax)
    progress, phase = opts.progress, opts.phase or ""

    if not integer.any() and A.shape[1] >= CONCURRENT_LP_COLUMNS and opts.threads != 1:
        return _concurrent_lp(arr, A, lo, hi, opts, version, t_call)
    if integer.any() and opts.time_limit_s is not None and A.shape[1] >= HARD_LIMIT_COLUMNS:
        if progress is not None:
            progress(Progress(phase, time.perf_counter() - t_call))
        return solve_in_child(arr, lo, hi, opts, version=version, t_call=t_call)
    h = highs_model(arr, A, lo, hi, integer, opts)
    if integer.any():
        _set_start(h, opts.start)
        if (stop := opts.stop) is not None:
            h.cbMipInterrupt.subscribe(lambda e: e.interrupt() if stop.is_set() else None)
    if progress is not None:
        progress(Progress(phase, time.perf_counter() - t_call))
        watch_highs(h, phase, progress, t_call)

    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    return _result(h, arr["c"], bool(integer.any()), version, seconds)


def highs_model(arr: dict, A, lo: np.ndarray, hi: np.ndarray, integer: np.ndarray,
                opts: SolveOptions, names: tuple[list[str], list[str]] | None = None) -> QuietHighs:
    """A HiGHS instance holding the model, with the time limit, gap, thread count and seed
    of ``opts`` set, and its column and row ``names`` if given."""
    h = QuietHighs(output=opts.msg)
    if opts.time_limit_s is not None:
        h.setOptionValue("time_limit", float(max(opts.time_limit_s, 0.0)))
    if opts.mip_gap is not None:
        h.setOptionValue("mip_rel_gap", float(opts.mip_gap))
    if opts.seed is not None:
        h.setOptionValue("random_seed", int(opts.seed))
    h.setOptionValue("threads", use_threads(opts.threads))
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
    if names is not None:
        model.col_names_, model.row_names_ = names
    h.passModel(model)
    return h


def _set_start(h: QuietHighs, start: np.ndarray | None) -> None:
    """Hand HiGHS ``start`` (column values of a feasible plan) as its first incumbent."""
    if start is None:
        return
    sol = highspy.HighsSolution()
    sol.col_value = np.asarray(start, float).tolist()
    sol.value_valid = True
    h.setSolution(sol)


def write_model(lp: LinearProgram, path, *, relax: bool = False,
                col_lo: np.ndarray | None = None, col_hi: np.ndarray | None = None) -> None:
    """Write ``lp`` (its LP relaxation if ``relax``; other column bounds if given) as an
    MPS file, or an LP file if ``path`` ends in ``.lp``, with its column and row names
    (:meth:`.LinearProgram.column_names`, :meth:`.LinearProgram.row_names`)."""
    arr = lp.arrays()
    lo = arr["col_lo"] if col_lo is None else col_lo
    hi = arr["col_hi"] if col_hi is None else col_hi
    integer = arr["integer"] & (not relax)
    h = highs_model(arr, arr["A"].tocsc(), lo, hi, integer, SolveOptions(),
                    names=(lp.column_names(), lp.row_names()))
    status = h.writeModel(str(path))
    if status == highspy.HighsStatus.kError:
        raise OSError(f"HiGHS could not write the model to {path}")


def _concurrent_lp(arr: dict, A, lo: np.ndarray, hi: np.ndarray, opts: SolveOptions,
                   version: str, t_call: float) -> SolveResult:
    """An LP solved by the dual simplex and the interior point method at once
    (:func:`concurrent_lp`)."""
    if opts.progress is not None:
        opts.progress(Progress(opts.phase or "", time.perf_counter() - t_call))
    h, seconds = concurrent_lp(arr, A, lo, hi, opts)
    return _result(h, arr["c"], False, version, seconds)


def concurrent_lp(arr: dict, A, lo: np.ndarray, hi: np.ndarray,
                  opts: SolveOptions) -> tuple[QuietHighs, float]:
    """An LP solved by the dual simplex and the interior point method (with crossover,
    for a vertex) at once, one thread each: the first to finish wins and interrupts the
    other; returned with its seconds, its solution and basis there to solve on from.
    Neither wins everywhere: the LP relaxation of a synthetic network with 2,000
    sources takes the simplex 165.6 s and the interior point method 37.8 s; the whole
    China network's, more than 300 s and 195 s (benchmarks/README.md, "The LP relaxation
    and re-sizing at scale")."""
    none = np.zeros(A.shape[1], dtype=bool)
    one = opts.but(threads=1)
    runs = {name: highs_model(arr, A, lo, hi, none, one) for name in ("simplex", "ipm")}
    done = threading.Event()
    first: list[tuple[str, float]] = []
    lock = threading.Lock()

    def stop(event) -> None:
        if done.is_set():
            event.interrupt()

    def go(name: str) -> None:
        t0 = time.perf_counter()
        runs[name].run()
        with lock:
            if not done.is_set():
                first.append((name, time.perf_counter() - t0))
                done.set()

    for name, h in runs.items():
        h.setOptionValue("solver", name)
        h.cbSimplexInterrupt.subscribe(stop)
        h.cbIpmInterrupt.subscribe(stop)
    threads = [threading.Thread(target=go, args=(n,), name=f"highs-{n}") for n in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.clear()  # both have ended: later solves on the winner run uninterrupted
    name, seconds = first[0]
    return runs[name], seconds


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
    unbounded = ms in (S.kUnbounded, S.kUnboundedOrInfeasible)
    if ms == S.kOptimal:
        status = "optimal"
    elif feasible and not unbounded:
        status = "feasible"
    else:
        why = Termination.UNBOUNDED if unbounded else Termination.TIME_LIMIT_NO_PLAN \
            if ms == S.kTimeLimit else Termination.ERROR
        return SolveResult("no_solution", None, None, None, None, version, seconds,
                           h.modelStatusToString(ms), termination=why)
    x = np.asarray(h.getSolution().col_value, float)
    objective = float(c @ x)
    if has_int:
        bound = float(info.mip_dual_bound)
        bound = bound if np.isfinite(bound) and abs(bound) < 1e49 else None
    else:  # an LP's objective bounds it only when proven optimal
        bound = objective if status == "optimal" else None
    if status == "optimal" and bound is None:
        bound = objective
    gap = gap_of(objective, bound)
    why = None if status == "optimal" else Termination.TIME_LIMIT if ms == S.kTimeLimit \
        else Termination.INTERRUPTED
    return SolveResult(status, objective, bound, gap, x, version, seconds,
                       "" if status == "optimal" else h.modelStatusToString(ms),
                       termination=why)


def solve_in_child(arr: dict, lo: np.ndarray, hi: np.ndarray, opts: SolveOptions, *,
                   version: str, t_call: float | None = None,
                   solver_time_limit_s: float | None = None) -> SolveResult:
    """A HiGHS MIP in a child process stopped at a hard deadline, keeping the best plan
    streamed (:func:`.deadline.run_in_child`)."""
    return run_in_child(_streaming, arr, lo, hi, opts, version=version,
                        t_call=time.perf_counter() if t_call is None else t_call,
                        solver_time_limit_s=solver_time_limit_s)


def _streaming(conn: Connection, arr: dict, lo, hi, opts: SolveOptions, version: str,
               inbox=None) -> None:
    """In the child process of :func:`.deadline.run_in_child`: solve, sending each better
    plan and the bound as HiGHS reports them, then the result; plans improved by the
    parent (``inbox``) are handed to HiGHS as user solutions when it asks for them."""
    A = arr["A"].tocsc()
    h = highs_model(arr, A, lo, hi, arr["integer"], opts)
    _set_start(h, opts.start)
    last = [0.0]

    def user_solution(e) -> None:
        if (x := take_improved(inbox)) is not None:
            e.data_in.setSolution(x)

    if inbox is not None:
        h.cbMipUserSolution.subscribe(user_solution)

    def plan(e) -> None:
        conn.send(("plan", np.array(e.data_out.mip_solution, dtype=float)))
        conn.send(("bound", float(e.data_out.mip_dual_bound)))

    def bound(e) -> None:
        if (now := time.perf_counter()) - last[0] >= REPORT_S:
            last[0] = now
            conn.send(("bound", float(e.data_out.mip_dual_bound)))

    h.cbMipImprovingSolution.subscribe(plan)
    h.cbMipLogging.subscribe(bound)
    h.cbMipInterrupt.subscribe(bound)
    t0 = time.perf_counter()
    h.run()
    result = _result(h, arr["c"], True, version, time.perf_counter() - t0)
    conn.send(("done", result))
    conn.close()
