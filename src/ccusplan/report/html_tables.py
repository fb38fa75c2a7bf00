"""The report's tables: per period, capture site, storage site and pipeline, as sortable
HTML (every cell carries its raw value in ``data-v`` for the page's sort script; a click
on a column header sorts by it).

Each table is read off the result folder's CSV files alone.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd

from ccusplan.io.result_folder import ResultFolder


@dataclass(frozen=True)
class Column:
    key: str           # column of the table
    label: str         # header, with its unit
    fmt: str = ""      # format of a number ("{:,.1f}"); empty for text


def _cell(v, fmt: str) -> str:
    if fmt and v is not None and not (isinstance(v, float) and math.isnan(v)):
        return f'<td class="num" data-v="{float(v)!r}">{html.escape(fmt.format(v))}</td>'
    if fmt:
        return '<td class="num" data-v="">—</td>'
    text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
    return f'<td data-v="{html.escape(text.lower())}">{html.escape(text)}</td>'


def html_table(df: pd.DataFrame, columns: list[Column], table_id: str, caption: str) -> str:
    """One sortable ``<table>`` of ``df``'s ``columns`` (those missing from ``df`` left out)."""
    cols = [c for c in columns if c.key in df.columns]
    head = "".join(f'<th class="{"num" if c.fmt else "text"}" title="sort">'
                   f"{html.escape(c.label)}</th>" for c in cols)
    rows = "\n".join("<tr>" + "".join(_cell(r[c.key], c.fmt) for c in cols) + "</tr>"
                     for r in df[[c.key for c in cols]].to_dict("records"))
    return (f'<table class="sortable" id="{table_id}"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>")


PERIOD_COLUMNS = [
    Column("period", "period"), Column("target_mtpa", "target Mt/yr", "{:,.1f}"),
    Column("price_usd_per_t", "price USD/t", "{:,.1f}"),
    Column("captured_mtpa", "captured Mt/yr", "{:,.1f}"),
    Column("stored_mtpa", "stored Mt/yr", "{:,.1f}"),
    Column("avoided_mtpa", "avoided Mt/yr", "{:,.1f}"),
    Column("cumulative_stored_mt", "stored to date Mt", "{:,.0f}"),
    Column("sources_total", "capture sites", "{:,.0f}"),
    Column("sinks_total", "storage sites", "{:,.0f}"),
    Column("pipeline_km_added", "new pipe km", "{:,.0f}"),
    Column("pipeline_km_total", "pipe to date km", "{:,.0f}"),
    Column("capex_musd", "capital MUSD", "{:,.0f}"),
    Column("npv_musd_period", "NPV of period MUSD", "{:,.0f}"),
    Column("levelized_cost_usd_per_t", "levelised USD/t", "{:,.2f}"),
]
SOURCE_COLUMNS = [
    Column("source_id", "id"), Column("name", "name"), Column("kind", "kind"),
    Column("first_period", "equipped from"),
    Column("site_max_mtpa", "site max Mt/yr", "{:,.2f}"),
    Column("built_capacity_mtpa", "capacity built Mt/yr", "{:,.2f}"),
    Column("captured_mtpa", "most captured Mt/yr", "{:,.2f}"),
    Column("capex_musd", "capital MUSD", "{:,.1f}"),
]
SINK_COLUMNS = [
    Column("sink_id", "id"), Column("name", "name"), Column("kind", "kind"),
    Column("first_period", "opened"),
    Column("injected_mtpa", "most injected Mt/yr", "{:,.2f}"),
    Column("cumulative_mt", "stored by the end Mt", "{:,.1f}"),
    Column("capacity_mt", "capacity Mt", "{:,.0f}"),
    Column("share_used", "share used %", "{:,.1%}"),
    Column("wells", "wells", "{:,.0f}"),
    Column("capex_musd", "capital MUSD", "{:,.1f}"),
]
PIPE_COLUMNS = [
    Column("from", "from"), Column("to", "to"), Column("length_km", "length km", "{:,.1f}"),
    Column("pipes", "pipes (last period)"), Column("first_period", "first in service"),
    Column("capacity_mtpa", "capacity Mt/yr", "{:,.2f}"),
    Column("max_flow_mtpa", "most flow Mt/yr", "{:,.2f}"),
    Column("capex_musd", "capital MUSD", "{:,.1f}"),
]


def _first_on(t: pd.DataFrame, key: str, flag: str) -> pd.Series:
    return t[t[flag] > 0].groupby(key)["period"].min().astype("Int64")


def source_rows(result: ResultFolder) -> pd.DataFrame:
    """One row per capture site used: first period, most capacity and capture, capital."""
    s = result.tables["plan_sources.csv"]
    if not len(s):
        return pd.DataFrame(columns=[c.key for c in SOURCE_COLUMNS])
    g = s.groupby("source_id", sort=False)
    out = g.agg(name=("name", "first"), kind=("kind", "first"),
                site_max_mtpa=("site_max_mtpa", "max"),
                built_capacity_mtpa=("built_capacity_mtpa", "max"),
                captured_mtpa=("captured_mtpa", "max"), capex_musd=("capex_musd", "sum"))
    out["first_period"] = _first_on(s, "source_id", "equipped")
    return out.reset_index().sort_values("captured_mtpa", ascending=False, kind="stable")


def sink_rows(result: ResultFolder) -> pd.DataFrame:
    """One row per storage site used: first period, most injection, Mt held by the end."""
    k = result.tables["plan_sinks.csv"]
    if not len(k):
        return pd.DataFrame(columns=[c.key for c in SINK_COLUMNS])
    g = k.groupby("sink_id", sort=False)
    out = g.agg(name=("name", "first"), kind=("kind", "first"),
                injected_mtpa=("injected_mtpa", "max"), cumulative_mt=("cumulative_mt", "max"),
                capacity_mt=("capacity_mt", "first"), capex_musd=("capex_musd", "sum"),
                **({"wells": ("wells", "max")} if "wells" in k else {}))
    out["share_used"] = out["cumulative_mt"] / out["capacity_mt"]
    out["first_period"] = _first_on(k, "sink_id", "open")
    return out.reset_index().sort_values("cumulative_mt", ascending=False, kind="stable")


def pipe_rows(result: ResultFolder) -> pd.DataFrame:
    """One row per built corridor (``network.geojson``'s lines) with its capital spent."""
    lines = [f["properties"] for f in result.network["features"]
             if f["geometry"]["type"] == "LineString"]
    if not lines:
        return pd.DataFrame(columns=[c.key for c in PIPE_COLUMNS])
    out = pd.DataFrame(lines)
    if "existing" in out and "pipes" in out:  # an existing line never looped lays no pipes
        out.loc[out["existing"].astype(bool) & (out["pipes"].fillna("") == ""), "pipes"] = \
            "existing line"
    p = result.tables["plan_pipelines.csv"]
    if len(p) and "from" in out:
        capex = p.groupby(["from", "to"])["capex_musd"].sum()
        out["capex_musd"] = [capex.get((a, b), 0.0) for a, b in zip(out["from"].astype(str),
                                                                   out["to"].astype(str))]
    return out.sort_values("capacity_mtpa", ascending=False, kind="stable")
