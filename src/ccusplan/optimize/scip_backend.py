"""SCIP through PySCIPOpt: the model's arrays handed over as an MPS file, plans and
bounds reported through SCIP's events.

SCIP (Apache 2.0) brings separators HiGHS lacks, among them one for network cut-sets
(the multi-commodity-flow separator; Achterberg and Raack 2010, "The MCF-separator:
detecting and exploiting multi-commodity flow structures in MIPs", Math. Programming
Computation 2(2)). The model reaches SCIP as the MPS file HiGHS writes from the arrays
(:func:`.highs_backend.write_model`): one call each way, no Python object per row.
SCIP orders its variables by type, so they are matched to columns by name.

SCIP runs one thread; ``threads`` is ignored. A MIP of
:data:`.deadline.HARD_LIMIT_COLUMNS` columns or more with a time limit is solved in a
child process stopped at the deadline, as HiGHS's is (:mod:`.deadline`): the child
streams every better plan and the bound from SCIP's events.
"""

from __future__ import annotations

import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from ccusplan.optimize.deadline import HARD_LIMIT_COLUMNS, run_in_child
from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.options import SolveOptions
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


def solve(lp: LinearProgram, version: str, opts: SolveOptions, *, relax: bool = False,
          col_lo: np.ndarray | None = None, col_hi: np.ndarray | None = None,
          t_call: float = 0.0) -> SolveResult:
    """Solve ``lp`` (its LP relaxation if ``relax``; other bounds if given) with SCIP; a
    MIP of :data:`.deadline.HARD_LIMIT_COLUMNS` columns or more with a time limit in a
    child process stopped at the deadline (:func:`.deadline.run_in_child`)."""
    from ccusplan.optimize.highs_backend import write_model

    arr = lp.arrays()
    c = arr["c"]
    integer = arr["integer"] & (not relax)
    if len(c) == 0:
        return SolveResult("optimal", 0.0, 0.0, 0.0, np.zeros(0), version, 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.mps"
        write_model(lp, path, relax=relax, col_lo=col_lo, col_hi=col_hi)
        model = {"c": c, "mps": str(path), "names": lp.column_names(), "integer": integer}
        if opts.progress is not None:
            opts.progress(Progress(opts.phase or "", time.perf_counter() - t_call))
        if integer.any() and opts.time_limit_s is not None and len(c) >= HARD_LIMIT_COLUMNS:
            # SCIP takes no plans while it searches: nothing to improve them for
            return run_in_child(_streaming, model, None, None, opts.but(improve=None),
                                t_call=t_call, version=version)
        m, variables, order = _scip(model, opts)
    if opts.progress is not None:
        report = _progress_reporter(opts.progress, opts.phase or "", t_call)
        m.includeEventhdlr(_events(report), "ccusplan-progress", "reports plans and bounds")
    t0 = time.perf_counter()
    m.optimize()
    seconds = time.perf_counter() - t0
    return _result(m, variables, order, c, bool(integer.any()), version, seconds)


def _scip(model: dict, opts: SolveOptions):
    """A SCIP model read from ``model["mps"]``, the options of ``opts`` set and its start
    added; with its variables and, for each, its column (SCIP orders them by type)."""
    import pyscipopt

    m = pyscipopt.Model()
    m.hideOutput(not opts.msg)
    m.readProblem(model["mps"])
    variables = m.getVars()
    index = {name: j for j, name in enumerate(model["names"])}
    order = np.array([index[v.name] for v in variables], dtype=int)
    if opts.time_limit_s is not None:
        m.setParam("limits/time", float(max(opts.time_limit_s, 0.0)))
    if opts.mip_gap is not None:
        m.setParam("limits/gap", float(opts.mip_gap))
    if opts.seed is not None:
        m.setParam("randomization/randomseedshift", int(opts.seed))
    integer = model["integer"]
    if opts.start is not None and integer.any():
        sol = m.createSol()
        values = np.asarray(opts.start, float)[order]
        for v, val, k in zip(variables, values.tolist(), integer[order].tolist()):
            m.setSolVal(sol, v, round(val) if k else val)
        m.addSol(sol, free=True)
    return m, variables, order


def _streaming(conn: Connection, model: dict, lo, hi, opts: SolveOptions, version: str) -> None:
    """In the child process of :func:`.deadline.run_in_child`: solve, sending each better
    plan and the bound as SCIP finds them, then the result."""
    m, variables, order = _scip(model, opts)
    n = len(model["c"])

    def report(m, found: bool) -> None:
        if found:
            x = np.zeros(n)
            x[order] = [m.getSolVal(m.getBestSol(), v) for v in variables]
            conn.send(("plan", x))
        conn.send(("bound", float(m.getDualbound())))

    m.includeEventhdlr(_events(report), "ccusplan-stream", "streams plans and bounds")
    t0 = time.perf_counter()
    m.optimize()
    result = _result(m, variables, order, model["c"], True, version, time.perf_counter() - t0)
    conn.send(("done", result))
    conn.close()


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


def _progress_reporter(progress: ProgressFn, phase: str, t0: float):
    """What the event handler calls: a progress report of the incumbent and bound."""
    def report(m, found: bool) -> None:
        inc = finite(m.getPrimalbound()) if m.getNSols() else None
        bound = finite(m.getDualbound())
        progress(Progress(phase, time.perf_counter() - t0, inc, bound, gap_of(inc, bound)))
    return report


def _events(report):
    """An event handler calling ``report(model, found)`` for every better plan (found
    True) and at most every :data:`REPORT_S` as nodes are solved."""
    import pyscipopt

    class Events(pyscipopt.Eventhdlr):
        def eventinit(self):
            self.last = -REPORT_S
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
            report(self.model, found)

    return Events()
