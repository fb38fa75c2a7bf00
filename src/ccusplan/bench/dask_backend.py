"""Run a batch on a Dask distributed cluster.

Each run is one task; the task still solves in a child process under the hard
time limit (:func:`.isolate.execute`), so a Dask worker with one thread runs one
solve at a time. Workers must import ccusplan and see the suite's case and network
files at the same paths (a shared file system); a worker that sees other files
records the run as an error instead of solving something else.

With ``scheduler=ADDRESS`` the batch joins a running cluster (``dask scheduler`` and
``dask worker ADDRESS --nthreads 1`` on each machine); with ``local_workers=N`` it
starts a :class:`distributed.LocalCluster` of N single-threaded worker processes on
127.0.0.1 for the duration of the batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from ccusplan.bench.isolate import execute, failed_row
from ccusplan.errors import InputError, Problem

#: Seconds to wait for a scheduler to answer before giving up.
CONNECT_TIMEOUT_S = 20


def _run_on_worker(spec: dict) -> dict:
    """The Dask task: one isolated run, tagged with the worker that ran it."""
    from distributed import get_worker

    return {**execute(spec), "worker": get_worker().address}


class DaskBackend:
    """Runs as tasks on a Dask cluster (joined, or started locally)."""

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None):
        from distributed import Client, LocalCluster

        self.cluster = None
        if local_workers is not None:
            self.cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1,
                                        processes=True, host="127.0.0.1",
                                        dashboard_address=None)
            scheduler = self.cluster.scheduler_address
        try:
            self.client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise InputError(Problem("command line", f"cannot reach a Dask scheduler at "
                                     f"{scheduler}: {exc}", field="--scheduler")) from None
        threads = self.client.nthreads()
        self.slots = max(sum(threads.values()), 1)
        self.where = (f"Dask {'local cluster' if self.cluster else 'cluster'} at {scheduler} "
                      f"({len(threads)} workers, {sum(threads.values())} threads)")

    def map(self, specs: list[dict]) -> Iterator[dict]:
        """Each run's row as soon as its task finishes."""
        from distributed import as_completed

        if not specs:
            return
        batch = uuid.uuid4().hex[:8]
        futures = [self.client.submit(_run_on_worker, s, key=f"ccusplan-run-{s['key']}-{batch}",
                                      pure=False, retries=0) for s in specs]
        spec_of = {f.key: s for f, s in zip(futures, specs)}
        try:
            for fut in as_completed(futures):
                try:
                    yield fut.result()
                except Exception as exc:  # noqa: BLE001 - a lost task is a row, not a crash
                    yield failed_row(spec_of[fut.key], f"Dask task failed: "
                                     f"{type(exc).__name__}: {exc}")
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
