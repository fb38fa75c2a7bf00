"""The route comparison map (``routes.png``): alternative routes between two nodes over the
obstacles they avoid or cross, over land, coastlines and borders (:mod:`ccusplan.geography`) on
lon/lat axes (equal distances at the mean latitude; nothing is fetched). Forbidden
obstacles are hatched red, costly ones shaded blue by their factor (both in the legend); route 1 (the cheapest) is drawn darkest, each labelled with its
length and levelised cost; the geodesic between the ends is dotted.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import shapely

from ccusplan import geography
from ccusplan.report.fonts import with_fonts

SIZE_IN = (10.0, 8.0)
DPI = 110
ROUTE_COLOURS = ("#1b4f9c", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e")
GIVEN_COLOUR = "#555555"
FORBIDDEN = {"facecolor": "#f3c1c1", "edgecolor": "#c0392b", "hatch": "///", "lw": 0.8}
COSTLY = {"facecolor": "#5b8bd0", "edgecolor": "#2c5aa0", "lw": 0.5}


def _polygons(ax, obstacles: pd.DataFrame) -> None:
    from matplotlib.patches import Polygon

    top = max(float(obstacles["cost_factor"].max()), 2.0) if len(obstacles) else 2.0
    for geom, forbidden, factor in zip(obstacles["geometry"], obstacles["forbidden"],
                                       obstacles["cost_factor"]):
        for part in shapely.get_parts(geom):
            xy = np.asarray(part.exterior.coords)
            if forbidden:
                ax.add_patch(Polygon(xy, **FORBIDDEN, zorder=1))
            else:
                alpha = 0.25 + 0.5 * min((factor - 1) / (top - 1), 1.0)
                ax.add_patch(Polygon(xy, **COSTLY, alpha=alpha, zorder=1))


def _obstacle_handles(obstacles: pd.DataFrame) -> list:
    """Legend patches for the kinds of obstacle drawn: forbidden, and costly with the
    range of their cost factors."""
    from matplotlib.patches import Patch

    out = []
    if len(obstacles) and obstacles["forbidden"].any():
        out.append(Patch(**FORBIDDEN, label="obstacle, forbidden"))
    costly = obstacles.loc[~obstacles["forbidden"].astype(bool), "cost_factor"] \
        if len(obstacles) else pd.Series(dtype=float)
    if len(costly):
        lo, hi = float(costly.min()), float(costly.max())
        span = f"×{lo:g}" if lo == hi else f"×{lo:g}–{hi:g}"
        out.append(Patch(**COSTLY, alpha=0.5, label=f"obstacle, pipe cost {span} (darker: dearer)"))
    return out


@with_fonts
def plot_routes(title: str, ends: pd.DataFrame, routes: list, table: pd.DataFrame,
                obstacles: pd.DataFrame, given_line=None) -> bytes:
    """The map as PNG bytes.

    Parameters
    ----------
    title : str
    ends : pandas.DataFrame
        The two nodes: id index, ``lon``, ``lat``.
    routes : list of Route
        Cheapest first.
    table : pandas.DataFrame
        From :func:`ccusplan.routes.comparison.compare_routes` (labels).
    obstacles : pandas.DataFrame
        WGS84 obstacles (``geometry``, ``forbidden``, ``cost_factor``, ``name``).
    given_line : shapely.LineString, optional
        The network's own corridor between the ends, if it has a geometry.
    """
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE_IN, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.08, 0.08, 0.88, 0.82))
    pts = np.vstack([r.lonlat for r in routes] + [ends[["lon", "lat"]].to_numpy(float)])
    _polygons(ax, obstacles)
    ax.plot(ends["lon"], ends["lat"], ls=":", color="0.3", lw=1, zorder=2,
            label=f"geodesic, {routes[0].geodesic_km:.1f} km" if routes else "geodesic")
    if given_line is not None:
        gx, gy = given_line.xy
        ax.plot(gx, gy, color=GIVEN_COLOUR, lw=2, ls="--", zorder=3, label="given corridor")
    for i, (route, (_, row)) in enumerate(zip(routes, table.iterrows())):
        colour = ROUTE_COLOURS[i % len(ROUTE_COLOURS)]
        usd = row.get("levelized_usd_per_t", np.nan)
        cost = f", {usd:.2f} USD/t" if usd == usd else ""
        ax.plot(route.lonlat[:, 0], route.lonlat[:, 1], color=colour, lw=3.2 - 0.5 * min(i, 3),
                zorder=4 + 0.1 * (len(routes) - i), solid_capstyle="round",
                label=f"route {i + 1}: {route.length_km:.1f} km{cost}")
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    ax.scatter(ends["lon"], ends["lat"], s=60, color="black", zorder=8)
    for nid, (lon, lat) in ends[["lon", "lat"]].iterrows():
        ax.annotate(str(nid), (lon, lat), xytext=(6, 6), textcoords="offset points",
                    fontsize=9, fontweight="bold", zorder=9, path_effects=halo)
    _frame(ax, pts)
    geography.draw(ax)
    for name, geom in zip(obstacles["name"], obstacles["geometry"]):
        c = shapely.point_on_surface(geom)
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        if x0 < c.x < x1 and y0 < c.y < y1:
            ax.annotate(name, (c.x, c.y), fontsize=7, color="0.25", ha="center", zorder=2,
                        path_effects=halo)
    lines, _ = ax.get_legend_handles_labels()
    ax.legend(handles=lines + _obstacle_handles(obstacles), loc="best", fontsize=8.5,
              framealpha=0.9)
    fig.text(0.96, 0.01, f"background: {geography.ATTRIBUTION}", ha="right", fontsize=7,
             color="0.45")
    fig.suptitle(title, x=0.08, ha="left", fontsize=12, fontweight="bold")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _frame(ax, pts: np.ndarray) -> None:
    """Limits around the routes with a margin, equal distances at the mean latitude."""
    lon, lat = pts[:, 0], pts[:, 1]
    aspect = 1.0 / math.cos(math.radians(float(lat.mean())))
    pad = 0.15 * max(np.ptp(lon), np.ptp(lat) * aspect, 0.05)
    ax.set_xlim(lon.min() - pad, lon.max() + pad)
    ax.set_ylim(lat.min() - pad / aspect, lat.max() + pad / aspect)
    ax.set_aspect(aspect, adjustable="box")
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.tick_params(labelsize=8)
    ax.grid(color="white", lw=0.8)
    ax.set_axisbelow(True)
