"""The report's interactive map: what Leaflet draws, read off ``network.geojson`` and
``timeline_sinks.csv``.

Styling is decided here and handed to the page's script as plain numbers and colours:

* built pipes coloured by the period they were first laid (or, switched in the legend,
  by their capacity) and drawn wider for more capacity; existing lines on a dark casing;
* capture sites as circles sized by the most Mt/yr they capture, coloured by the
  period they are equipped;
* storage sites as square gauges filled to the share of their capacity used by the end
  of the horizon, framed in the colour of the period they open.

The same period colours as ``network_map.png`` (:func:`.network_map.period_colours`).
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from ccusplan.io.result_folder import ResultFolder
from ccusplan import geography
from ccusplan.report.network_map import MODE_STYLE, nice_number, period_colours

#: Pipe line width (px) for the smallest and the largest capacity of the plan.
PIPE_WEIGHT_PX = (2.5, 9.0)
#: Leaflet dash patterns of the leased modes (their colours are the PNG map's).
LEASED_DASH = {"ship": "10 6", "truck": "2 5", "rail": "12 5 3 5"}
#: Capture circle radius (px) for a tiny and for the largest capture of the plan.
SOURCE_RADIUS_PX = (4.0, 18.0)
#: Map tiles when the page is online; without them the network shows over the shipped
#: Natural Earth land, coastlines and borders (:mod:`ccusplan.geography`), drawn under the tiles.
TILES = {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
         "attribution": '&copy; <a href="https://www.openstreetmap.org/copyright">'
                        "OpenStreetMap</a> contributors"}
#: Capacity colours, smallest pipes light, largest dark (viridis, read in reverse).
CAPACITY_CMAP = "viridis_r"


def _hex(rgba) -> str:
    from matplotlib.colors import to_hex

    return to_hex(rgba)


def _esc(v) -> str:
    return html.escape("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))


def _num(v, fmt: str = "{:,.2f}") -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)


def _latlon(coords) -> list:
    return [[round(float(p[1]), 6), round(float(p[0]), 6)] for p in coords]


def capacity_colours(capacities: np.ndarray) -> list[str]:
    """One colour per pipe: its capacity's place between the smallest and largest (log)."""
    from matplotlib import colormaps

    cap = np.maximum(np.asarray(capacities, float), 1e-6)
    lo, hi = np.log(cap.min()), np.log(cap.max())
    share = (np.log(cap) - lo) / (hi - lo) if hi > lo else np.full(len(cap), 0.5)
    return [_hex(c) for c in colormaps[CAPACITY_CMAP](0.1 + 0.85 * share)]


def map_data(result: ResultFolder, tiles: bool = True) -> dict:
    """Everything the page's script draws, JSON-ready.

    Keys: ``bounds`` ([[south, west], [north, east]] or None), ``tiles`` (url and
    attribution, or None), ``geography`` (GeoJSON of land and outlines around the bounds,
    styled by ``layer``, with its ``style`` and ``attribution``), ``pipes``, ``sources``, ``sinks``, ``junctions`` (lists of
    dicts with ``latlngs``/``latlng``, colours, sizes and an HTML ``tip``) and
    ``legend`` (period colours and the capacity colour scale).
    """
    years = result.tables["timeline.csv"]["period"].to_numpy(int)
    colour = {y: _hex(c) for y, c in period_colours(years).items()}
    feats = result.network["features"]
    lines = [f for f in feats if f["geometry"]["type"] == "LineString"]
    points = [f for f in feats if f["geometry"]["type"] == "Point"]
    bounds = _bounds(feats)
    return {
        "bounds": bounds,
        "tiles": TILES if tiles else None,
        "geography": _geography(bounds),
        "pipes": _pipes(lines, colour),
        "sources": _sources([f for f in points if f["properties"].get("role") == "source"],
                            colour),
        "sinks": _sinks([f for f in points if f["properties"].get("role") == "sink"], colour,
                        result.tables["timeline_sinks.csv"]),
        "junctions": [{"latlng": _latlon([f["geometry"]["coordinates"]])[0],
                       "tip": f"junction {_esc(f['properties'].get('id'))}"}
                      for f in points if f["properties"].get("role") == "junction"]
        + _pass_through(lines, {str(f["properties"].get("id")) for f in points}),
        "legend": {"periods": [[int(y), colour[int(y)]] for y in years],
                   "capacity": _capacity_legend(lines), "capture": _capture_legend(points)},
    }


def _bounds(feats: list[dict]) -> list | None:
    xy = []
    for f in feats:
        g = f["geometry"]
        xy += [g["coordinates"]] if g["type"] == "Point" else g["coordinates"]
    if not xy:
        return None
    a = np.asarray([p[:2] for p in xy], float)
    return [[float(a[:, 1].min()), float(a[:, 0].min())],
            [float(a[:, 1].max()), float(a[:, 0].max())]]


def _geography(bounds: list | None) -> dict | None:
    """The Natural Earth layers around the network: its box widened by half its size on
    each side (at least 2°), so panning out a little still shows coasts."""
    if bounds is None:
        return None
    (south, west), (north, east) = bounds
    pad = max(0.5 * max(north - south, east - west), 2.0)
    data = geography.geojson(west - pad, max(south - pad, -90.0), east + pad,
                             min(north + pad, 90.0))
    style = {name: {"color": s["color"], "weight": round(1.4 * s["lw"], 2),
                    "dashArray": None if s["ls"] == "-" else
                    " ".join(f"{v:g}" for v in s["ls"][1])} for name, s in geography.STYLE.items()}
    style["land"] = {"color": geography.LAND, "fillColor": geography.LAND, "weight": 0,
                     "fillOpacity": 1.0}
    return {"data": data, "style": style, "sea": geography.SEA,
            "attribution": geography.ATTRIBUTION}


def _pipes(lines: list[dict], colour: dict[int, str]) -> list[dict]:
    if not lines:
        return []
    cap = np.array([float(f["properties"].get("capacity_mtpa") or 0.0) for f in lines])
    top = max(cap.max(), 1e-9)
    weights = PIPE_WEIGHT_PX[0] + (PIPE_WEIGHT_PX[1] - PIPE_WEIGHT_PX[0]) * np.sqrt(cap / top)
    by_size = capacity_colours(cap)
    out = []
    for f, w, size_colour in zip(lines, weights, by_size):
        p = f["properties"]
        first = p.get("first_period")
        mode = p.get("mode") or "pipeline"
        what = _esc(p.get("pipes")) or "existing line" if mode == "pipeline" else \
            f"{mode} (leased)"
        tip = (f"<b>{_esc(p.get('from'))} – {_esc(p.get('to'))}</b><br>"
               f"{_num(p.get('length_km'), '{:,.1f}')} km · {what}"
               f"<br>capacity {_num(p.get('capacity_mtpa'))} Mt/yr · most flow "
               f"{_num(p.get('max_flow_mtpa'))} Mt/yr<br>"
               + (f"first in service {first}" if first is not None else "")
               + (" · existing line" if p.get("existing") else ""))
        leased = MODE_STYLE.get(mode)
        out.append({"latlngs": _latlon(f["geometry"]["coordinates"]),
                    "colour": {"period": leased[0] if leased else colour.get(first, "#555555"),
                               "size": leased[0] if leased else size_colour},
                    "weight": round(float(w), 2), "existing": bool(p.get("existing")),
                    "dash": LEASED_DASH.get(mode), "tip": tip})
    return out


def _pass_through(lines: list[dict], drawn: set[str]) -> list[dict]:
    """Pipe ends at nodes drawn as nothing else: sites the plan does not use that its
    pipes pass through (``network.geojson`` has points for used sites only)."""
    ends: dict[str, list] = {}
    for f in lines:
        c = f["geometry"]["coordinates"]
        for key, xy in (("from", c[0]), ("to", c[-1])):
            nid = str(f["properties"].get(key))
            if nid not in drawn:
                ends.setdefault(nid, xy)
    return [{"latlng": _latlon([xy])[0],
             "tip": f"{_esc(nid)}: not used itself; pipes pass through it"}
            for nid, xy in sorted(ends.items())]


def _capacity_legend(lines: list[dict]) -> list:
    """Up to four [Mt/yr, colour, px width] steps: capacities of the plan's pipes, from the
    smallest to the largest."""
    cap = np.array([float(f["properties"].get("capacity_mtpa") or 0.0) for f in lines])
    cap = cap[cap > 0]
    if not len(cap):
        return []
    steps = np.unique(np.quantile(cap, [0.0, 0.33, 0.67, 1.0], method="nearest").round(2))
    colours = capacity_colours(np.concatenate([cap, steps]))[len(cap):]
    top = cap.max()
    widths = PIPE_WEIGHT_PX[0] + (PIPE_WEIGHT_PX[1] - PIPE_WEIGHT_PX[0]) * np.sqrt(steps / top)
    return [[float(s), c, round(float(w), 2)] for s, c, w in zip(steps, colours, widths)]


def _radius(mtpa: np.ndarray, top: float) -> np.ndarray:
    """Circle radius (px): the area above the smallest circle grows with Mt/yr captured."""
    lo, hi = SOURCE_RADIUS_PX
    return lo + (hi - lo) * np.sqrt(np.asarray(mtpa, float) / max(top, 1e-9))


def _capture_legend(points: list[dict]) -> list:
    """[Mt/yr, radius px] for up to three round capture rates spanning the plan's sites."""
    mtpa = [float(f["properties"].get("max_captured_mtpa") or 0.0) for f in points
            if f["properties"].get("role") == "source"]
    top = max(mtpa, default=0.0)
    if top <= 0:
        return []
    sizes = sorted({nice_number(top / 16), nice_number(top / 4), nice_number(top)})
    return [[s, round(float(r), 2)] for s, r in zip(sizes, _radius(np.array(sizes), top))]


def _sources(points: list[dict], colour: dict[int, str]) -> list[dict]:
    mtpa = np.array([float(f["properties"].get("max_captured_mtpa") or 0.0) for f in points])
    radius = _radius(mtpa, mtpa.max() if len(mtpa) else 1.0)
    out = []
    for f, r, q in sorted(zip(points, radius, mtpa), key=lambda t: -t[2]):  # big ones below
        p = f["properties"]
        first = p.get("first_period")
        name = f" ({_esc(p.get('name'))})" if p.get("name") and p.get("name") != p.get("id") else ""
        out.append({"latlng": _latlon([f["geometry"]["coordinates"]])[0],
                    "radius": round(float(r), 2), "colour": colour.get(first, "#555555"),
                    "tip": f"<b>{_esc(p.get('id'))}</b>{name}<br>{_esc(p.get('kind'))} · captures "
                           f"up to {_num(q)} Mt/yr<br>equipped from {_esc(first)}"})
    return out


def _sinks(points: list[dict], colour: dict[int, str], fills: pd.DataFrame) -> list[dict]:
    out = []
    for f in points:
        p = f["properties"]
        sid = p.get("id")
        cap = float(p.get("capacity_mt") or 0.0)
        held = float(p.get("cumulative_mt") or 0.0)
        share = min(held / cap, 1.0) if cap > 0 else 0.0
        mine = fills[fills["sink_id"].astype(str) == str(sid)] if len(fills) else fills
        by_period = " · ".join(f"{int(y)}: {s:.0%}" for y, s in
                               zip(mine.get("period", []), mine.get("share_used", [])))
        first = p.get("first_period")
        name = f" ({_esc(p.get('name'))})" if p.get("name") and p.get("name") != sid else ""
        out.append({"latlng": _latlon([f["geometry"]["coordinates"]])[0],
                    "colour": colour.get(first, "#555555"), "share": round(share, 4),
                    "tip": f"<b>{_esc(sid)}</b>{name}<br>{_esc(p.get('kind'))} · opened "
                           f"{_esc(first)}<br>{_num(held, '{:,.1f}')} of {_num(cap, '{:,.0f}')} "
                           f"Mt used by the end ({share:.0%})"
                           + (f"<br><small>used by period's end: {by_period}</small>"
                              if by_period else "")})
    return out
