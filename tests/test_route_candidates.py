"""Candidate networks of real routes (``ccusplan routes candidates``): shared corridors,
obstacles respected, and a saved network that ``solve`` reads back as it was written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import box

from ccusplan.cli import _State, cli
from ccusplan.io import read_network
from ccusplan.routes.build import build_routing
from ccusplan.routes.network_routes import corridor_table, route_candidates
from conftest import FREE_SINK, FREE_SOURCE, write_case, write_network
from routes_helpers import geodesic_km, polygon_multiplier, sampled_cost_weight, write_obstacles

CLASSES = [{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 0.5},
           {"name": "big", "capacity_mtpa": 20, "capex_musd_per_unit": 1.5}]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], obj=_State())
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def nodes_frame(rows: dict) -> pd.DataFrame:
    return pd.DataFrame(rows, index=["lon", "lat"]).T.astype(float)


def candidates(nodes: pd.DataFrame, obs=None, k=2):
    routing = build_routing(nodes[["lon", "lat"]].to_numpy(float), obs, None, 1.0, grid=True)
    net = route_candidates(nodes, routing.field, routing.graph, k)
    return net, corridor_table(net, routing.field.obstacles), routing


def test_two_sources_side_by_side_share_a_trunk_to_a_far_sink():
    """S1 and S2 4 km apart, 80 km from K: their routes merge into one trunk at a
    junction, so the network is much shorter than two separate lines."""
    nodes = nodes_frame({"S1": (117.0, 36.0), "S2": (117.045, 36.0), "K": (117.5, 36.65)})
    net, table, _ = candidates(nodes)
    assert len(net.junctions) == 1
    j = net.junctions.index[0]
    ends = set(zip(table["from"], table["to"]))
    assert {("K", j), ("S1", j), ("S2", j)} <= ends | {(b, a) for a, b in ends}
    trunk = table[(table["from"] == j) | (table["to"] == j)]
    assert trunk["shared_by"].max() >= 2
    separate = geodesic_km((117.0, 36.0), (117.5, 36.65)) + geodesic_km((117.045, 36.0),
                                                                         (117.5, 36.65))
    via_junction = trunk["length_km"].sum()
    assert via_junction < 0.6 * separate


def test_without_obstacles_corridors_between_nodes_are_geodesics():
    nodes = nodes_frame({"A": (117.0, 36.0), "B": (117.9, 36.1), "C": (117.4, 36.8)})
    net, table, _ = candidates(nodes)
    assert len(net.junctions) == 0 and len(table) == 3
    lonlat = nodes.loc[:, ["lon", "lat"]]
    for _, r in table.iterrows():
        expected = geodesic_km(lonlat.loc[r["from"]].to_numpy(), lonlat.loc[r["to"]].to_numpy())
        assert r["length_km"] == pytest.approx(expected, rel=1e-5)
        assert r["cost_weight"] == pytest.approx(r["length_km"], rel=1e-9)


def test_candidate_corridors_avoid_forbidden_and_price_costly_obstacles():
    """A forbidden block between A and C and a costly strip (×3) across B–C: no corridor
    enters the block (shapely); each one's cost weight is its length weighted by the
    strip's factor where it crosses (sampled every 10 m in UTM)."""
    block = box(117.3, 36.25, 117.5, 36.55)
    strip = shapely.LineString([(117.6, 36.9), (117.9, 35.9)]).buffer(0.01)
    obs = pd.DataFrame({"feature": [1, 2], "name": ["block", "strip"], "kind": ["urban", "river"],
                        "cost_factor": [1.0, 3.0], "forbidden": [True, False],
                        "geometry": [block, strip]})
    nodes = nodes_frame({"A": (117.0, 36.0), "B": (118.2, 36.1), "C": (117.6, 36.8),
                         "D": (117.1, 36.7)})
    net, table, _ = candidates(nodes, obs)
    multiplier = polygon_multiplier([strip], [3.0])
    crossed = 0
    for _, r in table.iterrows():
        assert not r["geometry"].intersects(block)
        length, weight = sampled_cost_weight(r["geometry"], multiplier)
        assert r["length_km"] == pytest.approx(length, rel=1e-4)
        assert r["cost_weight"] == pytest.approx(weight, rel=2e-3)
        crossed += r["crossed_river_km"] > 0
    assert crossed >= 1


def _network(tmp_path):
    write_network(tmp_path / "net",
                  sources=[{"id": "S1", "lon": 117.0, "lat": 36.0, "capacity_mtpa": 4,
                            **FREE_SOURCE, "capture_cost_usd_per_t": 10},
                           {"id": "S2", "lon": 117.05, "lat": 36.02, "capacity_mtpa": 4,
                            **FREE_SOURCE, "capture_cost_usd_per_t": 10}],
                  sinks=[{"id": "K", "lon": 117.5, "lat": 36.6, "capacity_mt": 500,
                          "max_injection_mtpa": 10, **FREE_SINK}],
                  junctions=[{"id": "J0", "lon": 117.6, "lat": 36.0}],
                  pipe_classes=CLASSES)
    write_obstacles(tmp_path / "net", [
        {"name": "town", "kind": "urban", "forbidden": True,
         "geometry": box(117.2, 36.2, 117.3, 36.35)},
        {"name": "river", "kind": "river", "cost_factor": 4,
         "geometry": shapely.LineString([(116.9, 36.45), (117.8, 36.45)]).buffer(0.005)}])
    return tmp_path / "net"


def test_a_saved_candidate_network_round_trips_through_solve(tmp_path):
    """`routes candidates` writes a network folder; `solve` reads its corridors.geojson as
    written (lengths, cost weights and route lines, no regeneration) and its plan lays
    pipe along those routes; a second solve gives the same plan."""
    net = _network(tmp_path)
    r = invoke("routes", "candidates", net, "--out", "routed", "--k-nearest", "2")
    assert r.exit_code == 0, r.output
    assert "network written to routed/" in r.output
    out = tmp_path / "routed"
    assert {p.name for p in out.iterdir()} == {
        "sources.csv", "sinks.csv", "junctions.csv", "pipe_classes.csv", "corridors.geojson",
        "obstacles.geojson", "routing.json"}
    written = json.loads((out / "corridors.geojson").read_text())["features"]
    back = read_network(out)
    assert len(back.corridors) == len(written)
    for f, (_, row) in zip(written, back.corridors.iterrows()):
        assert (row["from"], row["to"]) == (f["properties"]["from"], f["properties"]["to"])
        assert row["length_km"] == pytest.approx(f["properties"]["length_km"])
        assert row["cost_weight"] == pytest.approx(f["properties"]["cost_weight"])
        assert np.allclose(np.asarray(row["geometry"].coords), f["geometry"]["coordinates"])
    assert "J0" in back.junctions.index                  # the network's own junction kept
    case = write_case(tmp_path / "routed.toml", "routed", [2030], target=[8],
                      finance={"crf": 0.1, "discount_rate": 0.0})
    plans = []
    for n in (1, 2):
        r = invoke("solve", case, "--out", f"plan{n}")
        assert r.exit_code == 0, r.output
        summary = json.loads((tmp_path / f"plan{n}" / "summary.json").read_text())
        assert summary["status"] == "optimal" and summary["corridors_generated"] is False
        plans.append(pd.read_csv(tmp_path / f"plan{n}" / "plan_pipelines.csv"))
    pd.testing.assert_frame_equal(plans[0], plans[1])
    built = json.loads((tmp_path / "plan1" / "network.geojson").read_text())["features"]
    lines = [f for f in built if f["geometry"]["type"] == "LineString"]
    assert lines
    by_pair = {(f["properties"]["from"], f["properties"]["to"]): f for f in written}
    for f in lines:
        w = by_pair[(f["properties"]["from"], f["properties"]["to"])]
        assert f["geometry"]["coordinates"] == w["geometry"]["coordinates"]
        assert f["properties"]["length_km"] == pytest.approx(w["properties"]["length_km"])
    town = box(117.2, 36.2, 117.3, 36.35)
    assert not any(shapely.geometry.shape(f["geometry"]).intersects(town) for f in written)


def test_candidates_never_replace_a_folder_that_is_not_a_routed_network(tmp_path):
    net = _network(tmp_path)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    r = invoke("routes", "candidates", net, "--out", "busy")
    assert r.exit_code == 2
    assert "refusing to replace" in r.output and (tmp_path / "busy" / "notes.txt").exists()
    r = invoke("routes", "candidates", net, "--out", net)
    assert r.exit_code == 2 and "--out" in r.output
    assert invoke("routes", "candidates", net, "--out", "routed").exit_code == 0
    assert invoke("routes", "candidates", net, "--out", "routed").exit_code == 0  # replaced


def test_a_geopackage_network_keeps_its_obstacle_layer_in_the_routed_folder(tmp_path):
    """Obstacles read from a GeoPackage's `obstacles` layer are written back as
    obstacles.geojson, and read again give the same obstacles."""
    import geopandas as gpd

    from ccusplan.io.obstacles import read_obstacles

    gpkg = tmp_path / "net.gpkg"
    pts = gpd.points_from_xy
    gpd.GeoDataFrame({"id": ["S1", "S2"], "capacity_mtpa": [2.0, 3.0]},
                     geometry=pts([117.0, 117.6], [36.0, 36.0]), crs=4326).to_file(
        gpkg, layer="sources")
    gpd.GeoDataFrame({"id": ["K"], "capacity_mt": [100.0], "max_injection_mtpa": [5.0]},
                     geometry=pts([117.3], [36.5]), crs=4326).to_file(gpkg, layer="sinks")
    gpd.GeoDataFrame({"name": ["town", "lake"], "kind": ["urban", "water"],
                      "cost_factor": [None, 2.5], "forbidden": [True, False]},
                     geometry=[box(117.25, 36.1, 117.35, 36.2), box(117.4, 36.3, 117.5, 36.4)],
                     crs=4326).to_file(gpkg, layer="obstacles")
    r = invoke("routes", "candidates", gpkg, "--out", "routed")
    assert r.exit_code == 0, r.output
    assert "obstacles.geojson" in r.output
    before = read_obstacles(gpkg)
    after = read_obstacles(tmp_path / "routed")
    assert after[["name", "kind", "cost_factor", "forbidden"]].equals(
        before[["name", "kind", "cost_factor", "forbidden"]])
    for a, b in zip(before["geometry"], after["geometry"]):
        assert a.equals_exact(b, 1e-9)
