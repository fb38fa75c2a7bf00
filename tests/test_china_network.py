"""The China national network (networks/china) and its cases (cases/china-*.toml)."""

from __future__ import annotations

import importlib.util
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ccusplan.io import load, read_network
from ccusplan.io.power_plants import drop_duplicate_records, operating, read_plants
from ccusplan.optimize import prepare
from ccusplan.scenarios.trajectory import targets_mtpa

ROOT = Path(__file__).resolve().parents[1]
CHINA = ROOT / "networks" / "china"
CASES = sorted((ROOT / "cases").glob("china-*.toml"))
#: The nine storage basins of networks/china/README.md.
BASINS = {"Ordos", "Songliao", "Bohai Bay", "Junggar", "Tarim", "Sichuan", "Subei",
          "Pearl River Mouth", "East China Sea shelf"}
#: Mt/yr per MW of a coal plant: 0.52 × 8,760 h × 0.85 t/MWh × 0.90 / 10^6.
COAL_MTPA_PER_MW = 0.52 * 8760 * 0.85 * 0.90 / 1e6


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
    wri = read_plants(build.WRI_CSV)
    for name, table in (("sources.csv", build.build_sources(wri)), ("sinks.csv", build.build_sinks())):
        text = io.StringIO()
        table.to_csv(text, index=False, lineterminator="\n")
        assert text.getvalue() == (CHINA / name).read_text(), name


def test_sources_are_every_operating_coal_and_gas_plant_plus_the_projects(net):
    """Coal: the WRI file's operating coal plants (one listed twice under two ids dropped)
    at 0.0034847 Mt/yr per MW, less the 0.15 + 0.5 Mt/yr of the Jinjie and Taizhou capture
    units they host. Projects: 5.25 Mt/yr running by 2025 (capital cost 0) — the ~5 Mt/yr
    China captures today, the cases' base."""
    s = net.sources
    wri = drop_duplicate_records(operating(read_plants(ROOT / "networks/_data/china_thermal_power_plants.csv")))
    coal_mw = wri.loc[wri["fuel"] == "Coal", "capacity_mw"].sum()
    plants = s[s.index.str.startswith("CN-C")]
    assert plants["capacity_mtpa"].sum() == pytest.approx(coal_mw * COAL_MTPA_PER_MW - 0.65,
                                                          abs=0.0005 * len(plants))
    assert len(s) == 1009 and s.index.str.startswith("CN-G").sum() == 53
    existing = s[s["capture_capex_musd"] == 0]
    assert math.fsum(existing["capacity_mtpa"]) == pytest.approx(5.25)
    assert existing["available_from"].fillna(2025).max() <= 2025


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
