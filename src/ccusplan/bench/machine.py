"""What machine a benchmark ran on, how busy it was, and one runner at a time.

Shared by ``ccusplan bench`` and the scripts in ``benchmarks/``: the machine
description recorded with every result, the machine's load, and file locks that
keep two runners from timing on the same cores or writing the same results.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import platform
import socket
import tempfile
import time
from collections.abc import Iterator
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

#: Machine-wide (not per checkout): two benchmark runners must not time on the same cores.
MACHINE_LOCK = Path(tempfile.gettempdir()) / "ccusplan-foundation-bench.lock"


def package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


@cache
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


@cache
def ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def loadavg() -> list[float] | None:
    """The 1, 5 and 15 minute load averages."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def cpu_busy(interval: float = 1.0) -> float | None:
    """Cores busy over ``interval`` seconds, machine-wide (from /proc/stat)."""
    def snap():
        f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = f[3] + (f[4] if len(f) > 4 else 0)
        return sum(f[:8]), idle
    try:
        t0, i0 = snap()
        time.sleep(interval)
        t1, i1 = snap()
    except (OSError, ValueError, IndexError):
        return None
    total = t1 - t0
    return round((1 - (i1 - i0) / total) * (os.cpu_count() or 1), 2) if total else 0.0


def wait_until_idle(max_wait: float, threshold: float = 0.3) -> tuple[float | None, float]:
    """Wait (up to ``max_wait`` s) until other processes keep < ``threshold`` cores busy.

    Returns the busy cores last seen and the seconds waited.
    """
    t0 = time.perf_counter()
    busy = cpu_busy()
    while busy is not None and busy >= threshold and time.perf_counter() - t0 < max_wait:
        time.sleep(4.0)
        busy = cpu_busy()
    return busy, time.perf_counter() - t0


def host() -> dict:
    """The short description every benchmark row carries: host, CPU, cores, RAM, OS."""
    return {"host": socket.gethostname(), "cpu_model": cpu_model(),
            "logical_cores": os.cpu_count(), "ram_gib": ram_gib(),
            "platform": platform.platform(), "python": platform.python_version()}


def machine_info() -> dict:
    """The full description: :func:`host`, package and solver versions, date and load."""
    from ccusplan.optimize.pulp_backend import available_solvers, solver_version

    h = host()
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "platform": h["platform"],
        "python": h["python"],
        "host": h["host"],
        "cpu_model": h["cpu_model"],
        "logical_cores": h["logical_cores"],
        "ram_gib": h["ram_gib"],
        "versions": {p: package_version(p) for p in
                     ("ccusplan", "pulp", "highspy", "numpy", "scipy", "pandas")},
        "solvers": {s: solver_version(s) for s in available_solvers()},
        "loadavg_at_start": loadavg(),
    }


class Busy(RuntimeError):
    """A lock is held by another process (its pid is in the message)."""


@contextlib.contextmanager
def file_lock(path: Path, wait: bool = True, on_wait=None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) while inside the block.

    With ``wait`` false a held lock raises :class:`Busy` naming the holder's pid;
    otherwise ``on_wait(holder_pid)`` is called once and the lock is waited for.
    The lock goes with the process, so a killed holder never leaves it stuck.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            if not wait:
                raise Busy(f"{path} is held by process {holder}") from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
