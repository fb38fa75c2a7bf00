"""The China national network (networks/china) and its cases (cases/china-*.toml)."""

from __future__ import annotations

import importlib.util
import io
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ccusplan.io import load, read_network
from ccusplan.optimize import prepare
from ccusplan.scenarios.trajectory import targets_mtpa

ROOT = Path(__file__).resolve().parents[1]
CHINA = ROOT / "networks" / "china"
DATA = ROOT / "networks" / "_data"
CASES = sorted((ROOT / "cases").glob("china-*.toml"))
#: The nine storage basins of networks/china/README.md.
BASINS = {"Ordos", "Songliao", "Bohai Bay", "Junggar", "Tarim", "Sichuan", "Subei",
          "Pearl River Mouth", "East China Sea shelf"}


@pytest.fixture(scope="module")
def net():
    return read_network(CHINA)


def _build_module():
    spec = importlib.util.spec_from_file_location("china_build", CHINA / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_csvs_are_exactly_the_build_scripts_output():
    build = _build_module()
    inputs = build.read_inputs()
    for name, table in (("sources.csv", build.build_sources(*inputs)),
                        ("sinks.csv", build.build_sinks()),
                        ("junctions.csv", build.build_junctions())):
        text = io.StringIO()
        table.to_csv(text, index=False, lineterminator="\n")
        assert text.getvalue() == (CHINA / name).read_text(), name


def test_coal_sources_are_gems_operating_units_by_site(net):
    """Coal: 90 % of GEM's own annual CO2 of every operating unit in China, summed per GEM
    location, sites of at least 0.3 Mt/yr, less the 0.15 + 0.5 Mt/yr of the Jinjie and
    Taizhou capture units they host. Projects: 5.25 Mt/yr running by 2025 (capital cost
    0) — the ~5 Mt/yr China captures today, the cases' base."""
    s = net.sources
    units = pd.read_csv(DATA / "gem_china_coal_units.csv")
    assert set(units["location_accuracy"]) <= {"exact", "approximate"}
    per_site = 0.9 * units.groupby("gem_location_id")["annual_co2_mt"].sum()
    kept = per_site[per_site.round(3) >= 0.3]
    coal = s[s["kind"] == "coal_power"]
    coal = coal[coal.index.str.startswith("CN-C")]
    assert len(coal) == len(kept) == 1084
    assert coal["capacity_mtpa"].sum() == pytest.approx(kept.sum() - 0.65, abs=0.0005 * len(coal))
    jinjie = coal[coal["gem_id"] == "L100000101278"]["capacity_mtpa"].iloc[0]
    assert jinjie == pytest.approx(per_site["L100000101278"] - 0.15, abs=5e-4)
    captive = coal[coal["captive_for"].fillna("") != ""]
    assert len(captive) > 100 and captive["captive_for"].str.contains("aluminum").any()
    existing = s[s["capture_capex_musd"] == 0]
    assert math.fsum(existing["capacity_mtpa"]) == pytest.approx(5.25)
    assert existing["available_from"].fillna(2025).max() <= 2025


def test_steel_and_chemical_sources_follow_the_stated_sizes(net):
    """Worked by hand from README.md's factors: Maanshan's 16,510 kt/yr of BOF steel ×
    0.90 utilisation × 2.2 t CO2/t × 0.5 capturable × 0.9 captured = 14.710 Mt/yr; a
    coal-to-olefins complex 0.6 Mt/yr × 3 t methanol/t × 1.4 t CO2/t × 0.9 = 2.268; a
    coal-based ammonia plant 0.3 × 2.0 × 0.9 = 0.54; green ammonia is no source."""
    s = net.sources.set_index("gem_id")
    assert s.loc["P100000120069", ["kind", "capacity_mtpa"]].tolist() == ["steel_bf_bof", 14.71]
    chem = pd.read_csv(DATA / "gem_china_chemical_plants.csv").set_index("plant")
    cto = chem.loc["Shenhua Baotou Coal-to-Olefins Plant", "gem_plant_id"]
    assert s.loc[cto, ["kind", "capacity_mtpa"]].tolist() == ["coal_to_olefins", 2.268]
    nh3 = chem.loc["China Salt Anhui Hongsquare Ammonia Plant", "gem_plant_id"]
    assert s.loc[nh3, ["kind", "capacity_mtpa"]].tolist() == ["ammonia", 0.54]
    green = chem.loc["Baotou Shuimu Mingtuo Green Ammonia Plant", "gem_plant_id"]
    assert green not in s.index
    kinds = net.sources["kind"].value_counts()
    for kind in ("steel_bf_bof", "ammonia", "methanol", "coal_to_olefins", "refinery",
                 "gas_power"):
        assert kinds[kind] >= 9, kind
    plants = net.sources[net.sources.index.str.startswith("CN-")]
    assert (plants["capacity_mtpa"] >= 0.3).all()


GEM = Path(os.environ.get("CCUSPLAN_GEM", ROOT.parent / "shared" / "data" / "gem"))


@pytest.mark.skipif(not GEM.is_dir(), reason=f"Global Energy Monitor's workbooks not found at "
                    f"{GEM} (set CCUSPLAN_GEM)")
def test_the_gem_extracts_are_exactly_the_extract_scripts_output(tmp_path):
    """networks/_data/gem_china_*.csv from GEM's three workbooks, read with openpyxl."""
    spec = importlib.util.spec_from_file_location("extract_gem", DATA / "extract_gem.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    code = module.main([
        "--coal", str(GEM / "Global-Coal-Plant-Tracker-July-2024.xlsx"),
        "--steel", str(GEM / "Plant-level-data-Global-Iron-and-Steel-Tracker-September-2025-V1.xlsx"),
        "--chemicals", str(GEM / "Plant-level-data-Global-Chemicals-Inventory-November-2025-V1.xlsx"),
        "--out", str(tmp_path)])
    assert code == 0
    for name in ("gem_china_coal_units.csv", "gem_china_steel_plants.csv",
                 "gem_china_chemical_plants.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_sinks_cover_every_listed_basin_with_eor_and_offshore(net):
    k = net.sinks
    assert set(k["basin"]) == BASINS
    counts = k["basin"].value_counts()
    assert (counts[["Ordos", "Songliao", "Bohai Bay", "Junggar", "Tarim", "Sichuan", "Subei",
                    "Pearl River Mouth", "East China Sea shelf"]] >= 3).all()
    assert set(k.loc[k["basin"].isin(["Pearl River Mouth", "East China Sea shelf"]), "kind"]) \
        == {"saline_offshore"}
    eor_basins = set(k.loc[k["kind"] == "eor", "basin"])
    assert eor_basins == {"Ordos", "Songliao", "Bohai Bay", "Junggar"}  # the oil provinces
    assert k.loc[k["basin"] == "Sichuan", "kind"].eq("depleted_gas").all()
    # enough for the 2060 case: 1,800 Mt/yr of injection, ~36 Gt stored over 2025-2064
    assert k["max_injection_mtpa"].sum() > 1800 and k["capacity_mt"].sum() > 36_000


def test_given_corridors_are_the_qilu_shengli_line_and_free_site_links(net):
    """The operating line (109 km, 1.7 Mt/yr), and a free generic link between every two
    nodes at one position (a project and its expansion, a source and its on-site sink),
    so no candidate of length 0 is generated; no two sources share a position otherwise."""
    c = net.corridors
    assert c.iloc[0][["from", "to", "length_km", "existing_capacity_mtpa"]].tolist() == [
        "QILU", "BB-EOR-SHENGLI", 109.0, 1.7]
    links = c.iloc[1:]
    nodes = net.nodes()
    a, b = nodes.loc[links["from"]], nodes.loc[links["to"]]
    assert (a[["lon", "lat"]].to_numpy() == b[["lon", "lat"]].to_numpy()).all()
    assert (links[["length_km", "fixed_cost_musd", "variable_cost_usd_per_t"]] == 0).all().all()
    shared = nodes[nodes.duplicated(["lon", "lat"], keep=False)].index
    assert set(shared) == set(links["from"]) | set(links["to"])


def test_cases_load_and_have_their_trajectories():
    """100x: 5 Mt/yr in 2025 to 500 in 2050, exponential (×2.51 per period) or s-curve;
    2060: 5 to 1,800 Mt/yr, linear (inside every range of the China CCUS Annual Report
    2021: 2030 20-408, 2035 119-850, 2040 370-1,300, 2050 600-1,450, 2060 1,000-1,820)."""
    names = {p.stem for p in CASES}
    assert {"china-100x-2050", "china-100x-2050-scurve", "china-100x-2050-highcost",
            "china-2060"} <= names
    for path in CASES:
        case, _ = load(path)
        t = targets_mtpa(case)
        assert case.candidates.add_to_given
        assert t[0] == pytest.approx(5.0)
        if path.stem == "china-2060":
            assert case.horizon.periods[-1] == 2060 and t[-1] == pytest.approx(1800)
            ranges = {2030: (20, 408), 2035: (119, 850), 2040: (370, 1300), 2050: (600, 1450)}
            for year, (lo, hi) in ranges.items():
                assert lo <= t[case.horizon.periods.index(year)] <= hi
        else:
            assert case.horizon.periods == [2025, 2030, 2035, 2040, 2045, 2050]
            assert t[-1] == pytest.approx(500)
        if path.stem.endswith("scurve"):  # above the exponential 5·100^(s) in between
            assert case.target.shape == "s-curve" and np.all(np.diff(t) > 0)
            assert np.all(t[1:-1] > 5 * 100 ** (np.arange(1, 5) / 5))
        if path.stem.endswith("highcost"):
            assert case.costs.capture_cost_multiplier > 1


def test_reducing_the_china_network_keeps_capacity_and_shrinks_the_model():
    """The main case's [reduce]: capacity kept exactly, fewer than half the sources, and
    pruning drops corridors; the existing line and its two ends survive unchanged."""
    case, net = load(ROOT / "cases" / "china-100x-2050.toml")
    inst = prepare(case, net)
    r = inst.reduction.summary()
    assert r["capacity_mtpa_after"] == pytest.approx(r["capacity_mtpa_before"], rel=1e-12)
    assert r["capacity_mtpa_before"] == pytest.approx(math.fsum(net.sources["capacity_mtpa"]))
    assert r["sources_after"] < r["sources_before"] / 2
    assert r["corridors_pruned"] > 0 and r["corridors_after"] < r["corridors_before"] / 2
    assert r["max_distance_to_hub_km"] <= case.reduce.cluster_km
    c = inst.network.corridors
    line = c[(c["from"] == "QILU") & (c["to"] == "BB-EOR-SHENGLI")]
    assert line[["length_km", "existing_capacity_mtpa"]].values.tolist() == [[109.0, 1.7]]
    assert inst.src_cap_mtpa.sum() == pytest.approx(net.sources["capacity_mtpa"].sum())
    assert len(pd.unique(inst.reduction.members["source_id"])) == len(net.sources)


def test_the_ship_case_sails_from_the_seven_ports_to_the_offshore_sinks_it_can_reach():
    """cases/china-100x-2050-ship.toml: ship corridors only where the great circle stays
    at sea (networks/china/README.md, "Ports"), each its geodesic × 1.1."""
    from ccusplan.optimize.instance import _corridors
    from ccusplan.routes.candidates import geodesic_km

    case, network = load(ROOT / "cases" / "china-100x-2050-ship.toml")
    c = _corridors(case, network)
    ship = c[c["mode"] == "ship"]
    pairs = set(map(frozenset, zip(ship["from"], ship["to"])))
    assert len(ship) == 21 and len(pairs) == 21
    assert frozenset(("PORT-HUIZHOU", "PRM-O-HUIZHOU")) in pairs
    assert frozenset(("PORT-ZHANJIANG", "PRM-O-ENPING")) in pairs
    assert frozenset(("PORT-NINGBO", "ECS-O-QIANTANG")) not in pairs   # the Zhoushan islands
    assert frozenset(("PORT-HUIZHOU", "PRM-O-ENPING")) not in pairs    # Hong Kong's islands
    nodes = network.nodes()
    a, b = nodes.loc[ship["from"]], nodes.loc[ship["to"]]
    km = geodesic_km(a["lon"].to_numpy(), a["lat"].to_numpy(), b["lon"].to_numpy(),
                     b["lat"].to_numpy())
    assert np.allclose(ship["length_km"].to_numpy(), 1.1 * km)
