"""The network map (``network_map.png``): the built pipes coloured by the period they
were first laid, sources sized by the Mt/yr they capture and coloured by the period they
are equipped, sinks marked and coloured by the period they open, over land, coastlines,
country borders and China's provinces (:mod:`ccusplan.geography`), with the unused candidates
faint; the used storage sites and the largest capture sites are labelled. Ships, trucks
and rail are drawn in a line style and colour of their own (whatever the period: leased
capacity is not built), ports as diamonds. Lon/lat axes, equal-aspect at the mean
latitude.

Nothing is fetched (no map tiles): the picture is drawn from the plan and the shipped
Natural Earth outlines, with matplotlib's Agg canvas (no pyplot, no display).
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from ccusplan.model import Network
from ccusplan.optimize.plan import Plan
from ccusplan import geography
from ccusplan.report.fonts import with_fonts

SIZE_IN = (11.0, 8.0)
DPI = 120
#: Pixel size of the PNG (width, height): fixed, whatever the network's extent.
SIZE_PX = (int(SIZE_IN[0] * DPI), int(SIZE_IN[1] * DPI))
#: zlib level of the PNG: 1 writes about twice as fast as the default 6, files ~20 % larger.
PNG_COMPRESS_LEVEL = 1
#: Marker area (points²) of a source capturing 1 Mt/yr; area grows with Mt/yr.
SOURCE_AREA_PER_MTPA = 28.0
CANDIDATE = "#c3ccd6"
EXISTING = "#333333"
MAX_SINK_LABELS = 25
#: Capture sites labelled: the largest by Mt/yr captured, at most this many.
MAX_SOURCE_LABELS = 12
#: The largest capture rate the legend shows a circle for (Mt/yr): one of 50 Mt/yr, 37
#: points across, would overlap the rows below it.
LEGEND_MAX_MTPA = 12.0
#: Pipe line width (points) for no capacity and for the plan's largest capacity.
PIPE_WIDTH_PT = (1.2, 5.0)
#: Colour and dash pattern of each leased mode's routes.
MODE_STYLE = {"ship": ("#1f4e79", (0, (5, 2))), "truck": ("#8c510a", (0, (1, 1.2))),
              "rail": ("#1b7837", (0, (6, 2, 1, 2)))}
PORT = "#1f4e79"


def period_colours(years: np.ndarray) -> dict[int, tuple]:
    """One colour per period, early blue through green and orange to late red (turbo,
    without its darkest and palest ends, so neighbouring periods stay apart)."""
    from matplotlib import colormaps

    c = colormaps["turbo"](np.linspace(0.1, 0.93, len(years)) if len(years) > 1 else [0.1])
    return {int(y): tuple(c[i]) for i, y in enumerate(years)}


def _segments(net: Network, corridors: np.ndarray) -> list[np.ndarray]:
    """Each corridor's polyline (its geometry when the network has one, else straight)."""
    cor = net.corridors
    nodes = net.nodes()
    a = nodes.loc[cor["from"].to_numpy()[corridors], ["lon", "lat"]].to_numpy(float)
    b = nodes.loc[cor["to"].to_numpy()[corridors], ["lon", "lat"]].to_numpy(float)
    geoms = cor["geometry"].to_numpy(object)[corridors] if "geometry" in cor else [None] * len(a)
    return [np.asarray(g.coords)[:, :2] if getattr(g, "coords", None) is not None
            else np.array([p, q]) for p, q, g in zip(a, b, geoms)]


def _built_corridors(plan: Plan) -> pd.DataFrame:
    """Per corridor the plan uses: first period new pipe is in service (NaN for an existing
    line never looped), capacity in the last period, and whether it is an existing line."""
    p = plan.pipelines
    p = p[p["mode"] == "pipeline"] if "mode" in p else p
    new = p[(p["pipe_class"] != "existing") & (p["pipes"] > 0)]
    last = p[p["period"] == p["period"].max()]
    return pd.DataFrame({
        "first_period": new.groupby("corridor")["period"].min(),
        "capacity_mtpa": last.groupby("corridor")["capacity_mtpa"].sum(),
        "existing": p.groupby("corridor")["pipe_class"].apply(lambda c: (c == "existing").any()),
    }).fillna({"capacity_mtpa": 0.0})


def _leased_corridors(plan: Plan | None) -> pd.DataFrame:
    """Per ship, truck or rail corridor the plan uses: its mode and the most it carries."""
    p = plan.pipelines if plan is not None else pd.DataFrame(
        columns=["corridor", "mode", "capacity_mtpa"])
    p = p[p["mode"] != "pipeline"] if "mode" in p else p.iloc[:0]
    return pd.DataFrame({"mode": p.groupby("corridor")["mode"].first(),
                         "capacity_mtpa": p.groupby("corridor")["capacity_mtpa"].max()})


def _draw_leased(ax, net: Network, leased: pd.DataFrame, largest_mtpa: float) -> list:
    """The ship, truck and rail routes used, and their legend handles."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    handles = []
    for mode, (colour, dashes) in MODE_STYLE.items():
        on = leased[leased["mode"] == mode]
        if not len(on):
            continue
        width = pipe_width(on["capacity_mtpa"].to_numpy(float), largest_mtpa)
        ax.add_collection(LineCollection(_segments(net, on.index.to_numpy(int)), colors=colour,
                                         linewidths=width, linestyles=[dashes], zorder=3))
        handles.append(Line2D([], [], color=colour, lw=2.5, ls=dashes, label=f"{mode} (leased)"))
    return handles


def _first(table: pd.DataFrame, key: str, flag: str) -> pd.Series:
    """Per id, the first period ``flag`` is on."""
    on = table[table[flag] > 0]
    return on.groupby(key)["period"].min()


@with_fonts
def plot_network_map(case_name: str, net: Network, years: np.ndarray, plan: Plan | None,
                     note: str = "") -> bytes:
    """The map as PNG bytes, :data:`SIZE_PX` pixels.

    Parameters
    ----------
    case_name : str
        For the title.
    net : Network
        With corridors (``Instance.network``): every candidate node and corridor.
    years : numpy.ndarray
        Period start years (the colour legend).
    plan : Plan or None
        The plan drawn; None draws the candidate network only.
    note : str
        A line under the title.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=SIZE_IN, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.07, 0.08, 0.66, 0.80))
    colour = period_colours(years)
    nodes = net.nodes()

    built = _built_corridors(plan) if plan is not None else pd.DataFrame(
        columns=["first_period", "capacity_mtpa", "existing"])
    leased = _leased_corridors(plan)
    unused = np.setdiff1d(np.arange(len(net.corridors)),
                          np.concatenate([built.index.to_numpy(int), leased.index.to_numpy(int)]))
    ax.add_collection(LineCollection(_segments(net, unused), colors=CANDIDATE, linewidths=0.5,
                                     zorder=1))
    handles = [Line2D([], [], color=CANDIDATE, lw=1, label="candidate corridor")]
    if len(built):
        e = built.index.to_numpy(int)
        segs = _segments(net, e)
        cap = built["capacity_mtpa"].to_numpy(float)
        width = pipe_width(cap, cap.max())
        old = built["existing"].to_numpy(bool)
        if old.any():
            ax.add_collection(LineCollection([s for s, o in zip(segs, old) if o], colors=EXISTING,
                                             linewidths=width[old] + 2.5, zorder=2))
            handles.append(Line2D([], [], color=EXISTING, lw=4, label="existing line"))
        new = built["first_period"].notna().to_numpy()
        ax.add_collection(LineCollection(
            [s for s, n in zip(segs, new) if n], linewidths=width[new], zorder=3,
            colors=[colour[int(y)] for y in built["first_period"][new]], capstyle="round"))
    largest = max([float(built["capacity_mtpa"].max()) if len(built) else 0.0,
                   float(leased["capacity_mtpa"].max()) if len(leased) else 0.0, 1e-9])
    handles += _draw_leased(ax, net, leased, largest)
    if plan is not None and len(plan.ports):
        ports = net.junctions.loc[plan.ports["port_id"].unique(), ["lon", "lat"]]
        ax.scatter(ports["lon"], ports["lat"], s=70, marker="D", color=PORT,
                   edgecolors="white", linewidths=0.8, zorder=6)
        handles.append(Line2D([], [], ls="", marker="D", ms=7, mfc=PORT, mec="white",
                              label="port terminal"))

    # capture sites: unused faint, equipped sized by Mt/yr and coloured by period equipped
    src = net.sources
    ax.scatter(src["lon"], src["lat"], s=10, color="white", edgecolors="0.55", linewidths=0.6,
               zorder=4)
    handles.append(Line2D([], [], ls="", marker="o", ms=4, mfc="white", mec="0.55",
                          label="capture site, not used"))
    if plan is not None and len(plan.sources):
        first = _first(plan.sources, "source_id", "equipped")
        mtpa = plan.sources.groupby("source_id")["captured_mtpa"].max().reindex(first.index)
        xy = src.loc[first.index, ["lon", "lat"]]
        order = np.argsort(-mtpa.to_numpy())  # big circles under small ones
        ax.scatter(xy["lon"].to_numpy()[order], xy["lat"].to_numpy()[order],
                   s=SOURCE_AREA_PER_MTPA * np.maximum(mtpa.to_numpy()[order], 0.15),
                   c=[colour[int(y)] for y in first.to_numpy()[order]], edgecolors="black",
                   linewidths=0.6, alpha=0.9, zorder=5)
        _label(ax, xy.loc[mtpa.sort_values(ascending=False).index[:MAX_SOURCE_LABELS]])

    # sinks: squares, coloured by the period they open
    snk = net.sinks
    ax.scatter(snk["lon"], snk["lat"], s=70, marker="s", color="white", edgecolors="0.45",
               linewidths=1.0, zorder=6)
    handles.append(Line2D([], [], ls="", marker="s", ms=7, mfc="white", mec="0.45",
                          label="storage site, not used"))
    if plan is not None and len(plan.sinks):
        opened = _first(plan.sinks, "sink_id", "open")
        xy = snk.loc[opened.index, ["lon", "lat"]]
        ax.scatter(xy["lon"], xy["lat"], s=110, marker="s",
                   c=[colour[int(y)] for y in opened.to_numpy()], edgecolors="black",
                   linewidths=1.4, zorder=7)
        handles.append(Line2D([], [], ls="", marker="s", ms=8, mfc="0.8", mec="black", mew=1.4,
                              label="storage site used"))
        if len(opened) <= MAX_SINK_LABELS:
            _label(ax, xy, weight="bold")

    _frame(ax, nodes)
    geography.draw(ax)
    period_handles = [Line2D([], [], color=colour[int(y)], lw=4, label=str(int(y))) for y in years]
    leg = ax.legend(handles=period_handles, title="colour: first built,\nequipped or opened in", loc="upper left",
                    bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=9, title_fontsize=9)
    ax.add_artist(leg)
    leg2 = ax.legend(handles=handles + _size_handles(plan) + _width_handles(built), loc="upper left",
                     bbox_to_anchor=(1.02, 0.62), frameon=False, fontsize=8.5, labelspacing=1.1,
                     borderpad=0.2)
    ax.add_artist(leg2)
    fig.text(0.73, 0.01, f"background: {geography.ATTRIBUTION}", ha="right", fontsize=7,
             color="0.45")
    fig.suptitle(f"{case_name}: network by build period", x=0.07, ha="left", fontsize=13,
                 fontweight="bold")
    if note:
        fig.text(0.07, 0.915, note, ha="left", fontsize=9, color="0.3")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buf.getvalue()


def pipe_width(capacity_mtpa, largest_mtpa: float):
    """Line width (points) of a pipe: :data:`PIPE_WIDTH_PT`, by the square root of its
    capacity's share of the largest."""
    lo, hi = PIPE_WIDTH_PT
    return lo + (hi - lo) * np.sqrt(np.asarray(capacity_mtpa, float) / max(largest_mtpa, 1e-9))


def _label(ax, xy: pd.DataFrame, weight: str = "normal") -> None:
    """Each site's id beside it, on a white halo."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for sid, (lon, lat) in xy[["lon", "lat"]].iterrows():
        ax.annotate(str(sid), (lon, lat), xytext=(7, 5), textcoords="offset points",
                    fontsize=7.5, color="0.1", zorder=8, path_effects=halo, fontweight=weight)


def _width_handles(built: pd.DataFrame) -> list:
    """Legend lines for up to three pipe capacities (Mt/yr) spanning the plan's pipes."""
    from matplotlib.lines import Line2D

    cap = built["capacity_mtpa"].to_numpy(float) if len(built) else np.array([])
    if not len(cap) or cap.max() <= 0:
        return []
    top = float(cap.max())
    sizes = sorted({nice_number(top / 10), nice_number(top / 3), nice_number(top)})
    return [Line2D([], [], color="0.35", lw=float(pipe_width(s, top)),
                   label=f"pipe capacity, {s:g} Mt/yr") for s in sizes]


def nice_number(v: float) -> float:
    """The largest of 1, 2, 5 × 10^k not above ``v``."""
    k = math.floor(math.log10(v))
    return max(m * 10.0**k for m in (1, 2, 5) if m * 10.0**k <= v * (1 + 1e-9))


def _size_handles(plan: Plan | None) -> list:
    """Legend circles for up to three capture rates (Mt/yr) spanning the plan's sites."""
    from matplotlib.lines import Line2D

    if plan is None or not len(plan.sources):
        return []
    top = float(plan.sources.groupby("source_id")["captured_mtpa"].max().max())
    if top <= 0:
        return []
    top = min(top, LEGEND_MAX_MTPA)  # a larger circle would overlap the legend's next rows
    sizes = sorted({nice_number(top / 16), nice_number(top / 4), nice_number(top)})
    return [Line2D([], [], ls="", marker="o", mfc="0.85", mec="black",
                   ms=math.sqrt(SOURCE_AREA_PER_MTPA * s), label=f"capture site, {s:g} Mt/yr")
            for s in sizes]


def _frame(ax, nodes: pd.DataFrame) -> None:
    """Limits around every node, lon/lat labels, equal-aspect at the mean latitude.

    A degree of longitude is drawn ``cos(mean latitude)`` as long as a degree of
    latitude; the shorter side of the extent is widened so the map fills the axes.
    """
    lon, lat = nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float)
    aspect = 1.0 / math.cos(math.radians(float(lat.mean())))
    pad = 0.06 * max(np.ptp(lon), np.ptp(lat) * aspect, 0.2)
    width, height = np.ptp(lon) + 2 * pad, np.ptp(lat) + 2 * pad / aspect
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    box_ratio = (box.height * fig_h) / (box.width * fig_w)
    if height * aspect / width > box_ratio:
        width = height * aspect / box_ratio
    else:
        height = box_ratio * width / aspect
    cx, cy = (lon.min() + lon.max()) / 2, (lat.min() + lat.max()) / 2
    ax.set_xlim(cx - width / 2, cx + width / 2)
    ax.set_ylim(cy - height / 2, cy + height / 2)
    ax.set_aspect(aspect, adjustable="box")
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.tick_params(labelsize=8)
    ax.grid(color="white", lw=0.8)
    ax.set_axisbelow(True)
