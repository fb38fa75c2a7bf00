"""The ranges synthetic networks are drawn from, read from ``generate/data/synthetic.toml``.

Every number there cites its source (or is marked a ccusplan assumption); this module
only reads the file and turns the per-kind tables into arrays.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import numpy as np


@cache
def ranges() -> dict:
    """The whole ``synthetic.toml`` as a dict (read once)."""
    with resources.files("ccusplan.generate").joinpath("data/synthetic.toml").open("rb") as fh:
        return tomllib.load(fh)


def source_kinds() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Source kinds, their share of the count, mean capacity (Mt/yr) and cost range.

    Returns
    -------
    kinds : list of str
    share : numpy.ndarray
        Probability of each kind (sums to 1).
    mean_capacity_mtpa : numpy.ndarray
    levelized_range_usd_per_t : numpy.ndarray
        Shape (kinds, 2): lowest and highest levelised capture cost.
    """
    table = ranges()["kinds"]
    kinds = list(table)
    count = np.array([table[k]["sources"] for k in kinds], float)
    mean = np.array([table[k]["mean_capacity_mtpa"] for k in kinds], float)
    cost = np.array([table[k]["levelized_range_usd_per_t"] for k in kinds], float)
    return kinds, count / count.sum(), mean, cost


def sink_kind_table(kind: str) -> dict:
    """The ``[sink_kinds.KIND]`` table (injection, years, cost and monitoring ranges)."""
    return ranges()["sink_kinds"][kind]
