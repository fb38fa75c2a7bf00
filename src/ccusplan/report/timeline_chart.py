"""The build-out chart (``timeline.png``): capture capacity by source kind stacked over
the periods with the stored and target Mt/yr, and the km of new pipe laid per period by
pipe class with the running total.

Drawn with matplotlib's Agg canvas directly (no pyplot, no display, no global state).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ccusplan.report.fonts import with_fonts


SIZE_IN = (12.0, 5.0)
DPI = 120
#: Pixel size of the PNG (width, height): fixed, whatever the plan.
SIZE_PX = (int(SIZE_IN[0] * DPI), int(SIZE_IN[1] * DPI))
#: zlib level of the PNG: 1 writes about twice as fast as the default 6, files ~20 % larger.
PNG_COMPRESS_LEVEL = 1

#: One colour per source kind, so a kind keeps its colour from case to case.
KIND_COLOURS = {
    "coal_power": "#4d4d4d", "gas_power": "#5b8fd9", "cement": "#a6761d", "steel": "#7f3c8d",
    "steel_bf_bof": "#984ea3", "refinery": "#e7298a", "chemical": "#1b9e77",
    "coal_to_chemicals": "#66a61e", "ammonia": "#a6d854", "methanol": "#4daf4a",
    "coal_to_olefins": "#006d2c",
    "ng_processing": "#80b1d3", "hydrogen": "#17becf", "bioenergy": "#2ca02c",
    "dac": "#bcbd22", "other": "#bbbbbb",
}


def _class_colours(n: int) -> np.ndarray:
    """Smallest class light yellow, largest dark purple (viridis, read in reverse)."""
    from matplotlib import colormaps

    return colormaps["viridis_r"](np.linspace(0.05, 0.95, max(n, 1)))[:n]


def _stacked(ax, x: np.ndarray, table: pd.DataFrame, colours) -> None:
    bottom = np.zeros(len(x))
    for name, colour in zip(table.columns, colours):
        v = table[name].to_numpy(float)
        ax.bar(x, v, bottom=bottom, width=0.65, color=colour, edgecolor="white", linewidth=0.5,
               label=str(name).replace("_", " "))
        bottom += v


def _fit_right(fig, legend, edge: float = 0.99) -> None:
    """Narrow the plots until ``legend`` (right of them) ends inside the figure: long
    class names would otherwise be cut at its edge."""
    for _ in range(4):
        box = legend.get_window_extent(fig.canvas.get_renderer())
        over = box.x1 / fig.bbox.width - edge
        if over <= 0:
            return
        fig.subplots_adjust(right=fig.subplotpars.right - over)


@with_fonts
def plot_timeline(case_name: str, timeline: pd.DataFrame, capacity_by_kind: pd.DataFrame | None,
                  km_by_class: pd.DataFrame | None, note: str = "", fmt: str = "png") -> bytes:
    """The build-out chart as PNG (:data:`SIZE_PX` pixels) or SVG bytes.

    Parameters
    ----------
    case_name : str
        For the title.
    timeline : pandas.DataFrame
        :func:`ccusplan.optimize.timeline.timeline` (``period``, ``target_mtpa``,
        ``stored_mtpa``, ``pipeline_km_total`` are used).
    capacity_by_kind, km_by_class : pandas.DataFrame or None
        Capture capacity in service (Mt/yr) by kind and km of new pipe by class, one
        row per period (:mod:`ccusplan.optimize.timeline`); None without a plan.
    note : str
        A line under the title (e.g. NPV and levelised cost, or why there is no plan).
    fmt : str
        ``png`` or ``svg``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=SIZE_IN, dpi=DPI)
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2, gridspec_kw={"wspace": 0.3})
    years = timeline["period"].to_numpy(int)
    x = np.arange(len(years))
    for ax in (left, right):
        ax.set_xticks(x, [str(y) for y in years])
        ax.set_xlim(-0.6, len(x) - 0.4)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    thousands = FuncFormatter(lambda v, _: f"{v:,.0f}")

    # capture capacity by kind, stored and target
    if capacity_by_kind is not None and capacity_by_kind.shape[1]:
        kinds = capacity_by_kind[capacity_by_kind.sum().sort_values(ascending=False).index]
        _stacked(left, x, kinds, [KIND_COLOURS.get(k, "#dddddd") for k in kinds.columns])
    if "stored_mtpa" in timeline:
        left.plot(x, timeline["stored_mtpa"], color="black", marker="o", ms=4, lw=1.6,
                  label="stored")
    if timeline["target_mtpa"].notna().any():
        left.plot(x, timeline["target_mtpa"], color="#c0392b", ls="--", marker="D", ms=4, lw=1.2,
                  label="target")
    left.set(title="Capture capacity by source kind", ylabel="Mt CO₂/yr")
    left.yaxis.set_major_formatter(thousands)
    left.set_ylim(bottom=0)
    left.legend(loc="upper left", fontsize=8, frameon=False)

    # km of new pipe by class, running total
    if km_by_class is not None and km_by_class.shape[1]:
        _stacked(right, x, km_by_class, _class_colours(km_by_class.shape[1]))
        handles, labels = right.get_legend_handles_labels()
        legend = right.legend(handles[::-1], labels[::-1], loc="upper left",
                              bbox_to_anchor=(1.2, 1.0), fontsize=8, frameon=False,
                              title="pipe class", title_fontsize=8,
                              ncol=2 if km_by_class.shape[1] > 12 else 1)
        total = right.twinx()
        total.plot(x, timeline["pipeline_km_total"], color="black", marker="o", ms=4, lw=1.6)
        total.set_ylabel("km laid to date (line)")
        total.set_ylim(bottom=0)
        total.yaxis.set_major_formatter(thousands)
        total.spines["top"].set_visible(False)
    else:
        right.text(0.5, 0.5, "no new pipe", transform=right.transAxes, ha="center",
                   va="center", color="0.4")
    right.set(title="New pipeline by class", ylabel="km laid in the period (bars)")
    right.yaxis.set_major_formatter(thousands)
    right.set_ylim(bottom=0)

    fig.suptitle(f"{case_name}: build-out by period", x=0.06, ha="left", fontsize=13,
                 fontweight="bold")
    if note:
        fig.text(0.06, 0.905, note, ha="left", fontsize=9, color="0.3")
    fig.subplots_adjust(left=0.06, right=0.83, top=0.82, bottom=0.09)
    if km_by_class is not None and km_by_class.shape[1]:
        _fit_right(fig, legend)
    buf = io.BytesIO()
    kw = {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if fmt == "png" else {}
    fig.savefig(buf, format=fmt, **kw)
    return buf.getvalue()
