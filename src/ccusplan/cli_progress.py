"""The live progress line ``ccusplan solve`` shows on a terminal while a case solves:
spinner, case, phase, elapsed time, incumbent, bound and gap.

It is drawn with rich on stderr only when stderr is a terminal and ``--quiet`` is not
given; otherwise nothing extra is printed (CI logs and pipes stay clean). The numbers
come from the optimize layer's :class:`~ccusplan.optimize.progress.Progress` reports;
the elapsed time ticks on its own between them.
"""

from __future__ import annotations

import time

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from ccusplan.optimize.progress import Progress

REFRESH_PER_SECOND = 8


class ProgressLine:
    """A context manager giving a progress callable (or None when nothing is shown).

    Parameters
    ----------
    console : rich.console.Console
        The stderr console.
    label : str
        What is solving, e.g. ``shandong-2050 (highs)``.
    enabled : bool
        Show the line (a terminal, and not ``--quiet``).
    """

    def __init__(self, console: Console, label: str, enabled: bool):
        self._console, self._label, self._enabled = console, label, enabled
        self._latest: Progress | None = None
        self._t0 = time.perf_counter()
        self._spinner = Spinner("dots", style="cyan")
        self._live: Live | None = None

    def __enter__(self):
        if not self._enabled:
            return None
        self._t0 = time.perf_counter()
        self._live = Live(self, console=self._console, transient=True,
                          refresh_per_second=REFRESH_PER_SECOND)
        self._live.start()
        return self.update

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.stop()

    def update(self, p: Progress) -> None:
        """Take the latest report (called from the solver's thread)."""
        self._latest = p

    def text(self) -> Text:
        """The line as it reads now."""
        p = self._latest
        t = Text(f"{self._label} · ")
        t.append(p.phase if p is not None else "building the model", style="bold")
        t.append(f" · {time.perf_counter() - self._t0:,.1f} s")
        if p is not None and p.phase != "done":
            if p.incumbent is not None:
                t.append(f" · incumbent {p.incumbent:,.1f}")
            if p.bound is not None:
                t.append(f" · bound {p.bound:,.1f}")
            if p.gap is not None:
                t.append(f" · gap {p.gap:.2%}", style="yellow")
        return t

    def __rich__(self) -> Group:
        self._spinner.text = self.text()
        return Group(self._spinner)
