"""CBC from the model's arrays: an MPS file in, a solution file out, under a hard deadline.

The model reaches CBC as the MPS file HiGHS writes from the arrays
(:func:`.highs_backend.write_model`, with ccusplan's column names), a start plan as a
``-mips`` file, and the plan comes back from CBC's solution file, matched to columns by
name: no Python object per row or column. CBC runs as a child process (the binary
:mod:`.cbc` finds) with its own time limit; if it is still running :func:`.deadline.grace_s`
after the limit it is stopped, and the start plan, if one was given, is kept (CBC writes
its plans only at the end). Progress comes from its log (:class:`.progress.CbcLogWatcher`),
the bound from its last lines.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from ccusplan.optimize import cbc
from ccusplan.optimize.deadline import grace_s
from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.progress import CbcLogWatcher, Progress
from ccusplan.optimize.result import SolveResult, Termination, finite, gap_of


def solve(lp: LinearProgram, version: str, opts: SolveOptions, *, relax: bool = False,
          col_lo: np.ndarray | None = None, col_hi: np.ndarray | None = None,
          t_call: float = 0.0) -> SolveResult:
    """Solve ``lp`` (its LP relaxation if ``relax``; other bounds if given) with CBC."""
    from ccusplan.optimize.highs_backend import write_model

    arr = lp.arrays()
    c = arr["c"]
    integer = arr["integer"] & (not relax)
    if len(c) == 0:
        return SolveResult("optimal", 0.0, 0.0, 0.0, np.zeros(0), version, 0.0)
    names = lp.column_names()
    with tempfile.TemporaryDirectory(prefix="ccusplan-cbc-") as tmp:
        tmp = Path(tmp)
        write_model(lp, tmp / "model.mps", relax=relax, col_lo=col_lo, col_hi=col_hi)
        args = [str(cbc.find_cbc().path), str(tmp / "model.mps")]
        start = None
        if opts.start is not None and integer.any():
            start = np.where(integer, np.round(opts.start), opts.start)
            _write_start(tmp / "start.mst", names, start)
            args += ["-mips", str(tmp / "start.mst")]
        if opts.time_limit_s is not None:
            args += ["-sec", f"{max(opts.time_limit_s, 0.0):.6g}", "-timeMode", "elapsed"]
        if opts.mip_gap is not None:
            args += ["-ratio", f"{opts.mip_gap:.6g}"]
        if opts.threads is not None:
            args += ["-threads", str(int(opts.threads))]
        if opts.seed is not None:
            args += ["-randomCbcSeed", str(int(opts.seed))]
        args += ["-solve" if integer.any() else "-initialSolve", "-printingOptions", "all",
                 "-solution", str(tmp / "solution.txt")]
        log_path = tmp / "cbc.log"
        if opts.progress is not None:
            opts.progress(Progress(opts.phase or "", time.perf_counter() - t_call))
        t0 = time.perf_counter()
        with log_path.open("w") as log_file:
            proc = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, cwd=tmp)
            stopped = _wait(proc, opts, log_path, t_call)
        seconds = time.perf_counter() - t0
        log = log_path.read_text(errors="replace")
        if opts.msg:
            print(log, end="")
        solution = tmp / "solution.txt"
        head, values = _read_solution(solution, names) if solution.exists() and not stopped \
            else ("", None)
    overhead = _outside_solver_clock(log, seconds)
    return _result(head, values, start, stopped, log, c, bool(integer.any()), version,
                   seconds, overhead, proc.returncode)


def _wait(proc: subprocess.Popen, opts: SolveOptions, log_path: Path, t_call: float) -> bool:
    """Wait for CBC, reporting progress from its log; stop it :func:`.deadline.grace_s`
    after the time limit. True if it was stopped."""
    limit = None if opts.time_limit_s is None else \
        opts.time_limit_s + grace_s(opts.time_limit_s)

    def wait() -> bool:
        try:
            proc.wait(timeout=limit)
            return False
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return True

    if opts.progress is None:
        return wait()
    with CbcLogWatcher(log_path, opts.phase or "", opts.progress, t_call):
        return wait()


def _write_start(path: Path, names: list[str], x: np.ndarray) -> None:
    """A start plan as CBC reads it with ``-mips``: a status line, then one line per
    column, ``index name value 0``."""
    with path.open("w") as f:
        f.write("Stopped on time - objective value 0\n")
        f.writelines(f"{j} {name} {v:.17g} 0\n" for j, (name, v) in
                     enumerate(zip(names, x.tolist())))


def _read_solution(path: Path, names: list[str]) -> tuple[str, np.ndarray | None]:
    """CBC's status line, and the column values of its solution file (columns it does not
    list are 0; rows, listed after the columns, are not columns' names)."""
    lines = path.read_text(errors="replace").splitlines()
    if not lines:
        return "", None
    index = {name: j for j, name in enumerate(names)}
    x = np.zeros(len(names))
    for line in lines[1:]:
        parts = line.split()
        if parts and parts[0] == "**":  # marks a value outside its bounds
            parts = parts[1:]
        if len(parts) >= 3 and (j := index.get(parts[1])) is not None:
            x[j] = float(parts[2])
    return lines[0], x


def _result(head: str, x: np.ndarray | None, start: np.ndarray | None, stopped: bool,
            log: str, c: np.ndarray, has_int: bool, version: str, seconds: float,
            overhead: float, returncode: int | None) -> SolveResult:
    """The :class:`SolveResult` of a CBC run: from its solution file's status line (e.g.
    ``Optimal - objective value 124``, ``Stopped on time - objective value 130``,
    ``Stopped on time (no integer solution - continuous used)``, ``Infeasible ...``)."""
    word = head.split()[0] if head else ""
    if stopped or word == "":
        why = "stopped at the time limit" if stopped else \
            f"CBC ended without a solution file (exit status {returncode})"
        if start is None:
            return SolveResult("no_solution", None, None, None, None, version, seconds,
                               why + ", with no plan found", overhead,
                               Termination.TIME_LIMIT_NO_PLAN if stopped else Termination.ERROR)
        objective = float(c @ start)
        return SolveResult("feasible", objective, None, None, start, version, seconds,
                           why + "; the start plan kept", overhead,
                           Termination.TIME_LIMIT if stopped else Termination.INTERRUPTED)
    if word in ("Infeasible", "Integer"):
        return SolveResult("infeasible", None, None, None, None, version, seconds, head, overhead)
    if word == "Unbounded":
        return SolveResult("no_solution", None, None, None, None, version, seconds, head,
                           overhead, Termination.UNBOUNDED)
    has_plan = word == "Optimal" or (word == "Stopped" and "no integer solution" not in head
                                     and "objective value" in head)
    if (not has_plan or x is None) and start is not None:
        # CBC kept no plan of its own (nor the start, which it may refuse by its own
        # tolerances): the start is a plan of the model all the same
        objective = float(c @ start)
        bound = _bound(log, None) if has_int else None
        bound = None if bound is None else min(bound, objective)
        return SolveResult("feasible", objective, bound, gap_of(objective, bound), start,
                           version, seconds, head + "; the start plan kept", overhead,
                           Termination.TIME_LIMIT if "time" in head else Termination.INTERRUPTED)
    if not has_plan or x is None:
        return SolveResult("no_solution", None, None, None, None, version, seconds, head,
                           overhead, Termination.TIME_LIMIT_NO_PLAN)
    objective = float(c @ x)
    optimal = word == "Optimal"
    bound = _bound(log, objective) if has_int else (objective if optimal else None)
    if optimal and bound is None:
        bound = objective
    why = None if optimal else Termination.TIME_LIMIT if "time" in head \
        else Termination.INTERRUPTED
    return SolveResult("optimal" if optimal else "feasible", objective, finite(bound),
                       gap_of(objective, finite(bound)), x, version, seconds,
                       "" if optimal else head, overhead, why)


def _bound(log: str, objective: float | None) -> float | None:
    """CBC's last lower bound, from its closing lines."""
    m = re.search(r"Lower bound:\s*(-?[\d.eE+-]+)", log)
    if m:
        return float(m.group(1))
    return objective if "Optimal solution found" in log else None


def _outside_solver_clock(log: str, seconds: float) -> float:
    """Seconds of a run spent outside CBC's own clock (reading the model, writing the
    solution): its log ends with its wall-clock time.

    >>> _outside_solver_clock("Total time (CPU seconds):  1.5 "
    ...                       "(Wallclock seconds):       2.00", 5.0)
    3.0
    """
    m = re.search(r"Wallclock seconds\):\s*([\d.]+)", log)
    return max(seconds - float(m.group(1)), 0.0) if m else 0.0
