"""Capital recovery and discounting.

Conventions (stated once, used everywhere):

* money in million USD (MUSD); the NPV's base year is the first period's start year;
* a year's costs are counted at the start of that year, so the base year is
  undiscounted and year ``y`` is discounted by ``(1 + r) ** -(y - y0)``;
* capital is spread into equal annual payments with the capital recovery factor
  and a payment is counted for every year the asset is in service within the horizon.
"""

from __future__ import annotations

import numpy as np


def capital_recovery_factor(rate: float, life_years: float) -> float:
    """Annual payment per unit of capital repaid over ``life_years`` at interest ``rate``.

    ``crf = r (1+r)^n / ((1+r)^n - 1)``, and ``1/n`` in the limit ``r -> 0``.

    >>> capital_recovery_factor(0.0, 25)
    0.04
    >>> round(capital_recovery_factor(0.08, 30), 6)
    0.088827
    """
    if life_years <= 0:
        raise ValueError(f"asset life must be positive, got {life_years}")
    if rate == 0:
        return 1.0 / life_years
    g = (1.0 + rate) ** life_years
    return rate * g / (g - 1.0)


def discounted_years(periods: list[int], lengths_years: list[int], rate: float) -> np.ndarray:
    """Sum of discount factors over the years of each period (years of service, discounted).

    A cost of ``c`` per year during period ``t`` has NPV ``c * discounted_years(...)[t]``.

    >>> discounted_years([2025, 2030], [5, 5], 0.0).tolist()
    [5.0, 5.0]
    >>> round(float(discounted_years([2025], [2], 0.1)[0]), 6)
    1.909091
    """
    y0 = periods[0]
    out = np.empty(len(periods))
    for t, (start, n) in enumerate(zip(periods, lengths_years)):
        years = np.arange(start, start + n) - y0
        out[t] = np.sum((1.0 + rate) ** -years.astype(float))
    return out
