"""Price bases: escalate USD of one year to USD of another with a cited cost index.

The index (CEPCI annual averages, sources per row) is ``costs/data/cost_index.csv``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd


@cache
def cost_index() -> pd.Series:
    """The cost index by year (CEPCI annual averages; sources in ``cost_index.csv``)."""
    with resources.files("ccusplan.costs").joinpath("data/cost_index.csv").open() as fh:
        return pd.read_csv(fh).set_index("year")["cepci"]


def escalation(from_year: int, to_year: int) -> float:
    """Cost-index ratio that takes USD of ``from_year`` to USD of ``to_year``.

    >>> round(escalation(2004, 2023), 4)   # CEPCI 797.9 / 444.2
    1.7963
    """
    idx = cost_index()
    for y in (from_year, to_year):
        if y not in idx.index:
            raise ValueError(f"no cost index for {y}: the index covers "
                             f"{idx.index.min()}–{idx.index.max()}")
    return float(idx[to_year] / idx[from_year])
