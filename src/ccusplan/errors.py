"""Errors that reach the user as plain messages (never as tracebacks).

Every problem with the input is a :class:`Problem` naming the file, the row and
the field and saying what was expected. Validators collect all problems they
find and raise them together as one :class:`InputError`, so a user fixes a file
in one pass instead of one error at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``row`` is the 1-based data row as a spreadsheet user counts it (the header
    is row 1, so the first data row is row 2) or ``None`` for whole-file problems.
    """

    file: str
    message: str
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class InputError(Exception):
    """Bad input: one or more :class:`Problem` s. The CLI exits with status 2."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.problems)
        head = "1 problem in the input:" if n == 1 else f"{n} problems in the input:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working directory if inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
