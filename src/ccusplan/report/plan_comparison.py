"""Solved plans side by side (``ccusplan compare``): cost, km, sources and sinks used,
overall and per period, one column per result folder, so a planner sees which network
or corridor set wins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccusplan.io.result_folder import ResultFolder

#: Per-period rows: (label, timeline.csv column).
PERIOD_ROWS = (("stored Mt/yr", "stored_mtpa"), ("new pipe km", "pipeline_km_added"),
               ("pipe km in service", "pipeline_km_total"), ("sources used", "sources_total"),
               ("sinks used", "sinks_total"), ("capex MUSD", "capex_musd"))


def _labels(folders: list[ResultFolder]) -> list[str]:
    """Folder names, or longer paths where two names are the same."""
    names = [f.path.name for f in folders]
    return [str(f.path) if names.count(n) > 1 else n for f, n in zip(folders, names)]


def _used(folder: ResultFolder, table: str, key: str, flag: str) -> float:
    t = folder.tables.get(table)
    if t is None or not folder.has_plan or key not in t or flag not in t:
        return np.nan
    return float(t.loc[t[flag] > 0, key].nunique())


def compare_plans(folders: list[ResultFolder]) -> pd.DataFrame:
    """One row per metric (index ``metric``; per-period rows also ``period``), one column
    per plan."""
    rows: dict[tuple, list] = {}

    def put(metric, period, values):
        rows[(metric, period)] = values

    s = [f.summary for f in folders]
    put("case", "", [x["case"] for x in s])
    put("status", "", [x["status"] for x in s])
    put("objective MUSD", "", [x["objective_musd"] for x in s])
    put("levelised USD/t", "", [x["levelized_cost_usd_per_t"] for x in s])
    put("new pipe km", "", [x["pipeline_km"] for x in s])
    put("sources used", "", [_used(f, "plan_sources.csv", "source_id", "equipped")
                             for f in folders])
    put("sinks used", "", [_used(f, "plan_sinks.csv", "sink_id", "open") for f in folders])
    timelines = [f.tables.get("timeline.csv") for f in folders]
    periods = sorted({int(p) for t in timelines if t is not None for p in t["period"]})
    for period in periods:
        for label, col in PERIOD_ROWS:
            values = []
            for t in timelines:
                hit = None if t is None or col not in t else t.loc[t["period"] == period, col]
                values.append(float(hit.iloc[0]) if hit is not None and len(hit) else np.nan)
            put(label, period, values)
    index = pd.MultiIndex.from_tuples(list(rows), names=["metric", "period"])
    return pd.DataFrame(list(rows.values()), index=index, columns=_labels(folders))


def cheapest(folders: list[ResultFolder]) -> tuple[int, list[float]] | None:
    """Position of the plan with the lowest objective among those with a plan, and every
    plan's objective minus it (NaN without a plan); None when no plan has an objective or
    their objectives are in different units."""
    units = {f.summary.get("objective_unit") for f in folders}
    obj = np.array([f.summary["objective_musd"] if f.has_plan and
                    f.summary["objective_musd"] is not None else np.nan for f in folders], float)
    if len(units) > 1 or np.isnan(obj).all():
        return None
    best = int(np.nanargmin(obj))
    return best, list(obj - obj[best])


def different_targets(folders: list[ResultFolder]) -> str | None:
    """A note when the plans were not solved for the same targets (or modes): their costs
    then do not rank them; ``None`` when every folder has the same."""
    def key(f: ResultFolder):
        s = f.summary
        return s.get("mode"), tuple(sorted((s.get("target_mtpa_by_period") or {}).items()))

    keys = [key(f) for f in folders]
    if len(set(keys)) <= 1:
        return None
    names = _labels(folders)
    each = "; ".join(f"{n}: {mode or '?'} " + ", ".join(f"{y} {v:g}" for y, v in tgt)
                     for n, (mode, tgt) in zip(names, keys))
    return ("note: the plans do not meet the same targets (Mt/yr by period — " + each +
            "): the cheaper is not the better plan for the same job")
