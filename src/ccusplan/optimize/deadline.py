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

Given ``opts.improve``, the parent also improves the plans it receives while the child
searches (on the other core when the solver runs one thread): each better plan is handed
to ``improve`` — ``ccusplan.optimize.run`` re-sizes its pipes for its flows and searches
it region by region (:mod:`.neighbourhoods`) — and a
cheaper result goes back to the child through a queue, which HiGHS takes as a user
solution (its ``kCallbackMipUserSolution``, asked for before each dive and during the
root node) to prune with and to start its own heuristics from. HiGHS's search rarely
re-sizes a plan's pipes itself: on the reduced China case its incumbent after 10 minutes
was still the warm start's, with 21,055 MUSD of transport where the same flows need
4,688.

Children start from a fork server (:mod:`multiprocessing`): a clean process with the
solver already imported, forked for each solve, so no HiGHS threads are inherited and
starting one costs milliseconds. The model's arrays reach the child pickled (about a
second for the 230,000-column China case). The caller's main script is not run again in
the child (:func:`_main_script_hidden`): a script calling ccusplan needs no
``if __name__ == "__main__"`` guard.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Protocol

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


class Improver(Protocol):
    """What improves plans in the parent while a child searches (``SolveOptions.improve``)."""

    def step(self, x: np.ndarray, seconds: float,
             stop: threading.Event | None = None) -> np.ndarray | None:
        """One step of improving the plan ``x`` within ``seconds``, cut short once ``stop``
        is set (the search it serves has ended): a cheaper feasible plan, or ``None``."""

    def idle(self, x: np.ndarray) -> bool:
        """Whether there is nothing left to try on ``x``."""


def run_in_child(target: Callable, arr: dict, lo: np.ndarray, hi: np.ndarray,
                 opts: SolveOptions, *, t_call: float, version: str,
                 solver_time_limit_s: float | None = None) -> SolveResult:
    """Solve the MIP of ``arr`` (:meth:`.LinearProgram.arrays`, with column bounds ``lo``,
    ``hi``) in a child process running ``target``, stopped ``grace_s`` after
    ``opts.time_limit_s``. ``target(conn, arr, lo, hi, opts, version)`` solves with the
    solver's own limit ``solver_time_limit_s`` (default ``opts.time_limit_s``), sending
    ``("plan", x)`` for each better plan, ``("bound", b)`` as the bound moves and
    ``("done", SolveResult)`` at the end; ``opts.progress`` hears of them here. With
    ``opts.improve`` (an :class:`Improver`), ``target`` gets a queue as its last argument
    too, of the plans improved here to take as its own (:func:`take_improved`), and the
    improver's steps run whenever no message is waiting and it is not idle, each cut short
    when the child ends; once the best plan is within ``opts.mip_gap`` of the child's last
    bound, the child is stopped and the solve is over. Once ``opts.stop`` is set, the
    child is stopped and its best plan kept, as at the deadline."""
    time_limit_s, start, progress, phase = opts.time_limit_s, opts.start, opts.progress, \
        opts.phase or ""
    improver: Improver | None = opts.improve
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    inbox = None if improver is None else ctx.Queue()
    t0 = time.perf_counter()
    child = ctx.Process(
        target=target, name="ccusplan-solver", daemon=True,
        args=(send, arr, lo, hi, opts.for_child().but(
            time_limit_s=solver_time_limit_s or time_limit_s), version,
            *(() if inbox is None else (inbox,))))
    with _main_script_hidden():
        child.start()
    send.close()
    # a thread reads the child's messages as they come, so that the child never waits on a
    # full pipe while the improver works here
    messages: queue.Queue = queue.Queue()
    ended = threading.Event()  # the child's result (or its end) has come
    threading.Thread(target=_read_all, args=(receive, messages, ended), daemon=True,
                     name="ccusplan-solver-messages").start()
    deadline = t0 + time_limit_s + grace_s(time_limit_s)
    c = arr["c"]
    # the start is a plan too, and HiGHS reports only the plans it finds itself
    x = None if start is None else np.asarray(start, float)
    bound, final, proven = None, None, False
    try:
        while final is None:
            wait = deadline - time.perf_counter()
            if wait <= 0 or (opts.stop is not None and opts.stop.is_set()):
                break
            if improver is not None and x is not None and opts.mip_gap is not None and \
                    (gap := gap_of(float(c @ x), bound)) is not None and gap <= opts.mip_gap:
                # the best plan (one improved here, as a rule) is within the gap of the
                # bound the child streamed: the solve is done (the child would take the
                # plan, and end, a second later)
                proven = True
                break
            busy = improver is not None and x is not None and not improver.idle(x)
            if busy and messages.empty():
                better = improver.step(x, wait, ended)
                if better is not None and float(c @ better) < float(c @ x) - 1e-9:
                    x = np.asarray(better, float)
                    inbox.put(x)
                    _report(progress, phase, t_call, c, x, bound)
                continue
            try:
                message = messages.get(timeout=min(wait, 1.0 if opts.stop is None else 0.2))
            except queue.Empty:
                continue
            if message is None:
                break  # gone without a word: killed from outside, out of memory
            kind, *body = message
            if kind == "plan":
                if x is None or float(c @ body[0]) < float(c @ x):
                    x = body[0]
            elif kind == "bound":
                bound = finite(body[0]) if finite(body[0]) is not None else bound
            elif kind == "done":
                final = body[0]
                break
            if kind in ("plan", "bound"):
                _report(progress, phase, t_call, c, x, bound)
    finally:
        stopped = child.is_alive()
        if stopped:
            child.kill()
        child.join()
        receive.close()
        if inbox is not None:
            inbox.cancel_join_thread()  # a plan the child never took is dropped
            inbox.close()
    seconds = time.perf_counter() - t0
    if final is not None:
        final = replace(final, overhead_seconds=max(seconds - final.solve_seconds, 0.0))
        if x is not None and final.x is not None and float(c @ x) < final.objective - 1e-9:
            # improved here after the solver's last look at its queue
            final = replace(final, x=x, objective=float(c @ x),
                            mip_gap=gap_of(float(c @ x), final.best_bound))
        return final
    if proven:
        objective = float(c @ x)
        bound = min(bound, objective)
        return SolveResult("optimal", objective, bound, gap_of(objective, bound), x, version,
                           seconds, "a plan improved beside the solver is within the gap "
                           "of its bound")
    cancelled = stopped and opts.stop is not None and opts.stop.is_set()
    why = "stopped: the search it served has ended" if cancelled else \
        "stopped at the time limit" if stopped else \
        f"the solver process ended unexpectedly (exit status {child.exitcode})"
    if x is None:
        return SolveResult("no_solution", None, None, None, None, version, seconds,
                           why + ", with no plan found", termination=Termination.
                           TIME_LIMIT_NO_PLAN if stopped else Termination.ERROR)
    objective = float(c @ x)
    bound = None if bound is None else min(bound, objective)
    return SolveResult("feasible", objective, bound, gap_of(objective, bound), x, version,
                       seconds, why, termination=Termination.TIME_LIMIT if stopped and not
                       cancelled else Termination.INTERRUPTED)


def _read_all(receive, messages: queue.Queue, ended: threading.Event) -> None:
    """Every message from ``receive`` into ``messages``, then ``None`` when it closes;
    ``ended`` set with the result or the close."""
    try:
        while True:
            message = receive.recv()
            messages.put(message)
            if message[0] == "done":
                ended.set()
    except (EOFError, OSError):
        messages.put(None)
        ended.set()


def _report(progress, phase: str, t_call: float, c: np.ndarray, x, bound) -> None:
    if progress is not None:
        inc = None if x is None else float(c @ x)
        progress(Progress(phase, time.perf_counter() - t_call, inc, bound, gap_of(inc, bound)))


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


def take_improved(inbox) -> np.ndarray | None:
    """In a child of :func:`run_in_child`: the latest plan the parent improved since the
    last call (earlier ones are dropped: each is cheaper than the one before), or
    ``None``."""
    latest = None
    while True:
        try:
            latest = inbox.get_nowait()
        except queue.Empty:
            return latest
