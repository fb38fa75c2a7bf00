"""Run a suite's unfinished runs on a backend, appending each row as it arrives.

The results table is locked for the whole batch; runs whose key it already holds
are skipped, so a batch killed at any point resumes with nothing finished lost
and nothing done twice.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ccusplan.bench.results import ResultsTable
from ccusplan.bench.suite import RunSpec, Suite


class Backend(Protocol):
    slots: int
    where: str

    def map(self, specs: list[dict]): ...

    def close(self) -> None: ...


@dataclass
class Progress:
    """What a batch has done so far (handed to the ``on_progress`` callback)."""

    total: int
    skipped: int
    slots: int
    done: int = 0
    statuses: Counter = field(default_factory=Counter)
    started: float = field(default_factory=time.perf_counter)

    @property
    def to_run(self) -> int:
        return self.total - self.skipped

    @property
    def left(self) -> int:
        return self.to_run - self.done

    @property
    def running(self) -> int:
        return min(self.slots, self.left)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def pending(suite: Suite, table: ResultsTable) -> list[RunSpec]:
    """The suite's runs the table does not hold yet, in running order."""
    finished = table.finished_keys()
    return [r for r in suite.runs if r.key not in finished]


def run_batch(suite: Suite, backend: Backend, table: ResultsTable,
              on_start: Callable[[Progress], None] | None = None,
              on_row: Callable[[Progress, dict], None] | None = None) -> Progress:
    """Run what ``table`` lacks of ``suite`` on ``backend``; one row appended per run.

    ``on_start(progress)`` is called once the work is known, ``on_row(progress, row)``
    after each row is safely on disk.
    """
    with table.open_for_append() as out:
        todo = pending(suite, table)          # read under the lock: no other writer now
        progress = Progress(len(suite.runs), len(suite.runs) - len(todo), backend.slots)
        if on_start is not None:
            on_start(progress)
        written: set[str] = set()
        for row in backend.map([r.to_dict() for r in todo]):
            if row["key"] in written:
                continue
            out.append(row)
            written.add(row["key"])
            progress.done += 1
            progress.statuses[row["status"]] += 1
            if on_row is not None:
                on_row(progress, row)
    return progress
