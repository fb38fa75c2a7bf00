"""Build the Shandong example network (sources, sinks, junctions, corridors).

Run from the repository root or anywhere:

    python networks/shandong/build.py

Reads ../_data/china_thermal_power_plants.csv (WRI Global Power Plant Database,
CC BY 4.0) and writes sources.csv, sinks.csv, junctions.csv and corridors.csv
next to this file. Deterministic: the same input gives byte-identical output.
Every number and assumption is explained in README.md (same folder).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import Point, Polygon

from ccusplan.io.power_plants import FUELS, capturable_mtpa, operating, read_plants
from ccusplan.routes.candidates import candidate_corridors

HERE = Path(__file__).resolve().parent
WRI_CSV = HERE.parent / "_data" / "china_thermal_power_plants.csv"

# --- Shandong border -------------------------------------------------------------
# A simplified polygon of Shandong province (lon, lat), clockwise from the
# Hebei/Shandong coastal border at the Zhangweixin River mouth. Coastal vertices
# lie a little offshore (the sea holds no plants); land vertices follow the
# provincial border closely enough to separate every plant of the WRI file near
# it (Hebei: Huanghua, Cangzhou, Hengshui; Henan: Puyang, Minquan; Jiangsu:
# Xuzhou, Pizhou, Lianyungang). README.md lists the checks.
SHANDONG = [
    (117.80, 38.26),  # Zhangweixin River mouth (Hebei | Shandong coast)
    (118.40, 38.25),  # offshore Zhanhua
    (119.40, 37.85),  # offshore Yellow River delta
    (120.70, 38.00),  # offshore Penglai
    (122.75, 37.55),  # offshore Weihai
    (122.80, 36.90),  # offshore Chengshan cape / Shidao
    (120.50, 35.85),  # offshore Qingdao
    (119.70, 35.30),  # offshore Rizhao
    (119.30, 35.07),  # Xiuzhen River mouth (Shandong | Jiangsu coast)
    (118.60, 34.75),  # Linshu | Donghai
    (118.35, 34.42),  # Tancheng | Xinyi
    (117.80, 34.48),  # Taierzhuang | Pizhou
    (117.40, 34.55),  # Weishan lake south end (Hanzhuang)
    (117.00, 34.95),  # Weishan lake west shore | Pei county
    (116.55, 34.97),  # Yutai | Feng county
    (116.35, 34.58),  # Shan county | Dangshan
    (115.55, 34.58),  # Cao county | Minquan
    (114.90, 34.98),  # Dongming | Lankao
    (115.05, 35.35),  # Yellow River, Dongming | Puyang
    (116.05, 35.98),  # Yellow River, Taiqian | Dongping/Yanggu
    (115.45, 36.08),  # Shen county | Nanle
    (115.30, 36.55),  # Guan county | Guantao
    (115.75, 37.00),  # Linqing | Qinghe
    (115.95, 37.20),  # Wucheng | Gucheng
    (116.15, 37.45),  # Dezhou | Jing county
    (116.55, 37.75),  # Ningjin | Wuqiao
    (117.40, 38.00),  # Qingyun/Wudi | Yanshan
]

# --- Sources -----------------------------------------------------------------------
# Capacity factor, emission intensity and capture rate: ccusplan.io.power_plants (coal).
MIN_CAPACITY_MW = 1000.0  # keeps the 32 largest coal plants (see README)

QILU = {
    "id": "QILU",
    "name": "Sinopec Qilu Petrochemical (coal-to-hydrogen tail gas capture)",
    "kind": "hydrogen",
    "lon": 118.30,
    "lat": 36.80,
    "capacity_mtpa": 1.0,
    "capture_capex_musd": 0.0,  # built 2021-22: an existing asset, no capital cost
}

# --- Sinks (capacities: ccusplan assumptions, see README) ---------------------------
SINKS = [
    # id, name, kind, lon, lat, capacity_mt, max_injection_mtpa, available_from
    ("SHENGLI-EOR", "Shengli oilfield CO2-EOR (Gao-89 / Zhenglizhuang blocks)",
     "eor", 117.80, 37.20, 150.0, 5.0, None),
    ("BOHAI-SALINE", "Jiyang depression saline, Dongying-Zhanhua sags (onshore)",
     "saline", 118.60, 37.70, 600.0, 25.0, 2030),
    ("SALINE-HUIMIN", "Jiyang depression saline, Huimin sag (onshore)",
     "saline", 117.30, 37.40, 400.0, 20.0, 2030),
    ("SALINE-CHEZHEN", "Jiyang depression saline, Chezhen sag (onshore)",
     "saline", 117.90, 38.00, 300.0, 15.0, 2030),
    ("SALINE-DEZHOU", "Linqing depression saline, Dezhou sub-depression (onshore)",
     "saline", 116.45, 37.30, 300.0, 15.0, 2030),
    ("BOHAI-OFFSHORE", "Bohai Bay offshore saline (Bozhong area)",
     "saline_offshore", 119.50, 38.30, 1000.0, 30.0, 2035),
    ("YELLOWSEA-OFFSHORE", "Northern South Yellow Sea basin offshore saline",
     "saline_offshore", 121.20, 35.50, 500.0, 20.0, 2035),
]

# --- Junctions (illustrative branch points in gaps between clusters) ----------------
JUNCTIONS = [
    ("JCT-TAIAN", "Tai'an branch point (Jining-Zaozhuang cluster to Jinan/Zibo)", 117.10, 36.20),
    ("JCT-YIMENG", "Yimeng branch point (Linyi-Rizhao cluster to Zibo/Weifang)", 118.40, 35.75),
]

# --- Corridors ------------------------------------------------------------------------
K_NEAREST = 4
DETOUR_FACTOR = 1.2
EXISTING = [  # from, to, length_km, existing_capacity_mtpa
    ("QILU", "SHENGLI-EOR", 109.0, 1.7),  # Qilu-Shengli pipeline, in service Jul 2023
]

SOURCE_COLUMNS = [
    "id", "name", "kind", "lon", "lat", "capacity_mtpa", "capture_cost_usd_per_t",
    "capture_capex_musd", "capture_fixed_om_musd_per_yr", "available_from",
]
SINK_COLUMNS = [
    "id", "name", "kind", "lon", "lat", "capacity_mt", "max_injection_mtpa",
    "storage_cost_usd_per_t", "storage_capex_musd", "storage_fixed_om_musd_per_yr",
    "available_from",
]
JUNCTION_COLUMNS = ["id", "name", "lon", "lat"]
CORRIDOR_COLUMNS = ["from", "to", "length_km", "existing_capacity_mtpa"]


def select_plants(wri: pd.DataFrame) -> pd.DataFrame:
    """Coal plants inside the Shandong polygon, in operation, >= the threshold."""
    border = Polygon(SHANDONG)
    wri = operating(wri)
    inside = np.array([border.contains(Point(x, y)) for x, y in zip(wri["lon"], wri["lat"])])
    keep = inside & (wri["fuel"] == "Coal") & (wri["capacity_mw"] >= MIN_CAPACITY_MW)
    plants = wri[keep].copy()
    return plants.sort_values(["capacity_mw", "wri_id"], ascending=[False, True], kind="mergesort")


def build_sources(plants: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for n, p in enumerate(plants.itertuples(index=False), start=1):
        rows.append({
            "id": f"SD-C{n:02d}",
            "name": p.name,
            "kind": FUELS["Coal"].kind,
            "lon": round(float(p.lon), 5),
            "lat": round(float(p.lat), 5),
            "capacity_mtpa": round(float(capturable_mtpa([p.capacity_mw], ["Coal"])[0]), 3),
        })
    rows.append(dict(QILU))
    return pd.DataFrame(rows).reindex(columns=SOURCE_COLUMNS)


def build_sinks() -> pd.DataFrame:
    rows = [
        {"id": i, "name": nm, "kind": k, "lon": lon, "lat": lat, "capacity_mt": cap,
         "max_injection_mtpa": inj, "available_from": af}
        for i, nm, k, lon, lat, cap, inj, af in SINKS
    ]
    df = pd.DataFrame(rows).reindex(columns=SINK_COLUMNS)
    df["available_from"] = df["available_from"].astype("Int64")
    return df


def build_junctions() -> pd.DataFrame:
    return pd.DataFrame(
        [{"id": i, "name": nm, "lon": lon, "lat": lat} for i, nm, lon, lat in JUNCTIONS]
    ).reindex(columns=JUNCTION_COLUMNS)


def build_corridors(nodes: pd.DataFrame) -> pd.DataFrame:
    """ccusplan's candidates (Delaunay + k nearest, geodesic × detour, rounded to 0.1 km)
    plus the existing line (which replaces a candidate of the same pair), ordered by the
    position of their ends in ``nodes`` (from = the earlier node)."""
    c = candidate_corridors(nodes.set_index("id"), K_NEAREST, DETOUR_FACTOR)
    c = c.assign(length_km=c["length_km"].round(1), existing_capacity_mtpa=0.0)
    c = pd.concat([c, pd.DataFrame(EXISTING, columns=CORRIDOR_COLUMNS)], ignore_index=True)
    ids = nodes["id"].to_numpy()
    pos = pd.Series(np.arange(len(ids)), index=ids)
    i, j = pos[c["from"]].to_numpy(), pos[c["to"]].to_numpy()
    c = c.assign(i=np.minimum(i, j), j=np.maximum(i, j))
    c = c.drop_duplicates(["i", "j"], keep="last").sort_values(["i", "j"])
    c["from"], c["to"] = ids[c["i"]], ids[c["j"]]
    return c.reindex(columns=CORRIDOR_COLUMNS).reset_index(drop=True)


def main() -> None:
    wri = read_plants(WRI_CSV)
    plants = select_plants(wri)
    sources = build_sources(plants)
    sinks = build_sinks()
    junctions = build_junctions()
    nodes = pd.concat(
        [sources[["id", "lon", "lat"]], sinks[["id", "lon", "lat"]], junctions[["id", "lon", "lat"]]],
        ignore_index=True,
    )
    assert nodes["id"].is_unique
    corridors = build_corridors(nodes)

    sources.to_csv(HERE / "sources.csv", index=False, lineterminator="\n")
    sinks.to_csv(HERE / "sinks.csv", index=False, lineterminator="\n")
    junctions.to_csv(HERE / "junctions.csv", index=False, lineterminator="\n")
    corridors.to_csv(HERE / "corridors.csv", index=False, lineterminator="\n")

    coal = sources[sources["kind"] == "coal_power"]
    print(f"{len(coal)} coal plants >= {MIN_CAPACITY_MW:.0f} MW "
          f"({plants['capacity_mw'].sum():,.0f} MW) + QILU = {len(sources)} sources, "
          f"{sources['capacity_mtpa'].sum():.1f} Mt/yr capturable")
    print(f"{len(sinks)} sinks: {sinks['capacity_mt'].sum():,.0f} Mt, "
          f"{sinks['max_injection_mtpa'].sum():.0f} Mt/yr injectivity")
    print(f"{len(junctions)} junctions, {len(corridors)} corridors "
          f"({corridors['length_km'].sum():,.0f} km)")


if __name__ == "__main__":
    main()
