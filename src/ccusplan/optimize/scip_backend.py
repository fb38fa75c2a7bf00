"""SCIP through PySCIPOpt: the model's arrays handed over as an MPS file, plans and
bounds reported through SCIP's events.

SCIP (Apache 2.0) brings separators HiGHS lacks, among them one for network cut-sets
(the multi-commodity-flow separator; Achterberg and Raack 2010, "The MCF-separator:
detecting and exploiting multi-commodity flow structures in MIPs", Math. Programming
Computation 2(2)). The model reaches SCIP as the MPS file HiGHS writes from the arrays
(:func:`.highs_backend.write_model`): one call each way, no Python object per row.
SCIP orders its variables by type, so they are matched to columns by name.

SCIP runs one thread; ``threads`` is ignored. It checks its time limit within its LP
solves too, so it is not run in a child process (:mod:`.deadline`).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.progress import Progress, ProgressFn
from ccusplan.optimize.result import SolveResult, Termination, finite, gap_of

#: Least seconds between two progress reports from SCIP's node events.
REPORT_S = 0.5


def available() -> bool:
    """Whether PySCIPOpt imports here."""
    try:
        import pyscipopt  # noqa: F401
    except ImportError:
        return False
    return True


def version() -> str:
    """SCIP's version, e.g. ``"10.0.0"``."""
    import pyscipopt

    m = pyscipopt.Model()
    return f"{m.getMajorVersion()}.{m.getMinorVersion()}.{m.getTechVersion()}"


def solve(lp: LinearProgram, version: str, *, relax: bool = False,
          col_lo: np.ndarray | None = None, col_hi: np.ndarray | None = None,
          time_limit_s: float | None = None, mip_gap: float | None = None,
          threads: int | None = None, msg: bool = False, start: np.ndarray | None = None,
          progress: ProgressFn | None = None, phase: str = "",
          t_call: float = 0.0) -> SolveResult:
    """Solve ``lp`` (its LP relaxation if ``relax``; other bounds if given) with SCIP."""
    import pyscipopt

    from ccusplan.optimize.highs_backend import write_model

    arr = lp.arrays()
    c = arr["c"]
    integer = arr["integer"] & (not relax)
    if len(c) == 0:
        return SolveResult("optimal", 0.0, 0.0, 0.0, np.zeros(0), version, 0.0)
    m = pyscipopt.Model()
    m.hideOutput(not msg)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.mps"
        write_model(lp, path, relax=relax, col_lo=col_lo, col_hi=col_hi)
        m.readProblem(str(path))
    variables = m.getVars()
    index = {name: j for j, name in enumerate(lp.column_names())}
    order = np.array([index[v.name] for v in variables], dtype=int)
    if time_limit_s is not None:
        m.setParam("limits/time", float(max(time_limit_s, 0.0)))
    if mip_gap is not None:
        m.setParam("limits/gap", float(mip_gap))
    if start is not None and integer.any():
        sol = m.createSol()
        values = np.asarray(start, float)[order]
        for v, val, k in zip(variables, values.tolist(), integer[order].tolist()):
            m.setSolVal(sol, v, round(val) if k else val)
        m.addSol(sol, free=True)
    if progress is not None:
        progress(Progress(phase, time.perf_counter() - t_call))
        m.includeEventhdlr(_Watch(progress, phase, t_call), "ccusplan-progress",
                           "reports plans and bounds")
    t0 = time.perf_counter()
    m.optimize()
    seconds = time.perf_counter() - t0
    return _result(m, variables, order, c, bool(integer.any()), version, seconds)


def _result(m, variables, order: np.ndarray, c: np.ndarray, has_int: bool, version: str,
            seconds: float) -> SolveResult:
    status = m.getStatus()
    if status == "infeasible":
        return SolveResult("infeasible", None, None, None, None, version, seconds, status)
    if m.getNSols() == 0 or status in ("unbounded", "inforunbd"):
        why = Termination.UNBOUNDED if status in ("unbounded", "inforunbd") else \
            Termination.TIME_LIMIT_NO_PLAN if status == "timelimit" else Termination.ERROR
        return SolveResult("no_solution", None, None, None, None, version, seconds, status,
                           termination=why)
    best = m.getBestSol()
    x = np.zeros(len(c))
    x[order] = [m.getSolVal(best, v) for v in variables]
    objective = float(c @ x)
    bound = finite(m.getDualbound()) if has_int or status == "optimal" else None
    if bound is not None:
        bound = min(bound, objective)
    done = status in ("optimal", "gaplimit")
    why = None if done else Termination.TIME_LIMIT if status == "timelimit" \
        else Termination.INTERRUPTED
    return SolveResult("optimal" if done else "feasible", objective, bound,
                       gap_of(objective, bound), x, version, seconds,
                       "" if done else status, termination=why)


def _watch_class():
    import pyscipopt

    class Watch(pyscipopt.Eventhdlr):
        """Reports every better plan, and the bound at most every :data:`REPORT_S`."""

        def __init__(self, progress: ProgressFn, phase: str, t0: float):
            self.progress, self.phase, self.t0, self.last = progress, phase, t0, -REPORT_S

        def eventinit(self):
            E = pyscipopt.SCIP_EVENTTYPE
            self.model.catchEvent(E.BESTSOLFOUND | E.NODESOLVED, self)

        def eventexit(self):
            E = pyscipopt.SCIP_EVENTTYPE
            self.model.dropEvent(E.BESTSOLFOUND | E.NODESOLVED, self)

        def eventexec(self, event):
            now = time.perf_counter()
            found = event.getType() == pyscipopt.SCIP_EVENTTYPE.BESTSOLFOUND
            if not found and now - self.last < REPORT_S:
                return
            self.last = now
            m = self.model
            inc = finite(m.getPrimalbound()) if m.getNSols() else None
            bound = finite(m.getDualbound())
            self.progress(Progress(self.phase, now - self.t0, inc, bound, gap_of(inc, bound)))

    return Watch


def _Watch(progress: ProgressFn, phase: str, t0: float):
    return _watch_class()(progress, phase, t0)
