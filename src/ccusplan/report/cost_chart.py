"""The cost breakdown chart (``cost_breakdown.png``, and the report's cost chart): the NPV
of capture, transport and storage, each split into capital and operating, and the
capital committed in each period by part.

Both panels are read off the result tables alone (``summary.json`` and the plan tables),
so ``ccusplan solve`` and ``ccusplan report`` draw the same chart. Drawn with matplotlib's
Agg canvas directly (no pyplot, no display).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ccusplan.report.fonts import with_fonts

SIZE_IN = (12.0, 4.6)
DPI = 120
#: Pixel size of the PNG (width, height): fixed, whatever the plan.
SIZE_PX = (int(SIZE_IN[0] * DPI), int(SIZE_IN[1] * DPI))
PNG_COMPRESS_LEVEL = 1
PARTS = ("capture", "transport", "storage")
#: One colour per part; its operating share is drawn in a lighter tint of it.
PART_COLOURS = {"capture": "#3569a8", "transport": "#e0822c", "storage": "#2f9a5a"}
OPERATING_TINT = 0.5


def capex_by_period(sources: pd.DataFrame, pipelines: pd.DataFrame, sinks: pd.DataFrame,
                    years) -> pd.DataFrame:
    """Capital committed (overnight, undiscounted MUSD) per period (rows) and part (columns),
    from the plan tables' ``capex_musd`` (``Plan`` tables or ``plan_*.csv``)."""
    def per_period(t: pd.DataFrame) -> np.ndarray:
        if not len(t):
            return np.zeros(len(years))
        return t.groupby("period")["capex_musd"].sum().reindex(years, fill_value=0.0).to_numpy(float)

    return pd.DataFrame({"capture": per_period(sources), "transport": per_period(pipelines),
                         "storage": per_period(sinks)}, index=pd.Index(years, name="period"))


def _tint(colour: str, share: float) -> tuple:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return tuple(c + (1 - c) * share for c in (r, g, b))


@with_fonts
def plot_cost_breakdown(case_name: str, npv_by_part: dict[str, float],
                        capital_operating: dict[str, dict[str, float]] | None,
                        capex: pd.DataFrame | None, unit: str = "MUSD NPV", note: str = "",
                        fmt: str = "png") -> bytes:
    """The cost chart as PNG (:data:`SIZE_PX` pixels) or SVG bytes.

    Parameters
    ----------
    case_name : str
        For the title.
    npv_by_part : dict
        NPV (MUSD) of ``capture``, ``transport``, ``storage`` (summary's
        ``npv_musd_by_part``); empty without a plan.
    capital_operating : dict or None
        ``{part: {"capital": MUSD, "operating": MUSD}}`` (summary's
        ``npv_musd_capital_operating``); None draws each part's NPV undivided.
    capex : pandas.DataFrame or None
        :func:`capex_by_period`; None without a plan.
    unit : str
        What the NPV is in (``MUSD NPV`` or ``MUSD/yr``), for the axis.
    note : str
        A line under the title.
    fmt : str
        ``png`` or ``svg``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=SIZE_IN, dpi=DPI)
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2, gridspec_kw={"wspace": 0.32, "width_ratios": [1, 1.15]})
    thousands = FuncFormatter(lambda v, _: f"{v:,.0f}")
    for ax in (left, right):
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_axisbelow(True)

    if npv_by_part:
        y = np.arange(len(PARTS))[::-1]
        for yi, part in zip(y, PARTS):
            split = (capital_operating or {}).get(part)
            pieces = ([("capital", split["capital"]), ("operating", split["operating"])]
                      if split else [("total", npv_by_part.get(part, 0.0))])
            pos = neg = 0.0
            for kind, v in pieces:
                colour = (_tint(PART_COLOURS[part], OPERATING_TINT) if kind == "operating"
                          else PART_COLOURS[part])
                start = pos if v >= 0 else neg
                left.barh(yi, v, left=start, height=0.6, color=colour, edgecolor="white",
                          linewidth=0.8)
                pos, neg = (pos + v, neg) if v >= 0 else (pos, neg + v)
            total = npv_by_part.get(part, 0.0)
            left.annotate(f"{total:,.0f}", (max(pos, 0.0), yi), xytext=(4, 0),
                          textcoords="offset points", va="center", fontsize=9)
        left.set_yticks(y, list(PARTS))
        left.axvline(0, color="0.3", lw=0.8)
        left.grid(axis="x", alpha=0.3)
        left.xaxis.set_major_formatter(thousands)
        left.margins(x=0.15)
        if capital_operating:
            left.legend(handles=[Patch(color="0.35", label="capital (annuities)"),
                                 Patch(color=_tint("#595959", OPERATING_TINT),
                                       label="operating (O&M, per tonne, energy)")],
                        loc="lower right", fontsize=8, frameon=False)
    else:
        left.text(0.5, 0.5, "no plan", transform=left.transAxes, ha="center", va="center",
                  color="0.4")
        left.set_yticks([])
    left.set(title="Cost by part", xlabel=unit)

    if capex is not None and capex.to_numpy().any():
        x = np.arange(len(capex))
        bottom = np.zeros(len(x))
        for part in PARTS:
            v = capex[part].to_numpy(float)
            right.bar(x, v, bottom=bottom, width=0.65, color=PART_COLOURS[part],
                      edgecolor="white", linewidth=0.5, label=part)
            bottom += v
        right.set_xticks(x, [str(p) for p in capex.index])
        right.grid(axis="y", alpha=0.3)
        right.yaxis.set_major_formatter(thousands)
        right.legend(loc="upper left", fontsize=8, frameon=False)
    else:
        right.text(0.5, 0.5, "no capital committed", transform=right.transAxes, ha="center",
                   va="center", color="0.4")
    right.set(title="Capital committed by period", ylabel="MUSD (overnight, undiscounted)")

    fig.suptitle(f"{case_name}: cost breakdown", x=0.06, ha="left", fontsize=13,
                 fontweight="bold")
    if note:
        fig.text(0.06, 0.9, note, ha="left", fontsize=9, color="0.3")
    fig.subplots_adjust(left=0.08, right=0.97, top=0.8, bottom=0.12)
    buf = io.BytesIO()
    kw = {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if fmt == "png" else {}
    fig.savefig(buf, format=fmt, **kw)
    return buf.getvalue()
