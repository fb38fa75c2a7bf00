"""``report.html``: one self-contained page presenting a result folder.

Built from the folder's files alone (``summary.json``, the plan and timeline tables,
``network.geojson``; nothing is solved again), so a plan can be reported later and
elsewhere. Headline figures; an interactive map (Leaflet, :mod:`.web_map`); the build-out
and cost charts as inline SVG, drawn by the same code as ``timeline.png`` and
``cost_breakdown.png`` (:func:`.figures.table_charts`); sortable tables
(:mod:`.html_tables`).

Self-contained: Leaflet's script, style sheet and images, the page's own script and
style, the data and the charts are all inlined. Only the map tiles are fetched, and
when they cannot be, the network still shows over the land, coastlines and borders
shipped with ccusplan (``tiles=False`` leaves the tiles out altogether).
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import tempfile
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from string import Template

import pandas as pd

import ccusplan
from ccusplan.errors import InputError, Problem, display_path
from ccusplan.io.result_folder import ResultFolder, read_result_folder
from ccusplan.optimize.outputs import CAPITAL_CONVENTION
from ccusplan.report.cost_chart import PARTS
from ccusplan.report.figures import table_charts
from ccusplan.report.html_tables import (PERIOD_COLUMNS, PIPE_COLUMNS, SINK_COLUMNS,
                                         SOURCE_COLUMNS, Column, html_table, pipe_rows,
                                         sink_rows, source_rows)
from ccusplan.report.web_map import map_data

REPORT_FILE = "report.html"


def _asset(name: str) -> str:
    return resources.files("ccusplan.report").joinpath("assets", name).read_text(encoding="utf-8")


def _leaflet_css() -> str:
    """Leaflet's style sheet with its images as data URIs."""
    css = _asset("leaflet/leaflet.css")
    images = resources.files("ccusplan.report").joinpath("assets", "leaflet", "images")

    def inline(m: re.Match) -> str:
        data = images.joinpath(m.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode()})"

    return re.sub(r"url\(images/([\w@.-]+\.png)\)", inline, css)


def _leaflet_js() -> str:
    """Leaflet's script without its source-map comment (nothing to fetch)."""
    return re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", _asset("leaflet/leaflet.js"))


def _script_json(data) -> str:
    """JSON safe inside a ``<script>`` element."""
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


def _svg(data: bytes) -> str:
    """Matplotlib's SVG, without its XML prologue, scaled to the page's width."""
    text = data.decode("utf-8")
    return text[text.index("<svg"):]


def _num(v, fmt: str = "{:,.0f}") -> str:
    return "—" if v is None else fmt.format(v)


def _card(key: str, value: str, detail: str = "") -> str:
    d = f'<div class="d">{detail}</div>' if detail else ""
    return f'<div class="card"><div class="k">{key}</div><div class="v">{value}</div>{d}</div>'


def _cards(result: ResultFolder) -> str:
    s, t = result.summary, result.tables["timeline.csv"]
    last = t.iloc[-1] if len(t) else None
    annual = s.get("objective_unit") == "MUSD/yr"
    cards = []
    if last is not None and result.has_plan:
        target = last.get("target_mtpa")
        tgt = (f"target {target:,.1f} Mt/yr" if target is not None and pd.notna(target)
               else "price mode")
        cards.append(_card(f"Stored in {int(last['period'])}",
                           f"{last['stored_mtpa']:,.1f} <small>Mt/yr</small>", tgt))
        if "cumulative_stored_mt" in t:
            cards.append(_card("Stored in all", f"{last['cumulative_stored_mt']:,.0f} <small>Mt</small>",
                               f"by {int(last['period'] + last['period_years'])}"))
    parts = s.get("npv_musd_by_part") or {}
    cost = sum(parts.get(p, 0.0) for p in PARTS) if parts else s["objective_musd"]
    unit = "MUSD/yr" if annual else "MUSD"
    detail = "" if annual else "discounted to the first period"
    if parts.get("revenue"):  # price mode: the objective nets the price credits off
        detail = f"{_num(s['objective_musd'])} {unit} after the price credits"
    cards.append(_card("Cost per year" if annual else "Net present cost",
                       f"{_num(cost)} <small>{unit}</small>", detail))
    lc, lca = s.get("levelized_cost_usd_per_t"), s.get("levelized_cost_usd_per_t_avoided")
    cards.append(_card("Levelised cost", f"{_num(lc, '{:,.2f}')} <small>USD/t stored</small>",
                       f"{_num(lca, '{:,.2f}')} USD/t avoided" if lca is not None else ""))
    cards.append(_card("New pipeline", f"{s['pipeline_km']:,.0f} <small>km</small>",
                       f"{len(pipe_rows(result))} corridors used"))
    cards.append(_card("Sites used", f"{len(source_rows(result))} <small>capture</small>",
                       f"{len(sink_rows(result))} storage sites"))
    gap, tgap = s.get("mip_gap"), s.get("transport_gap")
    notes = [f"gap {gap:.2%}"] if gap is not None else []
    if tgap is not None:
        notes.append(f"transport gap {tgap:.2%} for these sites")
    cards.append(_card("Solution", html.escape(s["status"]),
                       " · ".join([*notes, html.escape(s["solver"])])))
    return "\n".join(cards)


def _notice(s: dict) -> str:
    if s["status"] in ("optimal", "feasible"):
        return ""
    reasons = s.get("diagnosis") or ["the solver found no plan within its limits"]
    items = "".join(f"<li>{html.escape(str(r))}</li>" for r in reasons)
    return (f'<div class="notice"><b>No plan ({html.escape(s["status"])}).</b> '
            f"The targets and the candidate network could not be met:<ul>{items}</ul></div>")


def _cost_table(s: dict) -> tuple[str, str]:
    """The cost-by-part table and its unit."""
    annual = s.get("objective_unit") == "MUSD/yr"
    unit = "MUSD/yr" if annual else "MUSD, net present value"
    npv = s.get("npv_musd_by_part") or {}
    split = s.get("npv_musd_capital_operating") or {}
    rows = [{"part": p, "capital": split.get(p, {}).get("capital"),
             "operating": split.get(p, {}).get("operating"), "total": npv.get(p)}
            for p in PARTS if p in npv]
    if npv.get("revenue"):
        rows.append({"part": "revenue (price)", "total": npv["revenue"]})
    if rows:
        rows.append({"part": "total", "total": s["objective_musd"]})
    cols = [Column("part", "part"), Column("capital", "capital (annuities)", "{:,.1f}"),
            Column("operating", "operating", "{:,.1f}"), Column("total", "total", "{:,.1f}")]
    df = pd.DataFrame(rows, columns=[c.key for c in cols])
    return html_table(df, cols, "cost-table", "cost by part"), unit


def build_report(result: ResultFolder, tiles: bool = True) -> str:
    """The page for ``result``, as one HTML string."""
    s = result.summary
    charts = table_charts(s, result.tables, fmt="svg")
    sources, sinks, pipes = source_rows(result), sink_rows(result), pipe_rows(result)
    cost_table, cost_unit = _cost_table(s)
    built = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    solve = (f"solved with {s['solver']} in {s['solve_seconds']:,.1f} s"
             if s.get("solve_seconds") is not None else f"solved with {s['solver']}")
    values = {
        "version": ccusplan.__version__,
        "title": html.escape(f"{s['case']} — ccusplan report"),
        "case": html.escape(s["case"]),
        "status": html.escape(s["status"]),
        "subtitle": html.escape(f"CCUS build-out plan · {solve} · ccusplan "
                                f"{s.get('ccusplan_version', '?')} · {s.get('units', '')}"),
        "notice": _notice(s),
        "cards": _cards(result),
        "map_lead": ("Built pipes coloured by the period they were first laid and drawn wider "
                     "for more capacity; capture sites sized by the Mt/yr they capture; storage "
                     "sites filled to the share of their capacity used by the end. Hover for "
                     "details; the legend switches pipe colours to capacity."),
        "timeline_svg": _svg(charts["timeline"]),
        "period_table": html_table(result.tables["timeline.csv"], PERIOD_COLUMNS,
                                   "period-table", "per period"),
        "cost_lead": ("Each part's cost split into capital (annuities of the capital spent on "
                      "sites, pipes, sinks and wells) and operating (fixed O&M, per-tonne "
                      "costs, energy, EOR revenue); and the capital committed in each period. "
                      + html.escape(s.get("capital_convention", CAPITAL_CONVENTION))
                      .capitalize() + "."),
        "cost_svg": _svg(charts["cost_breakdown"]),
        "cost_table": cost_table,
        "cost_unit": cost_unit,
        "n_sources": str(len(sources)), "n_sinks": str(len(sinks)), "n_pipes": str(len(pipes)),
        "source_table": html_table(sources, SOURCE_COLUMNS, "source-table", "capture sites"),
        "sink_table": html_table(sinks, SINK_COLUMNS, "sink-table", "storage sites"),
        "pipe_table": html_table(pipes, PIPE_COLUMNS, "pipe-table", "pipelines"),
        "footer": html.escape(f"Report built {built} by ccusplan {ccusplan.__version__} from "
                              f"{result.path.name}/ (summary.json, plan tables, timeline, "
                              "network.geojson). Map: Leaflet (BSD-2)."),
        "leaflet_css": _leaflet_css(),
        "report_css": _asset("report.css"),
        "leaflet_js": _leaflet_js(),
        "map_json": _script_json(map_data(result, tiles)),
        "report_js": _asset("report.js"),
    }
    return Template(_asset("report.html")).substitute(values)


def write_report(folder: Path, out: Path | None = None, tiles: bool = True) -> Path:
    """Build the report of the result ``folder`` and write it (default
    ``folder/report.html``) atomically: a temporary file renamed into place.

    Raises
    ------
    InputError
        ``folder`` is not a readable result folder (see :func:`read_result_folder`), or
        ``out`` cannot be written (a folder, or in a folder that does not exist).
    """
    result = read_result_folder(folder)
    out = Path(out) if out is not None else Path(folder) / REPORT_FILE
    if out.is_dir() or not out.parent.is_dir():
        raise InputError(Problem("command line", f"cannot write {display_path(out)}: "
                                 + ("it is a folder" if out.is_dir() else
                                    f"folder {display_path(out.parent)} does not exist"),
                                 field="--out"))
    page = build_report(result, tiles)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
