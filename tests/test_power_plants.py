"""WRI power plants as capture sources: the arithmetic and the cleaning rules."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ccusplan.io.power_plants import (
    capturable_mtpa, drop_duplicate_records, merge_sites, merge_units, operating, read_plants,
)

WRI = Path(__file__).resolve().parents[1] / "networks" / "_data" / "china_thermal_power_plants.csv"


def test_capturable_co2_by_fuel_worked_by_hand():
    """1,000 MW coal: 1,000 × 0.52 × 8,760 h = 4,555,200 MWh × 0.85 t/MWh = 3.872 Mt
    emitted, × 0.90 = 3.4847 Mt/yr (a rule of thumb of "≈ 3.5 Mt emitted, ≈ 3.1
    capturable" per 1,000 MW uses a lower capacity factor and intensity). 1,000 MW gas: × 0.30 × 8,760 ×
    0.38 × 0.90 = 0.8988 Mt/yr."""
    got = capturable_mtpa([1000.0, 1000.0, 500.0], ["Coal", "Natural Gas", "LNG"])
    assert got == pytest.approx([3.484728, 0.898776, 0.449388], rel=1e-6)


def test_cleaning_rules_on_the_wri_file():
    """The file's own counts (networks/_data/README.md): 1,071 rows, 33 shut down and 9
    under construction; 6 gas plants are listed twice under two ids; some plants are
    listed unit by unit under one id (Fangchenggang: 630 + 630 + 660 + 660 MW)."""
    wri = read_plants(WRI)
    assert len(wri) == 1071
    assert len(operating(wri)) == 1071 - 33 - 9
    dedup = drop_duplicate_records(operating(wri))
    dropped = set(operating(wri)["wri_id"]) - set(dedup["wri_id"])
    assert {1029829, 1029823, 1029834, 1029840, 1029814} <= dropped  # Qianwan, Huizhou, ...
    units = dedup[dedup["wri_id"] == 1070834]
    assert len(units) == 4
    merged = merge_units(dedup)
    assert merged["wri_id"].is_unique
    assert merged.set_index("wri_id").loc[1070834, "capacity_mw"] == 2580.0
    assert merged["capacity_mw"].sum() == pytest.approx(dedup["capacity_mw"].sum())


def test_units_of_one_plant_are_not_duplicates_and_merge_keeps_order():
    t = pd.DataFrame({"wri_id": [7, 7, 3, 9], "name": ["A", "A", "B", "B2"],
                      "fuel": "Coal", "capacity_mw": [300.0, 300.0, 500.0, 500.0],
                      "status": None, "lat": [30.0, 30.0, 31.0, 31.001], "lon": 110.0})
    d = drop_duplicate_records(t)
    assert d["wri_id"].tolist() == [7, 7, 3]  # 9 repeats 3 within 0.01°
    assert merge_units(d)[["wri_id", "capacity_mw"]].values.tolist() == [[7, 600.0], [3, 500.0]]


def test_plants_at_the_very_same_position_are_one_site():
    """Bohe (2,000 MW) and Yuelian (520 MW) share their coordinates in the WRI file: one
    site of 2,520 MW; no two coal or gas sites remain at one position."""
    plants = merge_units(drop_duplicate_records(operating(read_plants(WRI))))
    plants = plants[plants["fuel"].isin(["Coal", "Natural Gas", "LNG"])]
    sites = merge_sites(plants)
    assert sites["capacity_mw"].sum() == pytest.approx(plants["capacity_mw"].sum())
    assert not sites.duplicated(["fuel", "lat", "lon"]).any()
    bohe = sites[sites["name"].str.contains("Bohe Coal")]
    assert bohe["capacity_mw"].tolist() == [2520.0]
    assert set(bohe["name"].item().split(" + ")) == {"Bohe Coal", "Yuelian Coal"}
