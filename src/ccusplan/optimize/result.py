"""What any solver run gives back, in the vocabulary of ``summary.json``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SolveResult:
    """One solver run: status, objective, bound, gap and the column values."""

    status: str                   # optimal | feasible | infeasible | no_solution
    objective: float | None
    best_bound: float | None
    mip_gap: float | None
    x: np.ndarray | None          # column values, or None without a solution
    solver: str                   # name and version, e.g. "highs 1.15.1"
    solve_seconds: float
    message: str = ""
    overhead_seconds: float = 0.0  # wall time outside the solver's own clock (model hand-over)
