"""A MIP solve under a hard deadline, keeping the best plan found.

HiGHS checks its clock between steps, not within them, and some steps run for minutes
on large models: the analytic centre behind its central-rounding heuristic, computed
at the root with no time limit and no option to turn it off in HiGHS 1.15 or 1.16
(the reduced China case given 120 s took 214 s). A MIP with at least
:data:`HARD_LIMIT_COLUMNS` columns is therefore solved in a child process: the child
streams every improving plan (its objective and column values) and its bound to the
parent as HiGHS finds them (HiGHS's MIP callbacks, in
:func:`.highs_backend.solve_in_child`), and the parent stops the child :func:`grace_s`
after the time limit if HiGHS has not ended by then. The plan is then the best one
streamed (or the start), with the last bound, status ``feasible`` (or ``no_solution``),
termination ``time_limit`` and the message ``stopped at the time limit``.

Children start from a fork server (:mod:`multiprocessing`): a clean process with the
solver already imported, forked for each solve, so no HiGHS threads are inherited and
starting one costs milliseconds. The model's arrays reach the child pickled (about a
second for the 230,000-column China case). The caller's main script is not run again in
the child (:func:`_main_script_hidden`): a script calling ccusplan needs no
``if __name__ == "__main__"`` guard.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import numpy as np

from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.progress import Progress
from ccusplan.optimize.result import SolveResult, Termination, finite, gap_of

#: MIPs with at least this many columns run in a child process stopped at the deadline;
#: smaller ones end within a second or so of their time limit in HiGHS itself.
HARD_LIMIT_COLUMNS = 5_000
#: Least seconds between two bound reports from the child's interrupt checks.
REPORT_S = 0.5

_CONTEXT: list[mp.context.BaseContext] = []
_STARTING = threading.Lock()


def grace_s(time_limit_s: float) -> float:
    """Seconds past its time limit a solve may run before its child is stopped: half of
    the max(5 s, 2 %) a solve may end late, the rest left for reading the plan back."""
    return max(2.5, 0.01 * time_limit_s)


def _context() -> mp.context.BaseContext:
    if not _CONTEXT:
        if "forkserver" in mp.get_all_start_methods():
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["ccusplan.optimize.highs_backend"])
        else:  # Windows: each child starts a new interpreter
            ctx = mp.get_context("spawn")
        _CONTEXT.append(ctx)
    return _CONTEXT[0]


def run_in_child(target: Callable, arr: dict, lo: np.ndarray, hi: np.ndarray,
                 opts: SolveOptions, *, t_call: float, version: str,
                 solver_time_limit_s: float | None = None) -> SolveResult:
    """Solve the MIP of ``arr`` (:meth:`.LinearProgram.arrays`, with column bounds ``lo``,
    ``hi``) in a child process running ``target``, stopped ``grace_s`` after
    ``opts.time_limit_s``. ``target(conn, arr, lo, hi, opts, version)`` solves with the
    solver's own limit ``solver_time_limit_s`` (default ``opts.time_limit_s``), sending
    ``("plan", x)`` for each better plan, ``("bound", b)`` as the bound moves and
    ``("done", SolveResult)`` at the end; ``opts.progress`` hears of them here."""
    time_limit_s, start, progress, phase = opts.time_limit_s, opts.start, opts.progress, \
        opts.phase or ""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    t0 = time.perf_counter()
    child = ctx.Process(
        target=target, name="ccusplan-solver", daemon=True,
        args=(send, arr, lo, hi, opts.for_child().but(
            time_limit_s=solver_time_limit_s or time_limit_s), version))
    with _main_script_hidden():
        child.start()
    send.close()
    deadline = t0 + time_limit_s + grace_s(time_limit_s)
    c = arr["c"]
    # the start is a plan too, and HiGHS reports only the plans it finds itself
    x = None if start is None else np.asarray(start, float)
    bound, final = None, None
    try:
        while final is None:
            wait = deadline - time.perf_counter()
            if wait <= 0:
                break
            try:
                if not receive.poll(min(wait, 1.0)):
                    if not child.is_alive() and not receive.poll(0):
                        break  # gone without a word: killed from outside, out of memory
                    continue
                kind, *body = receive.recv()
            except (EOFError, OSError):
                break
            if kind == "plan":
                if x is None or float(c @ body[0]) < float(c @ x):
                    x = body[0]
            elif kind == "bound":
                bound = finite(body[0]) if finite(body[0]) is not None else bound
            elif kind == "done":
                final = body[0]
                break
            if progress is not None and kind in ("plan", "bound"):
                inc = None if x is None else float(c @ x)
                progress(Progress(phase, time.perf_counter() - t_call, inc, bound,
                                  gap_of(inc, bound)))
    finally:
        stopped = child.is_alive()
        if stopped:
            child.kill()
        child.join()
        receive.close()
    seconds = time.perf_counter() - t0
    if final is not None:
        return replace(final, overhead_seconds=max(seconds - final.solve_seconds, 0.0))
    why = "stopped at the time limit" if stopped else \
        f"the solver process ended unexpectedly (exit status {child.exitcode})"
    if x is None:
        return SolveResult("no_solution", None, None, None, None, version, seconds,
                           why + ", with no plan found", termination=Termination.
                           TIME_LIMIT_NO_PLAN if stopped else Termination.ERROR)
    objective = float(c @ x)
    bound = None if bound is None else min(bound, objective)
    return SolveResult("feasible", objective, bound, gap_of(objective, bound), x, version,
                       seconds, why, termination=Termination.TIME_LIMIT if stopped
                       else Termination.INTERRUPTED)


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """While a child starts, ``__main__`` names no script: multiprocessing would otherwise
    have the child import the caller's script again, running it whole where it has no
    ``if __name__ == "__main__"`` guard (and every solve in it with it). The child needs
    nothing from it."""
    main = sys.modules.get("__main__")
    with _STARTING:
        if main is None:
            yield
            return
        saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
        main.__dict__.pop("__file__", None)
        main.__spec__ = None
        try:
            yield
        finally:
            main.__dict__.update(saved)
            if "__spec__" not in saved:
                main.__dict__.pop("__spec__", None)
