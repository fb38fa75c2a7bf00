"""The results table: one JSON object per line (JSONL), appended one run at a time.

Each row is written with a single ``write`` of the whole line, then flushed and
fsync'ed, so after a crash a row is either complete or, at worst, a torn last
line without its newline; :meth:`ResultsTable.open_for_append` cuts such a tail
off before appending. Rows are never rewritten: the table is append-only.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from ccusplan.bench.machine import Busy, file_lock
from ccusplan.errors import InputError, Problem, display_path


class ResultsTable:
    """A JSONL results file; rows are dicts with at least a ``key``."""

    def __init__(self, path: Path):
        self.path = Path(path)

    # ------------------------------------------------------------------ read

    def rows(self) -> list[dict]:
        """Every complete row, in file order (a torn last line is left out).

        Raises
        ------
        InputError
            A line other than the last is not a JSON object (names the file and row).
        """
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        complete = data.split(b"\n")[:-1]      # the last piece is b"" or a torn line
        rows, problems = [], []
        for n, line in enumerate(complete, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                problems.append(Problem(display_path(self.path), f"not a JSON object: {exc}", n))
                continue
            if not isinstance(row, dict) or "key" not in row:
                problems.append(Problem(display_path(self.path),
                                        "expected a JSON object with a 'key'", n))
                continue
            rows.append(row)
        if problems:
            raise InputError(problems)
        return rows

    def finished_keys(self) -> set[str]:
        return {r["key"] for r in self.rows()}

    # ----------------------------------------------------------------- write

    @contextlib.contextmanager
    def open_for_append(self) -> Iterator[_Appender]:
        """Hold the table's lock, cut a torn last line off, and append rows.

        Raises
        ------
        InputError
            Another process is appending to the same table.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(f".{self.path.name}.lock")
        try:
            with file_lock(lock, wait=False):
                self._repair()
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    yield _Appender(fd)
                finally:
                    os.close(fd)
        except Busy as exc:
            raise InputError(Problem(display_path(self.path), "another ccusplan bench is "
                                     f"appending to this results table ({exc}); wait for it "
                                     "to finish or give another --results")) from None

    def _repair(self) -> None:
        """Truncate the file after its last newline (a row torn by a crash)."""
        if not self.path.exists():
            return
        with open(self.path, "rb+") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return
            fh.seek(max(size - 1, 0))
            if fh.read(1) == b"\n":
                return
            end = _last_newline_end(fh, size)
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())


def _last_newline_end(fh, size: int, block: int = 1 << 16) -> int:
    """Offset just after the last ``\\n`` in the file (0 if there is none)."""
    pos = size
    while pos > 0:
        start = max(pos - block, 0)
        fh.seek(start)
        chunk = fh.read(pos - start)
        i = chunk.rfind(b"\n")
        if i >= 0:
            return start + i + 1
        pos = start
    return 0


class _Appender:
    """Appends rows to an open, locked table."""

    def __init__(self, fd: int):
        self._fd = fd

    def append(self, row: dict) -> None:
        """Write ``row`` as one line, then flush it to disk."""
        line = (json.dumps(_finite(row), allow_nan=False, default=str) + "\n").encode()
        written = os.write(self._fd, line)
        if written != len(line):   # a short write: finish it (still one append-only line)
            os.write(self._fd, line[written:])
        os.fsync(self._fd)


def _finite(value):
    """``value`` with NaN and infinities (not JSON) as None, inside dicts and lists too."""
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
