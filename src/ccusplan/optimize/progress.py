"""Progress of a running solve, for a live display: phase, elapsed time, incumbent, bound, gap.

A *progress callable* takes one :class:`Progress`. The optimize layer only calls it
(it knows nothing of terminals); ``ccusplan solve`` shows it as a live line.

Where the numbers come from:

* HiGHS (in-process): its MIP callbacks (:func:`watch_highs`): logging lines every
  second or so, interrupt checks, and whenever a better plan is found;
* CBC (a subprocess): its log file, read by a background thread while CBC runs
  (:class:`CbcLogWatcher`): the ``Cbc0010I After N nodes ... best solution ...,
  best possible ...`` lines;
* every solve: one event when it starts and one with its result when it ends.

:func:`reporting` makes a callable the *ambient* one for the solves run inside it
(e.g. the warm start's LP relaxation and restricted MILP), so it need not be passed
through every function in between.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from ccusplan.optimize.result import finite, gap_of

#: Phases, in the order a solve goes through them.
PHASES = ("site floor", "LP relaxation", "warm start", "branch and bound", "region search",
          "re-size", "polish", "LP", "done")
#: Least seconds between two reports from HiGHS's interrupt checks.
HIGHS_INTERRUPT_S = 0.5
#: Seconds between two reads of CBC's log.
CBC_POLL_S = 0.5
_CBC_STATUS = re.compile(r"Cbc0010I After \d+ nodes, \d+ on tree, (\S+) best solution, "
                         r"best possible (\S+)")
_CBC_FOUND = re.compile(r"Cbc00(?:04|12)I Integer solution of (\S+) found")


@dataclass(frozen=True)
class Progress:
    """One progress report.

    Attributes
    ----------
    phase : str
        One of :data:`PHASES`: the model without transport (:mod:`.floor`), the LP
        relaxation, the warm-start heuristic (a restricted MILP), the full MILP's
        branch and bound, a region's MILP searched beside it (:mod:`.neighbourhoods`),
        the plan's pipes re-sized and its transport design polished with its sites
        fixed (:mod:`.polish`; their bounds hold for those sites only), a pure LP, or
        ``done``.
    elapsed_s : float
        Seconds since the solve started (since :func:`ccusplan.optimize.run` started
        solving, when it is the caller).
    incumbent : float or None
        Objective of the best plan found so far (MUSD), None before the first.
    bound : float or None
        Best proven lower bound (MUSD) of the solve in progress, None while unknown
        (the warm start's restricted MILP proves a bound for itself only).
    gap : float or None
        Relative gap ``(incumbent - bound) / |incumbent|``, None while either is unknown.
    """

    phase: str
    elapsed_s: float
    incumbent: float | None = None
    bound: float | None = None
    gap: float | None = None


ProgressFn = Callable[[Progress], None]

_AMBIENT: ContextVar[ProgressFn | None] = ContextVar("ccusplan_progress", default=None)


@contextmanager
def reporting(progress: ProgressFn | None) -> Iterator[None]:
    """Solves run inside this block report to ``progress`` unless given their own."""
    token = _AMBIENT.set(progress)
    try:
        yield
    finally:
        _AMBIENT.reset(token)


def ambient_progress() -> ProgressFn | None:
    """The callable set by the innermost :func:`reporting` block, if any."""
    return _AMBIENT.get()


def watch_highs(highs, phase: str, progress: ProgressFn, t0: float) -> None:
    """Subscribe ``progress`` to a ``highspy.Highs``'s MIP events.

    Logging lines and new incumbents are reported as they come; the frequent
    interrupt checks at most every :data:`HIGHS_INTERRUPT_S` seconds. (HiGHS 1.15
    fires no MIP logging callback unless the interrupt callback is on too.)
    """
    last = [-HIGHS_INTERRUPT_S]

    def report(e) -> None:
        d = e.data_out
        inc, bound = finite(d.mip_primal_bound), finite(d.mip_dual_bound)
        progress(Progress(phase, time.perf_counter() - t0, inc, bound, gap_of(inc, bound)))

    def interrupt_check(e) -> None:
        if (now := time.perf_counter()) - last[0] >= HIGHS_INTERRUPT_S:
            last[0] = now
            report(e)

    highs.cbMipLogging.subscribe(report)
    highs.cbMipImprovingSolution.subscribe(report)
    highs.cbMipInterrupt.subscribe(interrupt_check)


class CbcLogWatcher:
    """A thread reading CBC's log file while CBC runs, reporting its incumbent and bound.

    Use as a context manager around the solve; the thread stops on exit.
    """

    def __init__(self, log_path: Path, phase: str, progress: ProgressFn, t0: float):
        self._path, self._phase, self._progress, self._t0 = Path(log_path), phase, progress, t0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="cbc-log", daemon=True)
        self._incumbent: float | None = None
        self._bound: float | None = None

    def __enter__(self) -> CbcLogWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        offset = 0
        while not self._stop.wait(CBC_POLL_S):
            if not self._path.exists():
                continue
            with self._path.open("rb") as fh:
                fh.seek(offset)
                data = fh.read()
            done = data.rfind(b"\n") + 1  # whole lines only: a partial one is read next time
            offset += done
            self.read(data[:done].decode(errors="replace"))
            self._progress(Progress(self._phase, time.perf_counter() - self._t0, self._incumbent,
                                    self._bound, gap_of(self._incumbent, self._bound)))

    def read(self, text: str) -> None:
        """Take the latest incumbent and bound from new log lines.

        >>> w = CbcLogWatcher(Path("log"), "branch and bound", print, 0.0)
        >>> w.read("Cbc0012I Integer solution of 150 found by DiveCoefficient after 9 iterations\\n"
        ...        "Cbc0010I After 100 nodes, 7 on tree, 140 best solution, best possible 126.5 "
        ...        "(0.31 seconds)\\n")
        >>> w._incumbent, w._bound
        (140.0, 126.5)
        """
        for line in text.splitlines():
            if m := _CBC_STATUS.search(line):
                inc, bound = finite(float(m.group(1))), finite(float(m.group(2)))
                self._incumbent = self._incumbent if inc is None else inc
                self._bound = self._bound if bound is None else bound
            elif m := _CBC_FOUND.search(line):
                self._incumbent = finite(float(m.group(1)))
