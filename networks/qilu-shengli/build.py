"""Build networks/qilu-shengli: the Qilu–Shengli CCUS chain, five more sites and obstacles.

Writes ``sources.csv``, ``sinks.csv`` and ``corridors.csv`` (rows taken from
``../shandong``, itself derived from the WRI Global Power Plant Database, CC BY 4.0) and
``obstacles.geojson`` from the hand-drawn shapes below. Deterministic: the committed
files are exactly its output. Run from anywhere::

    python networks/qilu-shengli/build.py     # needs pandas, shapely, pyproj

Every shape is approximate and hand-drawn (see README.md for why and how far to trust
it): rivers are centrelines buffered to a width, towns are outlines of a few corners.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import shapely
from pyproj import Transformer

HERE = Path(__file__).resolve().parent
SHANDONG = HERE.parent / "shandong"
SOURCES = ["QILU", "SD-C07", "SD-C05", "SD-C18", "SD-C13"]
SINKS = ["SHENGLI-EOR", "BOHAI-SALINE"]

# ccusplan assumptions (not measured values): crossing a river costs this many times a km
# of pipe on open ground. Large rivers are crossed by horizontal directional drilling or a
# tunnel under the levees, not by open trenching; the factors only rank the obstacles.
YELLOW_RIVER_FACTOR = 5.0
XIAOQING_RIVER_FACTOR = 3.0

# (lon, lat) centrelines, read off general maps to about ±3 km.
YELLOW_RIVER = [(117.00, 36.72), (117.12, 36.75), (117.25, 36.85), (117.38, 36.95),
                (117.50, 37.05), (117.62, 37.13), (117.75, 37.22), (117.88, 37.28),
                (118.00, 37.33), (118.12, 37.38), (118.25, 37.46), (118.38, 37.55),
                (118.52, 37.62), (118.70, 37.70), (118.90, 37.76), (119.10, 37.78),
                (119.25, 37.75)]
XIAOQING_RIVER = [(117.00, 36.70), (117.20, 36.78), (117.40, 36.86), (117.60, 36.93),
                  (117.80, 36.98), (118.00, 37.03), (118.20, 37.07), (118.40, 37.10),
                  (118.60, 37.13), (118.80, 37.17), (118.98, 37.22)]
RIVERS = [  # name, centreline, width (m), cost factor
    ("Yellow River (between the levees)", YELLOW_RIVER, 2000.0, YELLOW_RIVER_FACTOR),
    ("Xiaoqing River", XIAOQING_RIVER, 500.0, XIAOQING_RIVER_FACTOR),
]
FORBIDDEN = [  # name, kind, outline (lon, lat)
    ("Zibo urban area (Zhangdian)", "urban",
     [(117.98, 36.74), (118.06, 36.72), (118.13, 36.75), (118.14, 36.82), (118.10, 36.86),
      (118.02, 36.86), (117.97, 36.81)]),
    ("Huantai county town (Suozhen)", "urban",
     [(118.06, 36.94), (118.12, 36.935), (118.135, 36.965), (118.11, 36.99),
      (118.065, 36.985)]),
    ("Binzhou urban area (Bincheng)", "urban",
     [(117.92, 37.36), (118.05, 37.36), (118.06, 37.40), (118.02, 37.43), (117.93, 37.42)]),
    ("Dongying urban area", "urban",
     [(118.42, 37.415), (118.52, 37.41), (118.66, 37.42), (118.67, 37.48), (118.58, 37.51),
      (118.45, 37.50)]),
    ("Yellow River Delta National Nature Reserve (south)", "reserve",
     [(118.98, 37.62), (119.25, 37.62), (119.32, 37.72), (119.28, 37.86), (119.05, 37.85),
      (118.97, 37.74)]),
    ("Yellow River Delta National Nature Reserve (north)", "reserve",
     [(118.55, 37.97), (118.82, 37.95), (118.86, 38.06), (118.70, 38.12), (118.56, 38.08)]),
]


def _river(centreline, width_m: float):
    """A centreline buffered to ``width_m`` in a local equidistant projection."""
    lon0, lat0 = centreline[len(centreline) // 2]
    fwd = Transformer.from_proj(4326, f"+proj=aeqd +lon_0={lon0} +lat_0={lat0} +ellps=WGS84",
                                always_xy=True)
    line = shapely.transform(shapely.LineString(centreline),
                             lambda c: list(zip(*fwd.transform(c[:, 0], c[:, 1]))))
    poly = shapely.simplify(shapely.buffer(line, width_m / 2, cap_style="flat"), 20.0)
    back = shapely.transform(
        poly, lambda c: list(zip(*fwd.transform(c[:, 0], c[:, 1], direction="INVERSE"))))
    return shapely.set_precision(back, 1e-5)


def _feature(geom, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}


def main(out: Path = HERE) -> None:
    """Write the network's files into ``out`` (default: next to this script)."""
    src = pd.read_csv(SHANDONG / "sources.csv", dtype=str, keep_default_na=False)
    snk = pd.read_csv(SHANDONG / "sinks.csv", dtype=str, keep_default_na=False)
    cor = pd.read_csv(SHANDONG / "corridors.csv", dtype=str, keep_default_na=False)
    src.set_index("id").loc[SOURCES].reset_index().to_csv(out / "sources.csv", index=False)
    snk.set_index("id").loc[SINKS].reset_index().to_csv(out / "sinks.csv", index=False)
    cor[(cor["from"] == "QILU") & (cor["to"] == "SHENGLI-EOR")].to_csv(
        out / "corridors.csv", index=False)
    features = [_feature(_river(line, width), name=name, kind="river", cost_factor=factor)
                for name, line, width, factor in RIVERS]
    features += [_feature(shapely.Polygon(outline), name=name, kind=kind, forbidden=True)
                 for name, kind, outline in FORBIDDEN]
    (out / "obstacles.geojson").write_text(  # one feature per line
        '{"type": "FeatureCollection", "features": [\n'
        + ",\n".join(json.dumps(f) for f in features) + "\n]}\n")


if __name__ == "__main__":
    main()
