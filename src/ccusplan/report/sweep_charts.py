"""A sweep's figures: the corridors and sites by how often the samples build them
(``sweep_map.png``, over the :mod:`ccusplan.geography` background), and the spread of
NPV and USD/t over the samples with their P10, P50 and P90 (``sweep_distribution.png``).
Drawn with matplotlib's Agg canvas (no pyplot, no display)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ccusplan import geography
from ccusplan.model import Network
from ccusplan.report.fonts import with_fonts
from ccusplan.report.network_map import DPI, PNG_COMPRESS_LEVEL, SIZE_IN, _frame, _label

#: Shares of the samples at which the legend shows a pipe.
LEGEND_SHARES = (0.1, 0.5, 0.9)
SHARE_CMAP = "viridis_r"


def _share_colour(share):
    from matplotlib import colormaps

    return colormaps[SHARE_CMAP](0.1 + 0.85 * np.clip(np.asarray(share, float), 0, 1))


@with_fonts
def plot_sweep_map(case_name: str, net: Network, usage: pd.DataFrame, n_planned: int) -> bytes:
    """Corridors (straight, between their ends) coloured and widened by the share of the
    samples with a plan that lay new pipe on them; sources and sinks built in at least one
    sample, marked by their share; the sites built in nine samples of ten labelled."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=SIZE_IN, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.07, 0.08, 0.66, 0.80))
    nodes = net.nodes()
    cor = usage[usage["kind"] == "corridor"].sort_values("share")
    ends = cor["id"].str.split("|", expand=True) if len(cor) else pd.DataFrame(columns=[0, 1])
    known = ends[0].isin(nodes.index) & ends[1].isin(nodes.index) if len(cor) else []
    cor, ends = cor[known], ends[known]
    if len(cor):
        segs = [np.array([nodes.loc[a, ["lon", "lat"]].to_numpy(float),
                          nodes.loc[b, ["lon", "lat"]].to_numpy(float)])
                for a, b in zip(ends[0], ends[1])]
        ax.add_collection(LineCollection(segs, colors=_share_colour(cor["share"]),
                                         linewidths=0.8 + 4.2 * cor["share"].to_numpy(),
                                         capstyle="round", zorder=3))
    ax.scatter(net.sources["lon"], net.sources["lat"], s=8, color="white", edgecolors="0.6",
               linewidths=0.5, zorder=4)
    ax.scatter(net.sinks["lon"], net.sinks["lat"], s=40, marker="s", color="white",
               edgecolors="0.5", linewidths=0.8, zorder=4)
    for kind, marker, size in (("source", "o", 60), ("sink", "s", 90)):
        u = usage[(usage["kind"] == kind) & usage["id"].isin(nodes.index)]
        xy = nodes.loc[u["id"], ["lon", "lat"]]
        ax.scatter(xy["lon"], xy["lat"], s=size, marker=marker, c=_share_colour(u["share"]),
                   edgecolors="black", linewidths=0.7, zorder=5)
        _label(ax, xy[(u["share"] >= 0.9).to_numpy()], weight="bold" if kind == "sink" else "normal")
    _frame(ax, nodes)
    geography.draw(ax)
    handles = [Line2D([], [], color=_share_colour(s), lw=0.8 + 4.2 * s,
                      label=f"built in {s:.0%} of samples") for s in LEGEND_SHARES]
    handles += [Line2D([], [], ls="", marker="o", ms=7, mfc="0.8", mec="black",
                       label="capture site (colour: share)"),
                Line2D([], [], ls="", marker="s", ms=8, mfc="0.8", mec="black",
                       label="storage site (colour: share)"),
                Line2D([], [], ls="", marker="o", ms=4, mfc="white", mec="0.6",
                       label="site never built")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
              fontsize=8.5, labelspacing=1.1)
    fig.suptitle(f"{case_name}: how often each corridor and site is built", x=0.07, ha="left",
                 fontsize=13, fontweight="bold")
    fig.text(0.07, 0.915, f"{n_planned} samples with a plan; labelled: sites built in "
             "≥ 90 % of them", ha="left", fontsize=9, color="0.3")
    fig.text(0.73, 0.01, f"background: {geography.ATTRIBUTION}", ha="right", fontsize=7,
             color="0.45")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buf.getvalue()


@with_fonts
def plot_sweep_distribution(case_name: str, table: pd.DataFrame, npv_unit: str) -> bytes:
    """Histograms of NPV and USD/t stored over the samples with a plan, P10/P50/P90
    marked and written."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from ccusplan.uncertainty.usage import percentiles

    fig = Figure(figsize=(12.0, 4.4), dpi=110)
    FigureCanvasAgg(fig)
    panels = (("npv_musd", f"NPV ({npv_unit})", "{:,.0f}"), ("usd_per_t", "USD/t stored",
                                                              "{:,.2f}"))
    for i, (col, label, fmt) in enumerate(panels):
        ax = fig.add_axes((0.06 + 0.49 * i, 0.14, 0.42, 0.68))
        v = pd.to_numeric(table.get(col, pd.Series(dtype=float)), errors="coerce").dropna()
        if len(v):
            ax.hist(v, bins=min(30, max(5, len(v) // 3)), color="#8fb3d9", edgecolor="white")
        p = percentiles(v.tolist())
        for q, style in ((10, ":"), (50, "-"), (90, ":")):
            if q in p:
                ax.axvline(p[q], color="#1b4f9c", ls=style, lw=1.6)
        ax.set_xlabel(label)
        ax.set_ylabel("samples")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", alpha=0.3)
        text = "  ".join(f"P{q} {fmt.format(p[q])}" for q in (10, 50, 90) if q in p)
        ax.set_title(text or "no sample with a plan", fontsize=10, loc="left")
    fig.suptitle(f"{case_name}: NPV and levelised cost over {len(table)} samples", x=0.06,
                 ha="left", fontsize=12, fontweight="bold")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buf.getvalue()
