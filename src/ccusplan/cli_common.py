"""What every ``ccusplan`` command shares: exit statuses, the consoles, turning an
exception into a message. Imported by :mod:`ccusplan.cli` and the ``cli_*`` modules,
and importing none of them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from ccusplan.errors import InputError

EXIT_OK, EXIT_NO_PLAN, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class State:
    """The options every command sees: ``--debug`` and ``--quiet``, and the consoles."""

    debug = False
    quiet = False

    @property
    def err(self) -> Console:
        return Console(stderr=True, quiet=self.quiet, highlight=False, soft_wrap=True)

    @property
    def out(self) -> Console:
        return Console(quiet=self.quiet, highlight=False, soft_wrap=True)


def message(text: str) -> None:
    """An error message on stderr, never wrapped (one problem per line, even when piped)."""
    click.echo(text, err=True)


def fail(state: State, exc: BaseException) -> None:
    """Turn an exception into a message and an exit status."""
    if isinstance(exc, InputError):
        message(exc.render())
        sys.exit(EXIT_BAD_INPUT)
    if state.debug:
        raise exc
    message(f"internal error: {type(exc).__name__}: {exc}\n"
            "(run `ccusplan --debug ...` for the traceback and report it)")
    sys.exit(EXIT_INTERNAL)


def pipeline_basis(case: Path | None):
    """[pipeline] spec and pipeline capital recovery factor: from CASE, or the defaults."""
    from ccusplan.io import load_case
    from ccusplan.model import Finance, PipelineSpec

    if case is None:
        spec, fin = PipelineSpec(), Finance()
    else:
        c = load_case(case)
        spec, fin = c.pipeline, c.finance
    return spec, fin.crf_of(fin.pipeline_life_years)
