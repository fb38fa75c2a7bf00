"""Extract China's plants from three Global Energy Monitor trackers (CC BY 4.0).

    .venv/bin/python networks/_data/extract_gem.py \\
        --coal Global-Coal-Plant-Tracker-July-2024.xlsx \\
        --steel Plant-level-data-Global-Iron-and-Steel-Tracker-September-2025-V1.xlsx \\
        --chemicals Plant-level-data-Global-Chemicals-Inventory-November-2025-V1.xlsx

Writes, next to this file, the columns the China network needs and nothing else:

* ``gem_china_coal_units.csv``: every operating coal unit in China (Global Coal Plant
  Tracker, July 2024, sheet "Units"), with GEM's own estimate of its annual CO2;
* ``gem_china_steel_plants.csv``: every steel plant in China with an operating
  capacity (Global Iron and Steel Tracker, September 2025: "Plant data" and the
  operating rows of "Plant capacities and status", summed per plant), capacities in
  thousand tonnes a year by route;
* ``gem_china_chemical_plants.csv``: every chemical plant in China (Global Chemicals
  Inventory, November 2025, "Plant data": operating plants only), products and
  feedstock as given.

Deterministic (the same workbooks give byte-identical files). The workbooks are read
with pandas through openpyxl. Attribution and the changes made: README.md, same folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = {"coal": HERE / "gem_china_coal_units.csv",
       "steel": HERE / "gem_china_steel_plants.csv",
       "chemicals": HERE / "gem_china_chemical_plants.csv"}

#: Steel capacity rows that count as operating.
STEEL_OPERATING = ("operating", "operating pre-retirement")
STEEL_CAPACITIES = {  # GEM column: ours (thousand tonnes a year)
    "Nominal crude steel capacity (ttpa)": "crude_steel_ttpa",
    "Nominal BOF steel capacity (ttpa)": "bof_ttpa",
    "Nominal EAF steel capacity (ttpa)": "eaf_ttpa",
    "Nominal iron capacity (ttpa)": "iron_ttpa",
    "Nominal BF capacity (ttpa)": "bf_ttpa",
    "Nominal DRI capacity (ttpa)": "dri_ttpa",
}


def _coordinates(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """GEM's "lat, lon" text as two arrays (NaN where absent)."""
    parts = text.fillna("").astype(str).str.split(",", n=1, expand=True)
    lat = pd.to_numeric(parts[0].str.strip(), errors="coerce").to_numpy(float)
    lon = pd.to_numeric(parts[1].str.strip(), errors="coerce").to_numpy(float) \
        if parts.shape[1] > 1 else np.full(len(text), np.nan)
    return lat, lon


def coal_units(path: Path) -> pd.DataFrame:
    u = pd.read_excel(path, sheet_name="Units")
    u = u[(u["Country/Area"] == "China") & (u["Status"] == "operating")]
    out = pd.DataFrame({
        "gem_unit_id": u["GEM unit/phase ID"], "gem_location_id": u["GEM location ID"],
        "plant": u["Plant name"], "unit": u["Unit name"],
        "plant_local": u["Plant name (local)"], "owner": u["Owner"],
        "province": u["Subnational unit (province, state)"],
        "capacity_mw": u["Capacity (MW)"],
        "start_year": pd.to_numeric(u["Start year"], errors="coerce").astype("Int64"),
        "technology": u["Combustion technology"],
        "lat": u["Latitude"].round(6), "lon": u["Longitude"].round(6),
        "location_accuracy": u["Location accuracy"],
        # GEM's "Captive" names the industries a captive unit serves; "Captive industry
        # use" whether it powers them alone ("power") or also the grid ("both")
        "captive_industry": u["Captive"].fillna(""),
        "captive_use": u["Captive industry use"].fillna(""),
        "annual_co2_mt": u["Annual CO2 (million tonnes / annum)"].round(6),
    })
    return out.sort_values("gem_unit_id", kind="mergesort").reset_index(drop=True)


def steel_plants(path: Path) -> pd.DataFrame:
    sheets = pd.read_excel(path, sheet_name=["Plant data", "Plant capacities and status"])
    plants, caps = sheets["Plant data"], sheets["Plant capacities and status"]
    caps = caps[(caps["Country/Area"] == "China") & caps["Status"].isin(STEEL_OPERATING)]
    values = caps[["Plant ID", *STEEL_CAPACITIES]].copy()
    for col in STEEL_CAPACITIES:
        values[col] = pd.to_numeric(values[col], errors="coerce")
    per_plant = values.groupby("Plant ID")[list(STEEL_CAPACITIES)].sum(min_count=1) \
        .rename(columns=STEEL_CAPACITIES)
    p = plants[plants["Country/Area"] == "China"].set_index("Plant ID")
    p = p.loc[p.index.intersection(per_plant.index)]
    lat, lon = _coordinates(p["Coordinates"])
    out = pd.DataFrame({
        "gem_plant_id": p.index, "plant": p["Plant name (English)"].to_numpy(),
        "plant_local": p["Plant name (other language)"].to_numpy(),
        "owner": p["Owner"].to_numpy(), "province": p["Subnational unit (province/state)"].to_numpy(),
        "lat": np.round(lat, 6), "lon": np.round(lon, 6),
        "location_accuracy": p["Coordinate accuracy"].to_numpy(),
    }).join(per_plant, on="gem_plant_id")
    return out.sort_values("gem_plant_id", kind="mergesort").reset_index(drop=True)


def chemical_plants(path: Path) -> pd.DataFrame:
    c = pd.read_excel(path, sheet_name="Plant data")
    c = c[c["Country/area"] == "China"]
    lat, lon = _coordinates(c["Coordinates"])
    out = pd.DataFrame({
        "gem_plant_id": c["GEM plant ID"].to_numpy(), "plant": c["Plant name (English)"].to_numpy(),
        "plant_local": c["Plant name (other language)"].to_numpy(),
        "owner": c["Owner (English)"].to_numpy(), "province": c["Subnational unit"].to_numpy(),
        "lat": np.round(lat, 6), "lon": np.round(lon, 6),
        "location_accuracy": c["Coordinate accuracy"].to_numpy(),
        "primary_products": c["Primary products"].fillna("").to_numpy(),
        "secondary_products": c["Secondary products"].fillna("").to_numpy(),
        "feedstock": c["Feedstock"].fillna("unknown").to_numpy(),
    })
    return out.sort_values("gem_plant_id", kind="mergesort").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--coal", type=Path, required=True, help="Global Coal Plant Tracker (xlsx)")
    ap.add_argument("--steel", type=Path, required=True,
                    help="Global Iron and Steel Tracker, plant-level data (xlsx)")
    ap.add_argument("--chemicals", type=Path, required=True,
                    help="Global Chemicals Inventory, plant-level data (xlsx)")
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write (default: here)")
    args = ap.parse_args(argv)
    for name in ("coal", "steel", "chemicals"):
        if not getattr(args, name).is_file():
            print(f"error: --{name}: {getattr(args, name)} does not exist", file=sys.stderr)
            return 2
    tables = {"coal": coal_units(args.coal), "steel": steel_plants(args.steel),
              "chemicals": chemical_plants(args.chemicals)}
    args.out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        path = args.out / OUT[name].name
        table.to_csv(path, index=False, lineterminator="\n")
        print(f"{path}: {len(table)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
