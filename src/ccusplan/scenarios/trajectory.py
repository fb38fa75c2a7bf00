"""Per-period targets (Mt/yr stored) and prices (USD/t) from a case.

A scale-up ``base_mtpa · factor by year `by```` is exact at the first period and
at ``by`` and held flat after ``by``:

* ``linear``: straight line between the two;
* ``exponential``: constant growth rate, ``base · factor ** s``;
* ``s-curve``: logistic in ``s`` (steepness 10), rescaled to pass through both ends;

where ``s = (year − first period) / (by − first period)``, clipped to [0, 1].
"""

from __future__ import annotations

import numpy as np

from ccusplan.model import Case

S_CURVE_STEEPNESS = 10.0


def _fraction(s: np.ndarray, shape: str) -> np.ndarray:
    if shape == "linear":
        return s
    if shape == "s-curve":
        g = lambda u: 1.0 / (1.0 + np.exp(-S_CURVE_STEEPNESS * (u - 0.5)))  # noqa: E731
        return (g(s) - g(0.0)) / (g(1.0) - g(0.0))
    raise ValueError(shape)


def targets_mtpa(case: Case) -> np.ndarray:
    """Stored Mt/yr required in each period (target mode).

    >>> from ccusplan.model import Case
    >>> c = Case.model_validate({"case": {"name": "x", "network": "n"},
    ...     "horizon": {"periods": [2025, 2030, 2050]},
    ...     "target": {"base_mtpa": 5, "factor": 100, "by": 2050}})
    >>> targets_mtpa(c).round(3).tolist()
    [5.0, 12.559, 500.0]
    """
    t = case.target
    assert t is not None
    if t.mtpa is not None:
        return np.asarray(t.mtpa, float)
    years = np.asarray(case.horizon.periods, float)
    s = np.clip((years - years[0]) / (t.by - years[0]), 0.0, 1.0)
    if t.shape == "exponential":
        return t.base_mtpa * t.factor**s
    return t.base_mtpa + (t.base_mtpa * t.factor - t.base_mtpa) * _fraction(s, t.shape)


def prices_usd_per_t(case: Case) -> np.ndarray:
    """Credit per tonne stored in each period (price mode), zeros in target mode."""
    n = len(case.horizon.periods)
    if case.price is None:
        return np.zeros(n)
    p = case.price.usd_per_t
    return np.asarray(p, float) if isinstance(p, list) else np.full(n, float(p))
