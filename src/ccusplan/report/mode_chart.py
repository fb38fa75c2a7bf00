"""The mode comparison chart (``modes.png``): USD per tonne of pipeline, ship, truck and
rail against the annual volume (log–log), the cheapest mode's envelope, and the
break-even volumes marked."""

from __future__ import annotations

import io

import pandas as pd

from ccusplan.report.fonts import with_fonts
from ccusplan.report.network_map import MODE_STYLE
from ccusplan.routes.modes import MODE_ORDER

PIPELINE = "#b2182b"


@with_fonts
def plot_modes(table: pd.DataFrame, breaks: pd.DataFrame, title: str, note: str = "") -> bytes:
    """PNG bytes of ``table`` (:func:`ccusplan.routes.modes.cost_by_volume`) with the
    ``breaks`` (:func:`~ccusplan.routes.modes.break_evens`) marked."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 5.5), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.09, 0.11, 0.62, 0.76))
    for mode in (m for m in MODE_ORDER if m in table):
        colour, dashes = MODE_STYLE.get(mode, (PIPELINE, "-"))
        ax.plot(table["mtpa"], table[mode], color=colour, ls=dashes, lw=2, label=mode)
    modes = [m for m in MODE_ORDER if m in table]
    ax.plot(table["mtpa"], table[modes].min(axis=1), color="black", lw=4, alpha=0.18,
            label="cheapest")
    for _, b in breaks.iterrows():
        ax.axvline(b["mtpa"], color="0.35", ls=":", lw=1)
        ax.annotate(f"{b['below']} → {b['above']}\n{b['mtpa']:.3g} Mt/yr",
                    (b["mtpa"], b["usd_per_t"]), xytext=(6, 12), textcoords="offset points",
                    fontsize=8, color="0.2")
    cheapest = table[modes].min(axis=1)
    ax.set(xscale="log", yscale="log", xlabel="annual volume (Mt/yr)",
           ylabel="cost (USD per tonne carried)",
           ylim=(0.7 * float(cheapest.min()), 3 * float(cheapest.max())))
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=9)
    fig.suptitle(title, x=0.09, ha="left", fontsize=12, fontweight="bold")
    if note:
        fig.text(0.09, 0.905, note, ha="left", fontsize=8.5, color="0.3")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
