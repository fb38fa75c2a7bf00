"""Run a batch on this machine: N runs at a time, each in its own process.

Worker threads only wait: every run is a child process (:func:`.isolate.execute`),
so runs share nothing and a hard time limit can kill one without touching the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

from ccusplan.bench.isolate import execute, terminate_all


class LocalBackend:
    """``workers`` runs at a time on this machine."""

    def __init__(self, workers: int):
        self.slots = workers
        self.where = f"{workers} local worker{'s' if workers != 1 else ''}"

    def map(self, specs: list[dict]) -> Iterator[dict]:
        """Each run's row as soon as it finishes (in finishing order)."""
        if not specs:
            return
        with ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="ccusplan-run") as pool:
            futures = [pool.submit(execute, s) for s in specs]
            try:
                for fut in as_completed(futures):
                    yield {**fut.result(), "worker": "local"}
            finally:                      # interrupted or closed early: stop what still runs
                for fut in futures:
                    fut.cancel()
                terminate_all()

    def close(self) -> None:
        """Nothing to release."""
