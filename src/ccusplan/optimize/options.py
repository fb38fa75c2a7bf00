"""How to solve: one object for every solver call, and one for a whole run.

:class:`SolveOptions` is what every backend (HiGHS, SCIP, CBC, any other PuLP solver)
takes for one call: the solver, time limit, gap, threads, random seed, a start plan and
where progress goes. :class:`RunOptions` adds the switches of
:func:`ccusplan.optimize.run` (warm start, site floor, polishing) and is made from a
case's ``[solver]`` table with the caller's overrides (:meth:`RunOptions.of_case`). The
steps of a run derive their own calls from it (:meth:`SolveOptions.but`), each with its
share of the time limit, so nothing is threaded through by hand.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import numpy as np

from ccusplan.optimize.progress import ProgressFn

if TYPE_CHECKING:
    from ccusplan.model import Solver
    from ccusplan.optimize.deadline import Improver


@dataclass(frozen=True)
class SolveOptions:
    """One solver call. ``None``: the solver's own default."""

    solver: str | None = None        # None: HiGHS
    time_limit_s: float | None = None
    mip_gap: float | None = None
    threads: int | None = None
    seed: int | None = None          # the solver's random seed
    msg: bool = False                # the solver's own log on stdout
    start: np.ndarray | None = None  # column values of a feasible plan, the first incumbent
    progress: ProgressFn | None = None
    phase: str | None = None         # what the call is (.progress.PHASES); None: inferred
    #: improves plans in this process while HiGHS solves a MIP in a child process, each
    #: cheaper plan handed to it (a :class:`.deadline.Improver`); other solves, and
    #: solvers that take no plans while they search, ignore it
    improve: Improver | None = None
    #: once set, the solve ends and returns its best plan so far (HiGHS's MIPs; others
    #: run on): what improves plans beside branch and bound stops when the search ends
    stop: threading.Event | None = None

    def but(self, **changes) -> SolveOptions:
        """A copy with ``changes``, as a plain :class:`SolveOptions` (a run's switches
        dropped): what one step of a run hands to a solver."""
        base = {f.name: getattr(self, f.name) for f in fields(SolveOptions)}
        return SolveOptions(**{**base, **changes})

    def for_child(self) -> SolveOptions:
        """What a solver in another process can take: no progress, improve function or
        stop event."""
        return replace(self.but(), progress=None, improve=None, stop=None)


@dataclass(frozen=True)
class RunOptions(SolveOptions):
    """A whole run (:func:`ccusplan.optimize.run`): its solver options and which steps
    run around branch and bound. ``None``: the case's ``[solver]`` table's, as
    :meth:`of_case` fills them in."""

    warm_start: bool | None = None
    site_floor: bool | None = None
    polish: bool | None = None

    @classmethod
    def of_case(cls, cfg: Solver, options: SolveOptions | None = None,
                **overrides) -> RunOptions:
        """The case's ``[solver]`` table ``cfg``, then the fields of ``options`` (a
        :class:`SolveOptions` or :class:`RunOptions`) and ``overrides`` that are not
        ``None``, each over what came before."""
        values = {"solver": cfg.name, "time_limit_s": cfg.time_limit_s, "mip_gap": cfg.mip_gap,
                  "threads": cfg.threads, "seed": cfg.seed, "warm_start": cfg.warm_start,
                  "site_floor": cfg.site_floor, "polish": cfg.polish}
        given = {} if options is None else {f.name: getattr(options, f.name)
                                            for f in fields(options)}
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"unknown solve options: {', '.join(sorted(unknown))}")
        for layer in (given, overrides):
            values.update({k: v for k, v in layer.items() if v is not None})
        return cls(**values)
