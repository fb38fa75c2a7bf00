"""The early movers' map (``early_movers.png``): the sources taken first, sized by the
Mt/yr they capture and coloured by their full-chain cost (USD/t), each joined by a line
to the sink it stores in, over the network's other sites and the Natural Earth
background (:mod:`ccusplan.geography`). Drawn with matplotlib's Agg canvas.
"""

from __future__ import annotations

import io
import math

import numpy as np

from ccusplan import geography
from ccusplan.early_movers import EarlyMovers
from ccusplan.model import Network
from ccusplan.report.fonts import with_fonts
from ccusplan.report.network_map import (
    DPI, PNG_COMPRESS_LEVEL, SIZE_IN, SOURCE_AREA_PER_MTPA, _frame, _label, nice_number,
)

#: Sources labelled: the cheapest, at most this many.
MAX_LABELS = 12


@with_fonts
def plot_early_movers(case_name: str, net: Network, movers: EarlyMovers) -> bytes:
    """The map as PNG bytes."""
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=SIZE_IN, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.07, 0.08, 0.66, 0.80))
    t = movers.table
    src, snk = net.sources, net.sinks
    ax.scatter(src["lon"], src["lat"], s=6, color="white", edgecolors="0.6", linewidths=0.5,
               zorder=2)
    ax.scatter(snk["lon"], snk["lat"], s=60, marker="s", color="white", edgecolors="0.45",
               linewidths=1.0, zorder=3)
    handles = [Line2D([], [], ls="", marker="o", ms=4, mfc="white", mec="0.6",
                      label="other capture site"),
               Line2D([], [], ls="", marker="s", ms=7, mfc="white", mec="0.45",
                      label="storage site")]
    if len(t):
        cost = t["total_usd_per_t"].to_numpy(float)
        norm = Normalize(vmin=float(cost.min()), vmax=float(max(cost.max(), cost.min() + 1e-6)))
        cmap = colormaps["viridis"]
        segs = [np.array([[a, b], [c, d]]) for a, b, c, d in
                t[["lon", "lat", "sink_lon", "sink_lat"]].to_numpy(float)]
        ax.add_collection(LineCollection(segs, colors=cmap(norm(cost)), linewidths=1.6,
                                         zorder=4))
        used = t.drop_duplicates("sink_id")
        ax.scatter(used["sink_lon"], used["sink_lat"], s=110, marker="s", color="0.85",
                   edgecolors="black", linewidths=1.4, zorder=5)
        order = np.argsort(-t["mtpa"].to_numpy(float))
        points = ax.scatter(t["lon"].to_numpy(float)[order], t["lat"].to_numpy(float)[order],
                            s=SOURCE_AREA_PER_MTPA * t["mtpa"].to_numpy(float)[order],
                            c=cost[order], cmap=cmap, norm=norm, edgecolors="black",
                            linewidths=0.6, zorder=6)
        bar = fig.colorbar(points, ax=ax, fraction=0.035, pad=0.01)
        bar.set_label("capture + transport + storage, USD/t", fontsize=9)
        _label(ax, t.head(MAX_LABELS).set_index("source_id")[["lon", "lat"]])
        handles.append(Line2D([], [], ls="", marker="s", ms=8, mfc="0.85", mec="black",
                              mew=1.4, label="storage site taken"))
        top = float(t["mtpa"].max())
        for s in sorted({nice_number(top / 8), nice_number(top / 2), nice_number(top)}):
            handles.append(Line2D([], [], ls="", marker="o", mfc="0.85", mec="black",
                                  ms=math.sqrt(SOURCE_AREA_PER_MTPA * s),
                                  label=f"source taken, {s:g} Mt/yr"))
    _frame(ax, net.nodes())
    geography.draw(ax)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.12, 1.0), frameon=False,
              fontsize=8.5, labelspacing=1.1)
    fig.text(0.73, 0.01, f"background: {geography.ATTRIBUTION}", ha="right", fontsize=7,
             color="0.45")
    fig.suptitle(f"{case_name}: the cheapest first {movers.reached_mtpa:,.1f} Mt/yr",
                 x=0.07, ha="left", fontsize=13, fontweight="bold")
    fig.text(0.07, 0.915, f"{len(t)} sources, each with its own pipe to the sink that stores "
             f"it cheapest; sites available by {movers.year}", ha="left", fontsize=9,
             color="0.3")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buf.getvalue()
