"""Network reduction ([reduce]): sources clustered into hubs, dominated corridors pruned."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FREE_SINK, FREE_SOURCE, load_case, write_case, write_network
from ccusplan.cli import cli
from ccusplan.costs.defaults import fill_source_costs
from ccusplan.optimize import prepare, run
from ccusplan.reduce.cluster import cluster_sources
from ccusplan.reduce.prune import dominated
from ccusplan.routes.candidates import geodesic_km

NO_DISCOUNT = {"crf": 0.1, "discount_rate": 0.0}
SMALL_PIPE = [{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1}]


# ----------------------------------------------------------------- clustering

def _sources(seed: int, n: int = 80) -> pd.DataFrame:
    """Random sources of three kinds and two first years over a 4° × 3° box, costs filled."""
    rng = np.random.default_rng(seed)
    kinds = np.array(["coal_power", "gas_power", "cement"])
    t = pd.DataFrame({
        "name": [f"plant {i}" for i in range(n)],
        "kind": kinds[rng.integers(0, 3, n)],
        "lon": 114 + 4 * rng.random(n), "lat": 34 + 3 * rng.random(n),
        "capacity_mtpa": np.round(0.1 + 8 * rng.random(n), 3),
        "available_from": np.where(rng.random(n) < 0.3, 2030.0, np.nan),
        "capture_cost_usd_per_t": np.nan, "capture_capex_musd": np.nan,
        "capture_fixed_om_musd_per_yr": np.nan, "capture_capex_musd_per_mtpa": np.nan,
        "capture_fixed_om_musd_per_yr_per_mtpa": np.nan,
    }, index=[f"S{i:03d}" for i in range(n)])
    t.loc["S000", "capture_capex_musd"] = 0.0  # an existing unit keeps its own (zero) capex
    return fill_source_costs(t, 2023)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), cluster_km=st.floats(5, 150))
def test_clustering_keeps_capacity_and_cost_and_never_mixes_kinds_or_years(seed, cluster_km):
    """Every hub: members of one kind and first year, pairwise within cluster_km (complete
    linkage), capacity the members' sum. Totals are kept: capacity exactly, and the annual
    cost of building and running everything at full capacity (fixed + per-Mt/yr capital,
    fixed O&M and per-tonne costs) to rounding."""
    src = _sources(seed)
    out, members = cluster_sources(src, cluster_km, pinned={"S001"})
    assert math.fsum(out["capacity_mtpa"]) == pytest.approx(math.fsum(src["capacity_mtpa"]),
                                                            rel=1e-12, abs=0)
    assert sorted(members["source_id"]) == sorted(src.index)
    assert members.loc[members["source_id"] == "S001", "node_id"].item() == "S001"

    def full_cost(t):
        cap = t["capacity_mtpa"]
        return float((t["capture_capex_musd"] + t["capture_fixed_om_musd_per_yr"]
                      + cap * (t["capture_capex_musd_per_mtpa"]
                               + t["capture_fixed_om_musd_per_yr_per_mtpa"]
                               + t["capture_cost_usd_per_t"])).sum())
    assert full_cost(out) == pytest.approx(full_cost(src), rel=1e-9)

    for node, g in members.groupby("node_id"):
        m = src.loc[g["source_id"]]
        assert out.loc[node, "capacity_mtpa"] == pytest.approx(m["capacity_mtpa"].sum(), rel=1e-12)
        assert m["kind"].nunique() == 1 and m["available_from"].fillna(0).nunique() == 1
        assert out.loc[node, "kind"] == m["kind"].iloc[0]
        if len(m) > 1:
            assert node == "HUB-" + m["capacity_mtpa"].idxmax()
            i, j = np.triu_indices(len(m), 1)
            d = geodesic_km(m["lon"].to_numpy()[i], m["lat"].to_numpy()[i],
                            m["lon"].to_numpy()[j], m["lat"].to_numpy()[j])
            assert d.max() <= cluster_km + 1e-9
            assert g["share_of_node"].sum() == pytest.approx(1.0)


def test_hub_sits_at_the_capacity_weighted_centroid():
    """Two sources on the equator at lon 0 (3 Mt/yr) and lon 0.3 (1 Mt/yr): the weighted
    mean direction lies on the equator; for points this close it is within metres of
    lon 0.075 (the planar weighted mean)."""
    src = fill_source_costs(pd.DataFrame({
        "name": ["a", "b"], "kind": "coal_power", "lon": [0.0, 0.3], "lat": [0.0, 0.0],
        "capacity_mtpa": [3.0, 1.0], "available_from": np.nan,
        **{c: np.nan for c in ("capture_cost_usd_per_t", "capture_capex_musd",
                               "capture_fixed_om_musd_per_yr", "capture_capex_musd_per_mtpa",
                               "capture_fixed_om_musd_per_yr_per_mtpa")}}, index=["A", "B"]), 2023)
    out, members = cluster_sources(src, 50)
    hub = out.loc["HUB-A"]
    assert hub["lat"] == pytest.approx(0.0, abs=1e-12)
    assert hub["lon"] == pytest.approx(0.075, abs=1e-4)
    assert members.set_index("source_id")["share_of_node"].tolist() == [0.75, 0.25]


# --------------------------------------------------------- hand-checked plan

def _hub_network(tmp_path):
    """S1 (lat +0.045, 10 $/t, 2 MUSD to equip) and S2 (lat −0.045, 20 $/t, 4 MUSD), 3 Mt/yr
    each, 10 km apart at lon 0; sink K at (1, 0). Corridors S1–K and S2–K 100 km, S1–S2
    10 km; one pipe class, 5 Mt/yr at 1 MUSD/km."""
    return write_network(
        tmp_path / "net",
        sources=[{"id": "S1", "lon": 0, "lat": 0.045, "capacity_mtpa": 3, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 10, "capture_capex_musd": 2},
                 {"id": "S2", "lon": 0, "lat": -0.045, "capacity_mtpa": 3, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 20, "capture_capex_musd": 4}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 10,
                **FREE_SINK}],
        corridors=[{"from": "S1", "to": "K", "length_km": 100},
                   {"from": "S2", "to": "K", "length_km": 100},
                   {"from": "S1", "to": "S2", "length_km": 10}],
        pipe_classes=SMALL_PIPE)


def test_two_nearby_sources_become_one_hub_with_the_expected_plan(tmp_path, solver):
    """Target 5 Mt/yr, crf 0.1, no discounting (MUSD/yr).

    Full network: S1 captures 3 (30) and S2 2 (40); S2–S1 10 km (1) and S1–K 100 km (10)
    beat two 100 km lines (20); equipping both 0.1·(2 + 4) = 0.6. Optimum 81.6.

    cluster_km = 20: S1 and S2 (9.95 km apart) become HUB-S1 (S1 wins the tie on
    capacity by id) at their centroid (0, 0), 6 Mt/yr at (3·10 + 3·20)/6 = 15 $/t, fixed
    capex 2 + 4 = 6. S1–K and S2–K become one HUB-S1–K corridor of geodesic length
    111.319 km (× detour 1.0); S1–S2 vanishes. Plan: the hub captures 5 (75), one pipe
    11.1319, equipping 0.6 → 86.7319.
    """
    _hub_network(tmp_path)
    full = run(*load_case(write_case(tmp_path / "full.toml", "net", [2025], target=[5],
                                     finance=NO_DISCOUNT)), solver=solver, mip_gap=0.0)
    assert full.result.objective == pytest.approx(81.6, abs=1e-6)

    case = write_case(tmp_path / "hub.toml", "net", [2025], target=[5], finance=NO_DISCOUNT,
                      candidates={"detour_factor": 1.0}, reduce={"cluster_km": 20})
    out = run(*load_case(case), solver=solver, mip_gap=0.0)
    assert out.result.status == "optimal"
    assert out.result.objective == pytest.approx(86.7319, abs=1e-3)
    src = out.plan.sources.set_index("source_id")
    assert list(src.index) == ["HUB-S1"] and src.loc["HUB-S1", "captured_mtpa"] == pytest.approx(5)
    p = out.plan.pipelines
    assert p[["from", "to"]].values.tolist() == [["HUB-S1", "K"]]
    assert p["length_km"].item() == pytest.approx(111.319, abs=1e-3)
    r = out.instance.reduction.summary()
    assert (r["sources_before"], r["sources_after"], r["hubs"]) == (2, 1, 1)
    assert (r["corridors_before"], r["corridors_after"]) == (3, 1)
    assert r["capacity_mtpa_before"] == r["capacity_mtpa_after"] == 6.0


def test_solve_writes_reduction_csv_and_reports_the_reduction(tmp_path, solver):
    """The CLI prints what the reduction changed, summary.json carries it, and
    reduction.csv maps each plant to its hub (each stands for half of it)."""
    _hub_network(tmp_path)
    case = write_case(tmp_path / "hub.toml", "net", [2025], target=[5], finance=NO_DISCOUNT,
                      reduce={"cluster_km": 20})
    res = CliRunner().invoke(cli, ["solve", str(case), "--solver", solver,
                                   "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert ("reduction: 2 sources → 1 (2 merged into 1 hubs), corridors 3 → 1 (0 pruned); "
            "capture capacity 6.0 → 6.0 Mt/yr") in res.output
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["reduction"]["sources_in_hubs"] == 2 and s["reduction"]["cluster_km"] == 20
    m = pd.read_csv(tmp_path / "out" / "reduction.csv")
    assert m[["source_id", "node_id", "share_of_node"]].values.tolist() == [
        ["S1", "HUB-S1", 0.5], ["S2", "HUB-S1", 0.5]]


def test_a_source_at_the_end_of_an_existing_pipeline_is_never_merged(tmp_path):
    """S1–K is a pipeline in service: S1 stays where it is, so S2 has nobody to join."""
    net = _hub_network(tmp_path)
    c = pd.read_csv(net / "corridors.csv")
    c["existing_capacity_mtpa"] = [2.0, 0.0, 0.0]
    c.to_csv(net / "corridors.csv", index=False)
    case = write_case(tmp_path / "hub.toml", "net", [2025], target=[5], reduce={"cluster_km": 20})
    inst = prepare(*load_case(case))
    assert sorted(inst.node_ids[inst.src_node]) == ["S1", "S2"]
    assert inst.reduction.summary()["hubs"] == 0


def test_sources_of_different_first_years_are_not_merged(tmp_path):
    net = _hub_network(tmp_path)
    s = pd.read_csv(net / "sources.csv")
    s["available_from"] = [2025, 2030]
    s.to_csv(net / "sources.csv", index=False)
    case = write_case(tmp_path / "hub.toml", "net", [2025], target=[1], reduce={"cluster_km": 20})
    assert prepare(*load_case(case)).reduction.summary()["sources_after"] == 2


# -------------------------------------------------------------------- pruning

def _corridor_table(edges) -> pd.DataFrame:
    return pd.DataFrame([{"from": a, "to": b, "cost_weight": w, "existing_capacity_mtpa": x,
                          "capacity_mtpa": np.nan} for a, b, w, x in edges])


def test_a_corridor_with_a_near_straight_two_hop_path_is_pruned():
    """a–b 100, a–c 55, c–b 50: 105 ≤ 1.1·100, so a–b goes; c–d 30, d–b 40 against c–b 50:
    70 > 55, kept. With detour 1.0 nothing goes. An existing a–b line is never pruned."""
    edges = [("a", "b", 100.0, 0.0), ("a", "c", 55.0, 0.0), ("c", "b", 50.0, 0.0),
             ("c", "d", 30.0, 0.0), ("d", "b", 40.0, 0.0)]
    assert dominated(_corridor_table(edges), 1.1).tolist() == [True, False, False, False, False]
    assert not dominated(_corridor_table(edges), 1.0).any()
    edges[0] = ("a", "b", 100.0, 1.7)
    assert not dominated(_corridor_table(edges), 1.1).any()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(n=st.integers(3, 40), seed=st.integers(0, 10_000), detour=st.floats(1.0, 2.0))
def test_pruning_never_disconnects_two_nodes(n, seed, detour):
    rng = np.random.default_rng(seed)
    g = nx.gnm_random_graph(n, int(rng.integers(n - 1, 3 * n)), seed=seed)
    pts = rng.random((n, 2))
    for a, b in g.edges:
        g.edges[a, b]["w"] = float(np.hypot(*(pts[a] - pts[b])))
    t = _corridor_table([(a, b, w, 0.0) for a, b, w in g.edges(data="w")])
    if t.empty:
        return
    kept = t[~dominated(t, detour)]
    h = nx.Graph()
    h.add_nodes_from(g)
    h.add_edges_from(zip(kept["from"], kept["to"]))
    assert [sorted(c) for c in nx.connected_components(h)] == \
        [sorted(c) for c in nx.connected_components(g)]


def _random_network(folder, seed):
    """2–4 sources and 1–2 sinks scattered over 2° × 2°, random costs; no corridors file."""
    rng = np.random.default_rng(seed)
    ns, nk = int(rng.integers(2, 5)), int(rng.integers(1, 3))
    write_network(
        folder,
        sources=[{"id": f"S{i}", "lon": 2 * rng.random(), "lat": 2 * rng.random(),
                  "capacity_mtpa": round(1 + 4 * rng.random(), 2), **FREE_SOURCE,
                  "capture_cost_usd_per_t": round(10 + 30 * rng.random(), 1)} for i in range(ns)],
        sinks=[{"id": f"K{i}", "lon": 2 * rng.random(), "lat": 2 * rng.random(),
                "capacity_mt": 1000, "max_injection_mtpa": round(2 + 6 * rng.random(), 2),
                **FREE_SINK} for i in range(nk)],
        junctions=[{"id": "J", "lon": 2 * rng.random(), "lat": 2 * rng.random()}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 3, "capex_musd_per_unit": 0.5},
                      {"name": "big", "capacity_mtpa": 12, "capex_musd_per_unit": 0.9}])
    return min(5.0, 0.8 * ns * 1 + 0.5)


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_pruned_network_stays_feasible_and_its_optimum_is_never_lower(tmp_path, seed):
    """Pruning only removes options, each with a two-hop replacement: the pruned optimum is
    ≥ the full one, and a feasible case stays feasible (HiGHS, gap 0)."""
    folder = tmp_path / f"n{seed}"
    target = _random_network(folder / "net", seed)
    results = {}
    for prune in (False, True):
        case = write_case(folder / f"p{prune}.toml", "net", [2025, 2030], target=[target / 2, target],
                          period_years=5, finance=NO_DISCOUNT,
                          candidates={"k_nearest": 3, "detour_factor": 1.0},
                          reduce={"prune_corridors": prune, "prune_detour": 1.3})
        results[prune] = run(*load_case(case), solver="highs", mip_gap=0.0, warm_start=False)
    full, pruned = results[False], results[True]
    assert pruned.result.status == full.result.status
    if full.result.status == "optimal":
        assert pruned.result.objective >= full.result.objective - 1e-6 * max(1, abs(full.result.objective))
    assert pruned.instance.reduction.summary()["corridors_after"] <= len(full.instance.cor_from)


def test_pruning_removes_corridors_on_a_random_network(tmp_path):
    """The random networks above do lose corridors (so the property is not vacuous)."""
    _random_network(tmp_path / "net", 3)
    case = write_case(tmp_path / "c.toml", "net", [2025], target=[1],
                      candidates={"k_nearest": 3},
                      reduce={"prune_corridors": True, "prune_detour": 1.3})
    r = prepare(*load_case(case)).reduction.summary()
    assert r["corridors_pruned"] > 0 and r["corridors_after"] < r["corridors_before"]


# ----------------------------------------------------------------- bad input

@pytest.mark.parametrize("table, expected", [
    ({"cluster_km": -5}, "row 14, field 'reduce.cluster_km': expected greater than 0 (got -5)"),
    ({"cluster_km": "far"}, "field 'reduce.cluster_km': expected a valid number"),
    ({"prune_detour": 0.9},
     "field 'reduce.prune_detour': expected greater than or equal to 1 (got 0.9)"),
    ({"prune_corridors": "maybe"}, "field 'reduce.prune_corridors': expected a valid boolean"),
    ({"hub_km": 50}, "unknown key 'hub_km' (allowed: cluster_km, prune_corridors, prune_detour)"),
])
def test_bad_reduce_values_exit_2_naming_the_field(tmp_path, table, expected):
    _hub_network(tmp_path)
    case = write_case(tmp_path / "bad.toml", "net", [2025], target=[1], reduce=table)
    res = CliRunner().invoke(cli, ["solve", str(case), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert expected in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_pruning_with_a_pipe_limit_is_rejected(tmp_path):
    _hub_network(tmp_path)
    case = write_case(tmp_path / "bad.toml", "net", [2025], target=[1],
                      pipeline={"max_pipes_per_corridor": 1}, reduce={"prune_corridors": True})
    res = CliRunner().invoke(cli, ["validate", str(case)])
    assert res.exit_code == 2
    assert "[reduce] prune_corridors keeps every flow possible only when" in res.output
