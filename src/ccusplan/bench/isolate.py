"""Run one benchmark run in a fresh process, under a hard time limit.

The solver's own time limit (``time_limit_s``) is the soft one; a run still going
at ``time_limit_s + grace_s`` (start-up, model building and read-back are outside
the solver's clock) is killed with its whole process group (CBC runs as a
grandchild) and recorded as ``timeout`` with the seconds it had run. The peak
memory is the child's (and its children's) ``ru_maxrss``, read from ``wait4``.

:func:`execute` is what a local worker thread or a Dask task calls; it returns
the complete results row and never raises for a failed run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import ccusplan
from ccusplan.bench.child import MARK, PARENT_ENV
from ccusplan.bench.machine import host, loadavg

#: ru_maxrss is in KiB on Linux and in bytes on macOS.
_MAXRSS_PER_MIB = 1024 * 1024 if sys.platform == "darwin" else 1024

_running: set[int] = set()
_running_lock = threading.Lock()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def execute(spec: dict) -> dict:
    """Solve the run ``spec`` (a :class:`~ccusplan.bench.suite.RunSpec` dict) in a child
    process and return its results row."""
    hard_s = spec["time_limit_s"] + spec["grace_s"]
    started, load = _now(), loadavg()
    t0 = time.perf_counter()
    env = {**os.environ, PARENT_ENV: str(os.getpid())}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "ccusplan.bench.child", json.dumps(spec)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, start_new_session=True)
        with _running_lock:
            _running.add(child.pid)
        try:
            wait_status, rusage, timed_out = _wait(child.pid, hard_s, t0)
        finally:
            with _running_lock:
                _running.discard(child.pid)
        child.returncode = os.waitstatus_to_exitcode(wait_status)   # reaped by wait4
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    outcome = _outcome(stdout, stderr, wait_status, timed_out, hard_s)
    if outcome["status"] in ("timeout", "killed", "error") and "solver_version" not in outcome:
        _kill_group(child.pid)               # a grandchild left behind by a failed run
    return {**spec, **_blank(), **outcome,
            "solver_version": outcome.get("solver_version") or solver_version(spec["solver"]),
            "wall_seconds": round(wall, 3),
            "peak_rss_mib": round(rusage.ru_maxrss / _MAXRSS_PER_MIB, 1),
            "started_at": started, "finished_at": _now(), "loadavg_at_start": load,
            "machine": host(), "ccusplan_version": ccusplan.__version__}


def _blank() -> dict:
    """Every outcome column, empty: rows of killed and failed runs have the same columns."""
    return dict.fromkeys(("objective_musd", "best_bound_musd", "mip_gap", "transport_musd",
                          "transport_gap", "build_seconds",
                          "solve_seconds", "n_variables", "n_binaries", "n_constraints",
                          "n_corridors")) | {"message": ""}


def failed_row(spec: dict, message: str) -> dict:
    """The row of a run that could not be started or whose worker was lost."""
    return {**spec, **_blank(), "status": "error", "message": message,
            "solver_version": None, "wall_seconds": None, "peak_rss_mib": None,
            "started_at": None, "finished_at": _now(), "loadavg_at_start": None, "machine": None,
            "ccusplan_version": ccusplan.__version__}


def solver_version(solver: str) -> str | None:
    from ccusplan.optimize.pulp_backend import SolverUnavailable, pulp_name
    from ccusplan.optimize.pulp_backend import solver_version as version

    try:
        return version(pulp_name(solver))
    except SolverUnavailable:
        return None


def _wait(pid: int, hard_s: float, t0: float):
    """Reap ``pid``; kill its process group once ``hard_s`` seconds have passed since ``t0``."""
    pause = 0.01
    while True:
        done, status, rusage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, rusage, False
        if time.perf_counter() - t0 >= hard_s:
            _kill_group(pid)
            _, status, rusage = os.wait4(pid, 0)
            return status, rusage, True
        time.sleep(min(pause, max(hard_s - (time.perf_counter() - t0), 0.001)))
        pause = min(pause * 2, 0.2)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def terminate_all() -> None:
    """Kill every run this process has started and not yet reaped (batch interrupted)."""
    with _running_lock:
        pids = list(_running)
    for pid in pids:
        _kill_group(pid)


def _outcome(stdout: str, stderr: str, status: int, timed_out: bool, hard_s: float) -> dict:
    if timed_out:
        return {"status": "timeout", "message": f"killed at the hard limit of {hard_s:g} s "
                "(time limit + grace)"}
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return {"status": "killed", "message": f"ended by {name} (out of memory, or killed "
                "by someone else)"}
    tail = (stderr or stdout)[-2000:]
    return {"status": "error", "message": f"exit status {os.waitstatus_to_exitcode(status)} "
            f"without a result: {tail}"}
