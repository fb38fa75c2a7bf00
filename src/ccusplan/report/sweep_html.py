"""A sweep's report (``report.html`` in the sweep folder): headline percentiles, the map
of how often each corridor and site is built, the spread of cost, and sortable tables of
``usage.csv`` and ``sweep.csv``. Self-contained (the figures inlined as PNG)."""

from __future__ import annotations

import base64
import html
from datetime import datetime, timezone
from pathlib import Path
from string import Template

import pandas as pd

import ccusplan
from ccusplan.report.html import _asset, _card
from ccusplan.report.html_tables import Column, html_table
from ccusplan.uncertainty.usage import percentiles

USAGE_COLUMNS = [Column("kind", "kind"), Column("id", "id"),
                 Column("samples_built", "samples building it", "{:,.0f}"),
                 Column("share", "share", "{:.0%}"),
                 Column("first_year_median", "first year (median)", "{:.0f}"),
                 Column("first_year_earliest", "earliest", "{:.0f}")]
SAMPLE_COLUMNS = [Column("sample", "sample", "{:.0f}"), Column("status", "status"),
                  Column("npv_musd", "NPV (MUSD)", "{:,.1f}"), Column("mip_gap", "gap", "{:.2%}"),
                  Column("usd_per_t", "USD/t stored", "{:,.2f}"),
                  Column("pipeline_km", "new pipe (km)", "{:,.0f}"),
                  Column("sources_equipped", "sources", "{:.0f}"),
                  Column("sinks_opened", "sinks", "{:.0f}"),
                  Column("sink_capacity_mean", "sink capacity × (mean)", "{:.2f}"),
                  Column("sink_injectivity_mean", "injectivity × (mean)", "{:.2f}"),
                  Column("capture_cost_factor", "capture cost ×", "{:.2f}"),
                  Column("pipeline_cost_factor", "pipeline cost ×", "{:.2f}"),
                  Column("target_factor", "target ×", "{:.2f}"),
                  Column("price_factor", "price ×", "{:.2f}")]


def build_sweep_report(folder: Path, case_name: str) -> str:
    folder = Path(folder)
    table = pd.read_csv(folder / "sweep.csv")
    usage = pd.read_csv(folder / "usage.csv")
    ok = table[table["status"].isin(("optimal", "feasible"))]
    cards = [_card("Samples", f"{len(table):,}", f"{len(ok):,} with a plan")]
    for col, key, unit, fmt in (("npv_musd", "Net present cost", "MUSD", "{:,.0f}"),
                                ("usd_per_t", "Levelised cost", "USD/t stored", "{:,.2f}"),
                                ("pipeline_km", "New pipeline", "km", "{:,.0f}")):
        p = percentiles(ok[col].tolist()) if col in ok else {}
        if p:
            cards.append(_card(key, f"{fmt.format(p[50])} <small>{unit} (P50)</small>",
                               f"P10 {fmt.format(p[10])} · P90 {fmt.format(p[90])}"))
    cor = usage[usage["kind"] == "corridor"]
    cards.append(_card("Firm corridors", f"{int((cor['share'] >= 0.9).sum())} <small>of "
                       f"{len(cor)}</small>", "built in ≥ 90 % of the samples"))
    built = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    values = {
        "version": ccusplan.__version__,
        "title": html.escape(f"{case_name} sweep — ccusplan report"),
        "case": html.escape(case_name),
        "subtitle": html.escape(f"Monte Carlo sweep · {len(table)} samples · ccusplan "
                                f"{ccusplan.__version__}"),
        "cards": "\n".join(cards),
        "map_png": base64.b64encode((folder / "sweep_map.png").read_bytes()).decode(),
        "distribution_png": base64.b64encode(
            (folder / "sweep_distribution.png").read_bytes()).decode(),
        "n_usage": str(len(usage)), "n_samples": str(len(table)),
        "usage_table": html_table(usage.sort_values("share", ascending=False), USAGE_COLUMNS,
                                  "usage-table", "built over the samples"),
        "sample_table": html_table(table, SAMPLE_COLUMNS, "sample-table", "samples"),
        "footer": html.escape(f"Report built {built} by ccusplan {ccusplan.__version__} from "
                              f"{folder.name}/ (sweep.csv, usage.csv, figures)."),
        "report_css": _asset("report.css"),
        "report_js": _asset("report.js"),
    }
    return Template(_asset("sweep.html")).substitute(values)
