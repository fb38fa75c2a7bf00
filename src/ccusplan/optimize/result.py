"""What any solver run gives back, in the vocabulary of ``summary.json``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

#: A plan whose gap is at most this is reported as proven optimal rather than as having
#: reached the gap asked for.
OPTIMAL_GAP = 1e-9


def finite(v: float | None) -> float | None:
    """``v`` if it is a finite number, else None (solvers use ±inf and 1e50 for "none")."""
    return v if v is not None and math.isfinite(v) and abs(v) < 1e49 else None


def gap_of(incumbent: float | None, bound: float | None) -> float | None:
    """The relative gap abs(incumbent − bound) / abs(incumbent), None unless both are known:
    the one place ccusplan computes it (solvers, progress, the combined bound).

    >>> gap_of(100.0, 99.0), gap_of(None, 99.0)
    (0.01, None)
    """
    if incumbent is None or bound is None:
        return None
    return abs(incumbent - bound) / max(abs(incumbent), 1e-9)


class Status(StrEnum):
    """``summary.json``'s ``status``: whether there is a plan and whether it is proven."""

    OPTIMAL = "optimal"          # a plan proven within the gap asked for
    FEASIBLE = "feasible"        # a plan; a limit stopped the proof
    INFEASIBLE = "infeasible"    # proven: no plan meets the case
    NO_SOLUTION = "no_solution"  # no plan, and no proof that none exists


class Termination(StrEnum):
    """Why a solve ended (``summary.json``'s ``termination``): finer than :class:`Status`."""

    OPTIMAL = "optimal"                        # proven optimal (gap at most OPTIMAL_GAP)
    GAP_REACHED = "gap_reached"                # a plan proven within the gap asked for
    TIME_LIMIT = "time_limit"                  # stopped by the time limit, with a plan
    TIME_LIMIT_NO_PLAN = "time_limit_no_plan"  # stopped by the time limit before any plan
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"                    # (a case's model is never unbounded)
    INTERRUPTED = "interrupted"                # stopped otherwise before the proof, with a plan
    ERROR = "error"                            # the solver failed or ended unexpectedly
    READ = "read"                              # a plan read from another solver's file

    @property
    def status(self) -> Status:
        return _STATUS[self]


_STATUS = {Termination.OPTIMAL: Status.OPTIMAL, Termination.GAP_REACHED: Status.OPTIMAL,
           Termination.TIME_LIMIT: Status.FEASIBLE, Termination.READ: Status.FEASIBLE,
           Termination.INTERRUPTED: Status.FEASIBLE,
           Termination.TIME_LIMIT_NO_PLAN: Status.NO_SOLUTION,
           Termination.INFEASIBLE: Status.INFEASIBLE, Termination.UNBOUNDED: Status.NO_SOLUTION,
           Termination.ERROR: Status.NO_SOLUTION}


def ended(status: str, gap: float | None) -> Termination:
    """The termination a solver that reports only ``status`` (and the gap) most likely had:
    a plan short of its proof was stopped by the time limit; no plan and no proof of
    infeasibility, by an error."""
    status = Status(status)
    if status == Status.OPTIMAL:
        return Termination.OPTIMAL if gap is None or gap <= OPTIMAL_GAP else \
            Termination.GAP_REACHED
    return {Status.FEASIBLE: Termination.TIME_LIMIT, Status.INFEASIBLE: Termination.INFEASIBLE,
            Status.NO_SOLUTION: Termination.ERROR}[status]


@dataclass(frozen=True)
class SolveResult:
    """One solver run: status, objective, bound, gap and the column values.

    ``termination`` says why it ended; left out, it is inferred from ``status`` and the
    gap (:func:`ended`), and ``status`` always agrees with it."""

    status: Status                # optimal | feasible | infeasible | no_solution
    objective: float | None
    best_bound: float | None
    mip_gap: float | None
    x: np.ndarray | None          # column values, or None without a solution
    solver: str                   # name and version, e.g. "highs 1.15.1"
    solve_seconds: float
    message: str = ""
    overhead_seconds: float = 0.0  # wall time outside the solver's own clock (model hand-over)
    termination: Termination | None = None

    def __post_init__(self) -> None:
        why = ended(self.status, self.mip_gap) if self.termination is None \
            else Termination(self.termination)
        if why.status != Status(self.status):
            raise ValueError(f"termination {why} contradicts status {self.status}")
        object.__setattr__(self, "termination", why)
        object.__setattr__(self, "status", Status(self.status))
