"""Samples of a case's ``[uncertainty]`` factors, and a sample applied to the case.

Sample ``i`` of seed ``s`` is drawn from its own stream, ``SeedSequence(s, spawn_key=(i,))``,
so it is the same whatever the number of samples: a sweep extended from 50 to 100
samples keeps its first 50. Every draw is a standard normal ``z`` turned into the
factor's distribution through its quantile function, ``F⁻¹(Φ(z))``; sinks of one basin
drawn ``by = "sink"`` with a ``correlation`` ρ share part of their normal,
``z = √ρ · z_basin + √(1 − ρ) · z_sink`` (a Gaussian copula), so each sink's factor
keeps its own distribution.

A sample is a plain dict (JSON for a run's spec): ``{"index": i, "sink_capacity":
{sink id: factor}, "sink_injectivity": {...}, "capture_cost": factor, ...}``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ccusplan.errors import InputError, Problem
from ccusplan.model import Case, Network, Price, Target
from ccusplan.uncertainty.spec import SINK_FACTORS, Factor, Uncertainty


def quantile(f: Factor, u: np.ndarray) -> np.ndarray:
    """The factor at probability ``u`` (its quantile function)."""
    u = np.clip(np.asarray(u, float), 1e-12, 1 - 1e-12)
    if f.distribution == "uniform":
        return f.low + u * (f.high - f.low)
    if f.distribution == "triangular":
        a, c, b = f.low, f.mode, f.high
        if b == a:
            return np.full(u.shape, a)
        cut = (c - a) / (b - a)
        return np.where(u < cut, a + np.sqrt(u * (b - a) * (c - a)),
                        b - np.sqrt((1 - u) * (b - a) * (b - c)))
    if f.distribution == "lognormal":
        from scipy.special import ndtri

        return f.median * np.exp(f.sigma * ndtri(u))
    w = np.asarray(f.weights or [1.0] * len(f.values), float)
    cum = np.cumsum(w) / w.sum()
    return np.asarray(f.values, float)[np.minimum(np.searchsorted(cum, u, side="right"),
                                                   len(cum) - 1)]


def sink_groups(f: Factor, sinks: pd.DataFrame, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Per sink (in ``sinks``' order): the group its factor is drawn for, and its basin
    (for the correlation); groups are numbered in sorted order of their keys."""
    def codes(col: str) -> np.ndarray:
        if col not in sinks or sinks[col].isna().any():
            raise InputError([Problem(where, f"by = \"{col}\" needs a {col} for every sink: "
                                      f"sinks.csv has {'blank ones' if col in sinks else 'no ' + col + ' column'}",
                                      field=f"uncertainty.{f.by}")])
        return np.unique(sinks[col].astype(str).to_numpy(), return_inverse=True)[1]

    n = len(sinks)
    if f.by == "all":
        return np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    if f.by == "sink":
        basin = codes("basin") if f.correlation > 0 else np.arange(n)
        return np.arange(n), basin
    g = codes(f.by)
    return g, g


def draw(spec: Uncertainty, sinks: pd.DataFrame, index: int, where: str = "[uncertainty]") -> dict:
    """Sample ``index``: every factor of ``spec`` drawn (sink factors per sink id)."""
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(index,)))
    out: dict = {"index": int(index)}
    ids = sinks.index.astype(str).to_numpy()
    for name, f in spec.factors.items():       # a fixed order: the same draws every time
        if name not in SINK_FACTORS:
            out[name] = float(quantile(f, ndtr(rng.standard_normal())))
            continue
        group, basin = sink_groups(f, sinks, where)
        z = rng.standard_normal(int(group.max()) + 1 if len(group) else 0)
        if f.by == "sink" and f.correlation > 0:
            common = rng.standard_normal(int(basin.max()) + 1)
            z = np.sqrt(f.correlation) * common[basin] + np.sqrt(1 - f.correlation) * z
        values = quantile(f, ndtr(z))[group] if len(group) else np.array([])
        out[name] = dict(zip(ids.tolist(), np.round(values, 10).tolist()))
    return out


def apply(case: Case, net: Network, sample: dict) -> tuple[Case, Network]:
    """The case and network of one sample: its factors applied to the base."""
    sinks = net.sinks.copy()
    for name, col in (("sink_capacity", "capacity_mt"), ("sink_injectivity", "max_injection_mtpa")):
        if name in sample:
            f = pd.Series(sample[name], dtype=float).reindex(sinks.index.astype(str))
            sinks[col] = sinks[col].to_numpy(float) * f.fillna(1.0).to_numpy()
    costs = case.costs.model_copy(update={
        "capture_cost_multiplier": case.costs.capture_cost_multiplier
        * sample.get("capture_cost", 1.0),
        "pipeline_cost_multiplier": case.costs.pipeline_cost_multiplier
        * sample.get("pipeline_cost", 1.0)})
    update: dict = {"costs": costs}
    if "target" in sample and case.target is not None:
        from ccusplan.scenarios.trajectory import targets_mtpa

        scaled = [float(v) * sample["target"] for v in targets_mtpa(case)]
        update["target"] = Target(mtpa=scaled)
    if "price" in sample and case.price is not None:
        p = case.price.usd_per_t
        update["price"] = Price(usd_per_t=[v * sample["price"] for v in p] if isinstance(p, list)
                                else p * sample["price"])
    return case.model_copy(update=update), dataclasses.replace(net, sinks=sinks)
