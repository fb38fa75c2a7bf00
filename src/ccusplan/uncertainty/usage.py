"""What one sample's plan builds, and when, in a form that travels in a results row:
the figures of ``sweep.csv`` and the first year of every source equipped, sink opened
and corridor given new pipe (``usage.csv`` counts them over the samples)."""

from __future__ import annotations

import math

import numpy as np


def corridor_key(a: str, b: str) -> str:
    """A corridor by its two ends, whichever way it was written: ``A|B`` with A < B."""
    a, b = sorted((str(a), str(b)))
    return f"{a}|{b}"


def plan_usage(outcome) -> dict:
    """The sweep's columns of a solved sample (empty figures without a plan)."""
    plan = outcome.plan
    if plan is None:
        return {"usd_per_t": None, "pipeline_km": None, "sources_equipped": None,
                "sinks_opened": None, "stored_mt_discounted": None,
                "built": {"sources": {}, "sinks": {}, "corridors": {}}}
    cost = plan.npv_musd["capture"] + plan.npv_musd["transport"] + plan.npv_musd["storage"]
    usd_per_t = cost / plan.discounted_stored_mt if plan.discounted_stored_mt > 1e-9 else None
    src = plan.sources[plan.sources["equipped"] > 0].groupby("source_id")["period"].min()
    snk = plan.sinks[plan.sinks["open"] > 0].groupby("sink_id")["period"].min()
    p = plan.pipelines
    new = p[(p["pipe_class"] != "existing") & (p["pipes"] > 0)]
    cor: dict[str, int] = {}
    for a, b, year in zip(new["from"], new["to"], new["period"]):
        k = corridor_key(a, b)
        cor[k] = min(cor.get(k, math.inf), int(year))
    return {"usd_per_t": None if usd_per_t is None else round(float(usd_per_t), 6),
            "pipeline_km": round(plan.pipeline_km, 3),
            "sources_equipped": int(len(src)), "sinks_opened": int(len(snk)),
            "stored_mt_discounted": round(float(plan.discounted_stored_mt), 6),
            "built": {"sources": {str(k): int(v) for k, v in src.items()},
                      "sinks": {str(k): int(v) for k, v in snk.items()},
                      "corridors": dict(sorted(cor.items()))}}


def percentiles(values, qs=(10, 50, 90)) -> dict[int, float]:
    """P10/P50/P90 of the values given (None and NaN left out; linear interpolation
    between samples)."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], float)
    return {q: float(np.percentile(v, q)) for q in qs} if len(v) else {}
