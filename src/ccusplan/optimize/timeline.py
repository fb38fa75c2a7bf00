"""The build-out timeline: one row per period of what the plan captures, stores, builds
and costs (``timeline.csv``), and the cumulative use of each sink (``timeline_sinks.csv``).

Both are read off a :class:`~ccusplan.optimize.plan.Plan`; nothing is re-optimised.
Money is MUSD in the case's cost-year USD; "NPV" is discounted to the first period's
start year, as the objective is.

``timeline`` columns, in order:

=====================================  ==================================================
``period``, ``period_years``           start year and length of the period
``target_mtpa``                        stored Mt/yr required (empty in price mode)
``price_usd_per_t``                    credit per tonne stored (empty in target mode)
``captured_mtpa``, ``stored_mtpa``     Mt/yr captured and stored
``avoided_mtpa``                       net of the CCUS energy's emissions (when given)
``cumulative_stored_mt``               Mt stored by the period's end
``capture_capacity_mtpa``              capture capacity built and in service
``sources_added``, ``sources_total``   sites equipped this period, and in service
``sinks_added``, ``sinks_total``       sinks opened this period, and open
``pipeline_km_added``                  km of new pipe laid this period (a looped pipe
                                       counts again), ``pipeline_km_total`` to date
``km_added_<class>``                   the same by pipe class, one column per class the
                                       plan lays, smallest first: ``km_added_nps_16in``
                                       for a nominal 16" size, else the class name in
                                       lower case with other characters as ``_``
                                       (``km_added_small``, ``km_added_generic``)
``mt_km_per_yr_<mode>``                Mt·km a year carried by each mode the network has
                                       beside pipelines (``mt_km_per_yr_pipeline``,
                                       ``mt_km_per_yr_ship`` …)
``transport_musd_<mode>``              discounted transport cost of each of those modes
                                       paid during the period (ships with their ports)
``capex_musd``                         overnight capital committed this period: sites,
                                       pipes, sinks and wells added (undiscounted)
``npv_musd_period``                    discounted cost paid during the period (annuities,
                                       O&M and per-tonne costs of capture, transport and
                                       storage; EOR revenue counts, a price credit not);
                                       ``npv_musd_to_date`` its running sum
``levelized_cost_usd_per_t``           the period's cost per tonne stored in it:
                                       ``npv_musd_period`` / discounted tonnes stored
``levelized_cost_to_date_usd_per_t``   the same from the first period; its last value is
                                       the summary's ``levelized_cost_usd_per_t``
=====================================  ==================================================
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ccusplan.optimize.instance import Instance
from ccusplan.optimize.plan import Plan

SINK_COLUMNS = ["period", "sink_id", "name", "kind", "open", "injected_mtpa",
                "cumulative_mt", "capacity_mt", "share_used"]
COST_PARTS = ("capture", "transport", "storage")
_NPS = re.compile(r'^(\d+(?:\.\d+)?)"$')


def class_column(name: str) -> str:
    """Timeline column of km added for a pipe class.

    >>> class_column('16"'), class_column("Trend 2"), class_column("generic")
    ('km_added_nps_16in', 'km_added_trend_2', 'km_added_generic')
    """
    m = _NPS.match(str(name))
    if m:
        return f"km_added_nps_{m.group(1).replace('.', '_')}in"
    return "km_added_" + (re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_") or "class")


def _per_period(table: pd.DataFrame, column: str, years: np.ndarray, mask=None) -> np.ndarray:
    """Sum of ``column`` over the rows of each period (0 for periods without rows)."""
    rows = table if mask is None else table[mask]
    return rows.groupby("period")[column].sum().reindex(years, fill_value=0).to_numpy(float)


def km_added_by_class(pipelines: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    """Km of new pipe per period (rows) and class (columns, smallest class first), from a
    plan's pipelines table (``Plan.pipelines`` or ``plan_pipelines.csv``).

    Classes are ordered by nominal size when named like ``16"``, else by their largest
    capacity on any corridor; classes the plan never lays are left out.
    """
    p = pipelines[pipelines["pipes_added"] > 0]
    km = (p.assign(km=p["pipes_added"] * p["length_km"])
          .pivot_table(index="period", columns="pipe_class", values="km", aggfunc="sum")
          .reindex(years).fillna(0.0))
    nps = {c: float(m.group(1)) for c in km.columns if (m := _NPS.match(str(c)))}
    size = p.groupby("pipe_class")["capacity_mtpa"].max() / p.groupby("pipe_class")["pipes"].max()
    order = sorted(km.columns, key=lambda c: (c not in nps, nps.get(c, 0.0), size[c], str(c)))
    return km[order].rename_axis(columns=None)


def capacity_by_kind(sources: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    """Capture capacity in service (Mt/yr) per period (rows) and source kind (columns), from
    a plan's sources table (``Plan.sources`` or ``plan_sources.csv``)."""
    s = sources
    return (s.pivot_table(index="period", columns="kind", values="built_capacity_mtpa",
                          aggfunc="sum")
            .reindex(years).fillna(0.0).rename_axis(columns=None))


def timeline(inst: Instance, plan: Plan | None,
             avoided_mtpa: np.ndarray | None = None) -> pd.DataFrame:
    """One row per period of the plan's build-out (columns in the module docstring).

    Without a plan (infeasible, or no solution found) the rows hold the period, its
    length and target or price, and nothing else.
    """
    years = inst.years
    target_mode = inst.mode == "target"
    out = pd.DataFrame({
        "period": years,
        "period_years": inst.period_years,
        "target_mtpa": inst.target_mtpa if target_mode else np.nan,
        "price_usd_per_t": np.nan if target_mode else inst.price_usd_per_t,
    })
    if plan is None:
        return out
    src, snk, pipes = plan.sources, plan.sinks, plan.pipelines
    stored = plan.stored_mtpa
    km = km_added_by_class(pipes, years)
    cost = sum(plan.npv_musd_by_period[k] for k in COST_PARTS)
    discounted_mt = stored * inst.weight_years
    with np.errstate(divide="ignore", invalid="ignore"):
        levelized = np.where(discounted_mt > 1e-9, cost / discounted_mt, np.nan)
        to_date = np.where(np.cumsum(discounted_mt) > 1e-9,
                           np.cumsum(cost) / np.cumsum(discounted_mt), np.nan)
    added_km = km.sum(axis=1).to_numpy(float)
    out = out.assign(
        captured_mtpa=plan.captured_mtpa,
        stored_mtpa=stored,
        avoided_mtpa=np.nan if avoided_mtpa is None else avoided_mtpa,
        cumulative_stored_mt=np.cumsum(stored * inst.period_years),
        capture_capacity_mtpa=_per_period(src, "built_capacity_mtpa", years),
        sources_added=_per_period(src, "built_this_period", years).astype(int),
        sources_total=_per_period(src, "equipped", years).astype(int),
        sinks_added=_per_period(snk, "opened_this_period", years).astype(int),
        sinks_total=_per_period(snk, "open", years).astype(int),
        pipeline_km_added=added_km,
        pipeline_km_total=np.cumsum(added_km),
    )
    for name in km.columns:
        out[class_column(name)] = km[name].to_numpy(float)
    if (inst.cor_leased).any():  # the modes side by side
        carried = pipes.assign(mt_km=pipes["flow_mtpa"].abs() * pipes["length_km"])
        for mode, musd in plan.transport_musd_by_mode.items():
            out[f"mt_km_per_yr_{mode}"] = _per_period(carried, "mt_km", years,
                                                      carried["mode"] == mode)
            out[f"transport_musd_{mode}"] = musd
    return out.assign(
        capex_musd=(_per_period(src, "capex_musd", years) + _per_period(pipes, "capex_musd", years)
                    + _per_period(snk, "capex_musd", years)),
        npv_musd_period=cost,
        npv_musd_to_date=np.cumsum(cost),
        levelized_cost_usd_per_t=levelized,
        levelized_cost_to_date_usd_per_t=to_date,
    )


def sink_timeline(plan: Plan | None) -> pd.DataFrame:
    """Per period and opened sink: injection, Mt held by the period's end, capacity and the
    share of it used (``cumulative_mt / capacity_mt``). Sorted by period, then sink."""
    if plan is None:
        return pd.DataFrame(columns=SINK_COLUMNS)
    s = plan.sinks
    s = s.assign(share_used=s["cumulative_mt"] / s["capacity_mt"])
    return s[SINK_COLUMNS].sort_values(["period", "sink_id"], kind="stable").reset_index(drop=True)
