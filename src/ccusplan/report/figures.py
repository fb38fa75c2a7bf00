"""The result figures ``ccusplan solve`` writes next to the tables, as PNG bytes:
``timeline.png`` (:mod:`.timeline_chart`), ``network_map.png`` (:mod:`.network_map`) and
``cost_breakdown.png`` (:mod:`.cost_chart`).

The two charts are drawn from ``summary.json``'s content and the result tables alone
(:func:`table_charts`), so ``ccusplan report`` draws the very same charts later from a
result folder; the static map also shows the unused candidates, which only the solved
case knows.
"""

from __future__ import annotations

import pandas as pd

from ccusplan.optimize.outputs import Results
from ccusplan.optimize.timeline import capacity_by_kind, km_added_by_class
from ccusplan.report.cost_chart import PARTS, capex_by_period, plot_cost_breakdown
from ccusplan.report.network_map import plot_network_map
from ccusplan.report.timeline_chart import plot_timeline

FIGURE_FILES = ("timeline.png", "network_map.png", "cost_breakdown.png")
PLAN_STATUSES = ("optimal", "feasible")


def note(s: dict) -> str:
    """The line under each figure's title: status, NPV, levelised cost and km of new pipe."""
    if s["status"] not in PLAN_STATUSES or s["objective_musd"] is None:
        return f"no plan: {s['status']}"
    lc = s.get("levelized_cost_usd_per_t")
    levelized = f"; levelised {lc:,.2f} USD/t stored" if lc is not None else ""
    cost = f"{s['objective_musd']:,.0f} MUSD/yr" if s.get("objective_unit") == "MUSD/yr" \
        else f"NPV {s['objective_musd']:,.0f} MUSD"
    return f"{s['status']}, {cost}{levelized}; {s['pipeline_km']:,.0f} km of new pipe"


def table_charts(s: dict, tables: dict[str, pd.DataFrame], fmt: str = "png") -> dict[str, bytes]:
    """The build-out and cost charts (keys ``timeline``, ``cost_breakdown``) as ``fmt``
    (``png`` or ``svg``) bytes.

    Parameters
    ----------
    s : dict
        ``summary.json``'s content.
    tables : dict
        ``timeline.csv``, ``plan_sources.csv``, ``plan_sinks.csv`` and
        ``plan_pipelines.csv`` by file name.
    """
    t = tables["timeline.csv"]
    years = t["period"].to_numpy(int)
    planned = s["status"] in PLAN_STATUSES
    src, snk, pipes = (tables[f"plan_{n}.csv"] for n in ("sources", "sinks", "pipelines"))
    line = note(s)
    timeline = plot_timeline(s["case"], t, capacity_by_kind(src, years) if planned else None,
                             km_added_by_class(pipes, years) if planned else None, line, fmt)
    npv = s.get("npv_musd_by_part") or {}
    unit = "MUSD/yr" if s.get("objective_unit") == "MUSD/yr" else "MUSD NPV"
    costs = plot_cost_breakdown(
        s["case"], {p: npv[p] for p in PARTS if p in npv} if planned else {},
        s.get("npv_musd_capital_operating") or None,
        capex_by_period(src, pipes, snk, years) if planned else None, unit, line, fmt)
    return {"timeline": timeline, "cost_breakdown": costs}


def result_figures(results: Results) -> dict[str, bytes]:
    """``timeline.png``, ``network_map.png`` and ``cost_breakdown.png`` of a solved case
    (the targets and the candidate network alone when there is no plan)."""
    inst, s = results.outcome.instance, results.summary
    charts = table_charts(s, results.tables)
    net_map = plot_network_map(inst.case.name, inst.network, inst.years, results.outcome.plan,
                               note(s))
    return dict(zip(FIGURE_FILES, (charts["timeline"], net_map, charts["cost_breakdown"])))
